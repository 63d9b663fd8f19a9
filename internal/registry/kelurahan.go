package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Kelurahan is a kelurahan of the kecamatan.
type Kelurahan struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// ListKelurahan returns the kecamatan's kelurahan by code.
func ListKelurahan(ctx context.Context, db DB) ([]Kelurahan, error) {
	rows, err := db.Query(ctx, `SELECT code, name FROM kelurahan ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("while listing kelurahan: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Kelurahan])
}

// GetKelurahan returns one kelurahan of the kecamatan, or ErrNotFound.
func GetKelurahan(ctx context.Context, db DB, code string) (*Kelurahan, error) {
	var k Kelurahan
	err := db.QueryRow(ctx, `SELECT code, name FROM kelurahan WHERE code = $1`, code).Scan(&k.Code, &k.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading kelurahan %s: %w", code, err)
	}
	return &k, nil
}
