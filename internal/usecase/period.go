package usecase

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
)

// PeriodEdit is a proposal period to open or change, with why.
type PeriodEdit struct {
	Code     string `json:"-"`
	OpensOn  string `json:"opensOn"`
	ClosesOn string `json:"closesOn"`
	MuskelBy string `json:"muskelBy"`
	Reason   string `json:"reason,omitempty"`

	period store.Period
}

var periodCodeRe = regexp.MustCompile(`^[0-9]{4}-[0-9A-Za-z]{1,8}$`)

// Validate checks a period as Dinas Sosial writes it: proposals are
// submitted from opensOn to closesOn, the musyawarah held by muskelBy.
func (in *PeriodEdit) Validate() error {
	var p registry.Problems
	in.Reason = strings.TrimSpace(in.Reason)
	if !periodCodeRe.MatchString(in.Code) {
		p.Add("/code", "period.code", "the year, a dash and up to 8 letters or digits, as 2027-1")
	}
	day := func(field, value string) time.Time {
		t, err := time.Parse(time.DateOnly, value)
		if err != nil {
			p.Add(field, "period.date", "a date (YYYY-MM-DD)")
		}
		return t
	}
	in.period = store.Period{Code: in.Code, OpensOn: day("/opensOn", in.OpensOn), ClosesOn: day("/closesOn", in.ClosesOn),
		MuskelBy: day("/muskelBy", in.MuskelBy)}
	if len(p) == 0 && in.period.ClosesOn.Before(in.period.OpensOn) {
		p.Add("/closesOn", "period.closes_before_opens", "on or after the day it opens")
	}
	if len(p) == 0 && in.period.MuskelBy.Before(in.period.ClosesOn) {
		p.Add("/muskelBy", "period.muskel_before_close", "on or after the day submissions close")
	}
	checkReason(&p, in.Reason)
	return p.Err()
}

// DefaultPeriods are the four periods of a year as the national registry's
// quarterly updates need them: submissions open on a quarter's first day
// and close at the end of its second month, the musyawarah by the 20th of
// its third. Dinas Sosial changes them as decrees say.
func DefaultPeriods(year int) []PeriodEdit {
	out := make([]PeriodEdit, 4)
	for q := range 4 {
		first := time.Date(year, time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
		out[q] = PeriodEdit{Code: fmt.Sprintf("%d-%d", year, q+1), OpensOn: first.Format(time.DateOnly),
			ClosesOn: first.AddDate(0, 2, -1).Format(time.DateOnly), MuskelBy: first.AddDate(0, 2, 19).Format(time.DateOnly)}
	}
	return out
}

// Periods lists the proposal periods touching a year (all when 0).
func (a *App) Periods(ctx context.Context, year int) ([]store.Period, error) {
	return a.store.Periods(ctx, year)
}

// PeriodsAround returns the period open on the caller's day (nil when
// none is) and the next to open.
func (a *App) PeriodsAround(ctx context.Context, c *Caller) (open, next *store.Period, err error) {
	return a.store.PeriodsAround(ctx, c.Today())
}

// PutPeriod opens or changes a proposal period (Dinas Sosial), recording
// the change; closing one early is moving its closesOn. It reports whether
// it created the period.
func (a *App) PutPeriod(ctx context.Context, c *Caller, in *PeriodEdit) (bool, error) {
	if !a.authz.AllowedAnywhere(c.Account, "usulan_periode", "write") {
		return false, casework.ErrNotAllowed
	}
	if err := in.Validate(); err != nil {
		return false, err
	}
	created, err := a.store.PutPeriod(ctx, &in.period, store.Change{Account: c.Account, Reason: in.Reason})
	if errors.Is(err, store.ErrPeriodOverlap) {
		return false, registry.Invalid("/opensOn", "period.overlap", "the dates overlap another period")
	}
	return created, err
}
