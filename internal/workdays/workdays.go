// Package workdays counts service targets in working days: Saturdays,
// Sundays and the city's holidays do not count. Dates are calendar days in
// the city's time zone.
package workdays

import "time"

// Zone is the city's time zone. Kota Bandung is on WIB (UTC+7, no daylight
// saving); a city in WITA or WIT would set its own.
var Zone = time.FixedZone("WIB", 7*60*60)

// Calendar holds the holidays that targets skip.
type Calendar struct {
	holidays map[civil]bool
}

// civil is a calendar day, independent of time zones.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// New makes a calendar with the given holidays (only their dates count).
func New(holidays []time.Time) *Calendar {
	c := &Calendar{holidays: make(map[civil]bool, len(holidays))}
	for _, h := range holidays {
		c.holidays[civilOf(h)] = true
	}
	return c
}

// Working reports whether day is a working day.
func (c *Calendar) Working(day time.Time) bool {
	switch day.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.holidays[civilOf(day)]
}

// Due returns the date by which something started at from, with a target of
// n working days, must be done: the n-th working day after the day of from
// in the city (the day of the request itself does not count). A target of 0
// is the same day.
func (c *Calendar) Due(from time.Time, n int) time.Time {
	y, m, d := from.In(Zone).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.Working(day) {
			n--
		}
	}
	return day
}

// Today returns the city's current date (at midnight UTC, like Due).
func Today(now time.Time) time.Time {
	y, m, d := now.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
