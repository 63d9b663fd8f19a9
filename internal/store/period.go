package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// KindPeriod is the kind of catalogue change a proposal period's is.
const KindPeriod = "periode"

// Period is a proposal period of the city: proposals are submitted from
// OpensOn to ClosesOn, and each kelurahan holds its musyawarah by
// MuskelBy.
type Period struct {
	Code     string    `json:"code"`
	OpensOn  time.Time `json:"-"`
	ClosesOn time.Time `json:"-"`
	MuskelBy time.Time `json:"-"`
	// The dates as YYYY-MM-DD, as the API shows them.
	Opens  string `json:"opensOn"`
	Closes string `json:"closesOn"`
	Muskel string `json:"muskelBy"`
}

// Open reports whether proposals may be submitted into the period on day.
func (p *Period) Open(day time.Time) bool {
	return !day.Before(p.OpensOn) && !day.After(p.ClosesOn)
}

// ErrPeriodOverlap is a period whose dates overlap another's.
var ErrPeriodOverlap = errors.New("the period overlaps another")

func scanPeriod(row pgx.CollectableRow) (Period, error) {
	var p Period
	err := row.Scan(&p.Code, &p.OpensOn, &p.ClosesOn, &p.MuskelBy)
	p.Opens, p.Closes, p.Muskel = p.OpensOn.Format(time.DateOnly), p.ClosesOn.Format(time.DateOnly), p.MuskelBy.Format(time.DateOnly)
	return p, err
}

// Periods lists the proposal periods that touch a year (all when year is
// 0), in date order.
func (s *Store) Periods(ctx context.Context, year int) ([]Period, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, opens_on, closes_on, muskel_by FROM usulan_period
		WHERE $1 = 0 OR extract(year FROM opens_on) = $1 OR extract(year FROM muskel_by) = $1 ORDER BY opens_on`, year)
	if err != nil {
		return nil, fmt.Errorf("while listing proposal periods: %w", err)
	}
	return pgx.CollectRows(rows, scanPeriod)
}

// PeriodsAround returns the period open on day (nil when none is) and the
// next to open after it (nil when none is set).
func (s *Store) PeriodsAround(ctx context.Context, day time.Time) (open, next *Period, err error) {
	rows, err := s.pool.Query(ctx, `SELECT code, opens_on, closes_on, muskel_by FROM usulan_period
		WHERE closes_on >= $1::date ORDER BY opens_on LIMIT 2`, day)
	if err != nil {
		return nil, nil, fmt.Errorf("while reading proposal periods: %w", err)
	}
	periods, err := pgx.CollectRows(rows, scanPeriod)
	if err != nil {
		return nil, nil, err
	}
	for i := range periods {
		switch p := &periods[i]; {
		case p.Open(day) && open == nil:
			open = p
		case next == nil && p.OpensOn.After(day):
			next = p
		}
	}
	return open, next, nil
}

const periodBefore = `SELECT to_jsonb(t) - 'updated_at' FROM usulan_period t WHERE code = $1 FOR UPDATE`

// PutPeriod creates or changes a proposal period, recording the change;
// it reports whether it created one. Dates overlapping another period's
// are ErrPeriodOverlap.
func (s *Store) PutPeriod(ctx context.Context, p *Period, by Change) (bool, error) {
	created, err := s.recorded(ctx, KindPeriod, p.Code, by, periodBefore, func(tx pgx.Tx) ([]byte, error) {
		var after []byte
		err := tx.QueryRow(ctx, `INSERT INTO usulan_period (code, opens_on, closes_on, muskel_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO UPDATE SET opens_on = EXCLUDED.opens_on, closes_on = EXCLUDED.closes_on,
				muskel_by = EXCLUDED.muskel_by, updated_at = now()
			RETURNING to_jsonb(usulan_period) - 'updated_at'`, p.Code, p.OpensOn, p.ClosesOn, p.MuskelBy).Scan(&after)
		return after, err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23P01" {
		return false, ErrPeriodOverlap
	}
	if err != nil {
		return false, fmt.Errorf("while saving proposal period %s: %w", p.Code, err)
	}
	return created, nil
}

// MuskelDeadlines maps every period whose musyawarah deadline has passed
// by day to that deadline.
func (s *Store) MuskelDeadlines(ctx context.Context, day time.Time) (map[string]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, muskel_by FROM usulan_period WHERE muskel_by < $1::date`, day)
	if err != nil {
		return nil, fmt.Errorf("while reading musyawarah deadlines: %w", err)
	}
	out := map[string]time.Time{}
	var code string
	var by time.Time
	_, err = pgx.ForEachRow(rows, []any{&code, &by}, func() error { out[code] = by; return nil })
	return out, err
}
