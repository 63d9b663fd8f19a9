package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// IndexNIK records that a kecamatan holds a person with the NIK whose keyed
// hash is given. Recording it twice is harmless.
func (s *Store) IndexNIK(ctx context.Context, hash []byte, tenant string) error {
	return s.IndexNIKs(ctx, [][]byte{hash}, tenant)
}

// KecamatanWithNIK returns the kecamatan other than except that hold a
// person with the NIK whose keyed hash is given.
func (s *Store) KecamatanWithNIK(ctx context.Context, hash []byte, except string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT tenant FROM nik_index WHERE nik_hash = $1 AND tenant <> $2 ORDER BY tenant`, hash, except)
	if err != nil {
		return nil, fmt.Errorf("while looking a NIK up across kecamatan: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// IndexNIKs records that a kecamatan holds persons with these keyed NIK
// hashes, in one statement.
func (s *Store) IndexNIKs(ctx context.Context, hashes [][]byte, tenant string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO nik_index (nik_hash, tenant) SELECT h, $2 FROM unnest($1::bytea[]) h ON CONFLICT DO NOTHING`, hashes, tenant)
	if err != nil {
		return fmt.Errorf("while indexing %d NIKs: %w", len(hashes), err)
	}
	return nil
}
