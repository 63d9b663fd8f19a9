package registryload

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/nik"
)

// Move is a registered person a load would put into another household:
// where a bad file (a wrong NIK, a wrong No KK) does harm, so a load lists
// them before anything happens.
type Move struct {
	Line int    `json:"line"`
	NIK  string `json:"nik"` // masked
	Name string `json:"name"`
	// From and To are the households' No KK, masked.
	From string `json:"from"`
	To   string `json:"to"`
}

// MaxMoveShare is the share of the registered persons in a file that a
// load may move into other households without being told it may.
const MaxMoveShare = 0.05

// MaxMovesListed bounds the moves a result lists (the count is whole).
const MaxMovesListed = 1000

// ErrTooManyMoves is a load that would move more than MaxMoveShare of the
// registered persons in it, refused unless the caller allows it.
var ErrTooManyMoves = fmt.Errorf("the file would move more than %.0f%% of its registered persons into other households; check the moves listed, then load with allowMoves", MaxMoveShare*100)

// findMoves lists the staged rows whose person is registered in another
// household (the first MaxMovesListed, and how many in all), and counts the
// staged persons already registered.
func findMoves(ctx context.Context, tx pgx.Tx, res *Result) error {
	rows, err := tx.Query(ctx, `
		SELECT s.line, p.nik, s.name, oh.no_kk, s.no_kk, count(*) OVER ()
		FROM bnba_stage s JOIN person p ON p.nik = s.nik
			JOIN membership m ON m.person_id = p.id AND m.until IS NULL JOIN household oh ON oh.id = m.household_id
		WHERE oh.no_kk <> s.no_kk ORDER BY s.line LIMIT $1`, MaxMovesListed)
	if err != nil {
		return fmt.Errorf("while finding the persons a load moves: %w", err)
	}
	res.HouseholdChanges = 0
	res.Moves, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Move, error) {
		var m Move
		var n, from, to string
		err := row.Scan(&m.Line, &n, &m.Name, &from, &to, &res.HouseholdChanges)
		m.NIK, m.From, m.To = nik.Mask(n), nik.Mask(from), nik.Mask(to)
		return m, err
	})
	if err != nil {
		return fmt.Errorf("while finding the persons a load moves: %w", err)
	}
	return tx.QueryRow(ctx, `SELECT count(*) FROM bnba_stage s JOIN person p ON p.nik = s.nik`).Scan(&res.Registered)
}

// tooManyMoves reports whether the moves exceed the share a load may make
// unasked. A handful is always allowed: a family that split up.
func (r *Result) tooManyMoves() bool {
	return r.HouseholdChanges > 5 && float64(r.HouseholdChanges) > MaxMoveShare*float64(r.Registered)
}
