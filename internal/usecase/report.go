package usecase

import (
	"context"
	"sync"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/workdays"
)

// Report is a monitoring report: counts for a date range.
type Report struct {
	From   string            `json:"from"`
	To     string            `json:"to"`
	Tables []*casework.Table `json:"tables"`
	// Unavailable names the kecamatan a city report could not read.
	Unavailable []Unavailable `json:"unavailable"`
}

// Period is a report's range of dates, both included, in the city's time
// zone; a zero Period is the last 30 days.
type Period struct {
	From, To time.Time
}

// bounds checks the period and returns it as [from, to+1 day) at midnight
// WIB.
func (p Period) bounds(today time.Time) (time.Time, time.Time, error) {
	from, to := p.From, p.To
	if from.IsZero() {
		from = today.AddDate(0, 0, -29)
	}
	if to.IsZero() {
		to = today
	}
	if to.Before(from) {
		return time.Time{}, time.Time{}, registry.Invalid("to", "report.range", "not before from")
	}
	zone := workdays.Zone
	return time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, zone),
		time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, zone).AddDate(0, 0, 1), nil
}

func newReport(from, to time.Time) *Report {
	return &Report{From: from.Format(time.DateOnly), To: to.AddDate(0, 0, -1).Format(time.DateOnly), Unavailable: []Unavailable{}}
}

// KecamatanReport counts the caller's kecamatan's work by kelurahan (the
// caller's kelurahan only, for Puskesos staff). Inside the kecamatan
// nothing is suppressed.
func (a *App) KecamatanReport(ctx context.Context, c *Caller, p Period) (*Report, error) {
	from, to, err := p.bounds(c.Today())
	if err != nil {
		return nil, err
	}
	out := newReport(from, to)
	err = a.read(ctx, c, func(cn conn) (err error) {
		out.Tables, err = casework.Report(ctx, cn, c.Scope, from, to, c.Today())
		return err
	})
	return out, err
}

// CityReport counts the work of every kecamatan the caller may report on
// (Dinas Sosial: the city), by kecamatan and kelurahan. The view leaves
// the kecamatan, so cells counting 1 to 4 are suppressed; the kecamatan
// that did not answer are named.
func (a *App) CityReport(ctx context.Context, c *Caller, p Period) (*Report, error) {
	from, to, err := p.bounds(c.Today())
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	merged := map[string]*casework.Table{}
	unavailable, err := a.fanOut(ctx,
		func(code string) bool { return a.authz.Allowed(c.Account, code, "laporan_kota", "read") },
		func(ctx context.Context, code string, cn conn) error {
			tables, err := casework.Report(ctx, cn, nil, from, to, c.Today())
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, t := range tables {
				t.Suppress()
				t.Prepend("kecamatan", code)
				if m, ok := merged[t.Name]; ok {
					m.Append(t)
				} else {
					merged[t.Name] = t
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := newReport(from, to)
	out.Unavailable = orNone(unavailable)
	for _, name := range casework.ReportTables {
		if t, ok := merged[name]; ok {
			t.SortRows()
			out.Tables = append(out.Tables, t)
		}
	}
	return out, nil
}
