package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// PPKS is a category of Pemerlu Pelayanan Kesejahteraan Sosial (the 26 of
// Permensos 08/2012, kept as data).
type PPKS struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Position int32  `json:"position"`
	Active   bool   `json:"active"`
}

// PPKSCategories lists the PPKS categories in their order.
func (s *Store) PPKSCategories(ctx context.Context) ([]PPKS, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, name, position, active FROM ppks_category ORDER BY position, code`)
	if err != nil {
		return nil, fmt.Errorf("while reading the PPKS categories: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PPKS])
}
