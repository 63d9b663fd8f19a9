package workdays

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDueSkipsWeekendsAndHolidays(t *testing.T) {
	cal := New([]time.Time{date("2026-08-17"), date("2026-12-25")})
	cases := []struct {
		from string // a time in WIB
		n    int
		want string
	}{
		{"2026-08-12T10:00:00+07:00", 0, "2026-08-12"}, // Wednesday, same day
		{"2026-08-12T10:00:00+07:00", 1, "2026-08-13"},
		{"2026-08-12T10:00:00+07:00", 2, "2026-08-14"},  // Friday
		{"2026-08-12T10:00:00+07:00", 3, "2026-08-18"},  // over the weekend and 17 August
		{"2026-08-15T09:00:00+07:00", 1, "2026-08-18"},  // a Saturday request
		{"2026-08-11T18:30:00Z", 1, "2026-08-13"},       // 01:30 WIB on the 12th
		{"2026-08-10T08:00:00+07:00", 14, "2026-08-31"}, // two weeks and the holiday
		{"2026-12-24T08:00:00+07:00", 1, "2026-12-28"},  // Christmas Friday, then the weekend
		{"2026-12-31T08:00:00+07:00", 3, "2027-01-05"},  // New Year is not a holiday here
	}
	for _, c := range cases {
		from, err := time.Parse(time.RFC3339, c.from)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.Due(from, c.n).Format(time.DateOnly); got != c.want {
			t.Errorf("Due(%s, %d) = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

// Whatever the start, the due date is a working day (for n > 0) and exactly
// n working days lie after the start day up to and including it.
func TestDueCountsExactlyNWorkingDays(t *testing.T) {
	cal := New([]time.Time{date("2026-05-01"), date("2026-06-01"), date("2026-05-14")})
	start := date("2026-04-01")
	for i := 0; i < 120; i++ {
		from := start.AddDate(0, 0, i).Add(3 * time.Hour)
		for n := 1; n <= 20; n++ {
			due := cal.Due(from, n)
			if !cal.Working(due) {
				t.Fatalf("Due(%s, %d) = %s, not a working day", from, n, due)
			}
			count := 0
			for d := Today(from).AddDate(0, 0, 1); !d.After(due); d = d.AddDate(0, 0, 1) {
				if cal.Working(d) {
					count++
				}
			}
			if count != n {
				t.Fatalf("Due(%s, %d) = %s spans %d working days", from, n, due, count)
			}
		}
	}
}
