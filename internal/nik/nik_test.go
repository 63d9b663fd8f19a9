package nik

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestNIKDecodesBirthDateSexAndArea(t *testing.T) {
	cases := []struct {
		nik  string
		sex  Sex
		born time.Time
	}{
		{"3273031708850001", Male, date(1985, 8, 17)},
		{"3273035708850002", Female, date(1985, 8, 17)}, // 17 + 40
		{"3273030101100003", Male, date(2010, 1, 1)},
		{"3273037112990004", Female, date(1999, 12, 31)},
		{"3273032902240005", Male, date(2024, 2, 29)}, // a leap day
	}
	for _, c := range cases {
		d, p := CheckNIK(c.nik, c.sex, c.born, now)
		if p != nil {
			t.Errorf("%s: %v", c.nik, p)
			continue
		}
		if d.Sex != c.sex || !d.BirthDate.Equal(c.born) || d.AreaCode != "32.73.03" {
			t.Errorf("%s decoded as %+v", c.nik, d)
		}
	}
}

func TestNIKRulesEachHaveTheirOwnAnswer(t *testing.T) {
	cases := map[string]struct {
		nik  string
		sex  Sex
		born time.Time
		code string
	}{
		"too short":              {"327303170885001", "", time.Time{}, "nik.length"},
		"letters":                {"32730317088500O1", "", time.Time{}, "nik.digits"},
		"no area":                {"0000001708850001", "", time.Time{}, "nik.area"},
		"31 February":            {"3273033102850001", "", time.Time{}, "nik.date"},
		"month 13":               {"3273031713850001", "", time.Time{}, "nik.date"},
		"day 0":                  {"3273030008850001", "", time.Time{}, "nik.date"},
		"day 72 (female 32)":     {"3273037208850001", "", time.Time{}, "nik.date"},
		"not a leap year":        {"3273032902250001", "", time.Time{}, "nik.date"},
		"serial 0000":            {"3273031708850000", "", time.Time{}, "nik.serial"},
		"man recorded as woman":  {"3273031708850001", Female, time.Time{}, "nik.sex_mismatch"},
		"woman recorded as man":  {"3273035708850002", Male, time.Time{}, "nik.sex_mismatch"},
		"another date of birth":  {"3273031708850001", Male, date(1985, 8, 18), "nik.birthdate_mismatch"},
		"recorded born tomorrow": {"3273032811260001", Male, date(2026, 11, 28), "nik.birthdate_mismatch"}, // the NIK reads 1926
	}
	for name, c := range cases {
		_, p := CheckNIK(c.nik, c.sex, c.born, now)
		if p == nil || p.Code != c.code {
			t.Errorf("%s (%s): want %s, got %v", name, c.nik, c.code, p)
		}
	}
}

func TestKKRules(t *testing.T) {
	if p := CheckKK("3273031205180007", now); p != nil {
		t.Errorf("a valid No KK: %v", p)
	}
	for kk, code := range map[string]string{
		"32730312051800":   "kk.length",
		"3273031205180000": "kk.serial",
		"3273033205180007": "kk.date",
		"1100001205180007": "kk.area",
	} {
		if p := CheckKK(kk, now); p == nil || p.Code != code {
			t.Errorf("%s: want %s, got %v", kk, code, p)
		}
	}
}

func TestMaskShowsOnlyTheEnds(t *testing.T) {
	if got := Mask("3273031708850001"); got != "3273••••••••0001" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("123"); strings.ContainsAny(got, "123") {
		t.Errorf("a malformed number leaked: %q", got)
	}
}

// Whatever the input, the checks answer without panicking, and a number
// they accept decodes to a date in the past and the sex its day says.
func FuzzCheckNIK(f *testing.F) {
	for _, seed := range []string{"3273031708850001", "3273035708850002", "", "abc", "9999999999999999", "3273037208850001"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, p := CheckNIK(s, "", time.Time{}, now)
		_ = CheckKK(s, now)
		_ = Mask(s)
		if p == nil {
			if d == nil || d.BirthDate.After(now) || len(s) != 16 {
				t.Fatalf("accepted %q as %+v", s, d)
			}
			if day := atoi(s[6:8]); (day > 40) != (d.Sex == Female) {
				t.Fatalf("%q: sex %s for day %d", s, d.Sex, day)
			}
		}
	})
}

// Whatever the input, CheckKK answers without panicking, and a number it
// accepts has 16 digits, a real date of issue not in the future and a
// serial other than 0000.
func FuzzCheckKK(f *testing.F) {
	for _, seed := range []string{"3273031504100001", "3273033102100001", "", "32730315041000011", "3273031504990000"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckKK(s, now) != nil {
			return
		}
		if len(s) != 16 || s[12:] == "0000" {
			t.Fatalf("accepted %q", s)
		}
		if d, ok := realDate(2000+atoi(s[10:12]), atoi(s[8:10]), atoi(s[6:8])); !ok || d.After(now) && d.AddDate(-100, 0, 0).After(now) {
			t.Fatalf("accepted %q with no real date of issue", s)
		}
	})
}

// Property: for every day of a century and either sex, the NIK the rule
// builds is accepted and decodes back to that day and sex; the same NIK
// with the other sex is refused with nik.sex_mismatch.
func TestEveryBirthDateAndSexMakesAValidNIK(t *testing.T) {
	for d := date(1926, 11, 27); !d.After(now); d = d.AddDate(0, 0, 1) {
		for _, sex := range []Sex{Male, Female} {
			day := d.Day()
			if sex == Female {
				day += 40
			}
			n := fmt.Sprintf("327303%02d%02d%02d0001", day, int(d.Month()), d.Year()%100)
			got, p := CheckNIK(n, sex, d, now)
			if p != nil || got.Sex != sex || !got.BirthDate.Equal(d) && !got.BirthDate.AddDate(-100, 0, 0).Equal(d) {
				t.Fatalf("%s (%s, born %s): %+v %v", n, sex, d.Format(time.DateOnly), got, p)
			}
			other := Male
			if sex == Male {
				other = Female
			}
			if _, p := CheckNIK(n, other, d, now); p == nil || p.Code != "nik.sex_mismatch" {
				t.Fatalf("%s with sex %s: %v", n, other, p)
			}
		}
	}
}
