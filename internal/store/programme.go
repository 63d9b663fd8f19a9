package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// KindProgramme is the kind of catalogue change a programme rule's is.
const KindProgramme = "program"

// ProgrammeRule is a programme's targeting rule: the highest desil it
// serves, and the city's quota when the centre has set one.
type ProgrammeRule struct {
	Code     string `json:"code"`
	MaxDesil int16  `json:"maxDesil"`
	Quota    *int32 `json:"quota,omitempty"`
}

// ProgrammeRules lists the programme rules by code.
func (s *Store) ProgrammeRules(ctx context.Context) ([]ProgrammeRule, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, max_desil, quota FROM programme_rule ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("while reading the programme rules: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ProgrammeRule])
}

// PutProgrammeRule sets a programme's rule, keeping the change with who
// and why. It reports whether the rule was new.
func (s *Store) PutProgrammeRule(ctx context.Context, p *ProgrammeRule, by Change) (bool, error) {
	created, err := s.recorded(ctx, KindProgramme, p.Code, by, `SELECT to_jsonb(t) - 'updated_at' FROM programme_rule t WHERE code = $1 FOR UPDATE`,
		func(tx pgx.Tx) ([]byte, error) {
			var after []byte
			err := tx.QueryRow(ctx, `INSERT INTO programme_rule (code, max_desil, quota) VALUES ($1, $2, $3)
				ON CONFLICT (code) DO UPDATE SET max_desil = EXCLUDED.max_desil, quota = EXCLUDED.quota, updated_at = now()
				RETURNING to_jsonb(programme_rule) - 'updated_at'`, p.Code, p.MaxDesil, p.Quota).Scan(&after)
			return after, err
		})
	if err != nil {
		return false, fmt.Errorf("while saving the rule of programme %s: %w", p.Code, err)
	}
	return created, nil
}
