package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// IndexNIK records that a kecamatan holds a person with the NIK whose keyed
// hash is given. Recording it twice is harmless.
func (s *Store) IndexNIK(ctx context.Context, hash []byte, tenant string) error {
	_, err := s.IndexNIKs(ctx, [][]byte{hash}, tenant)
	return err
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
// hashes, in one statement, and returns the hashes it had not recorded yet.
func (s *Store) IndexNIKs(ctx context.Context, hashes [][]byte, tenant string) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `INSERT INTO nik_index (nik_hash, tenant) SELECT h, $2 FROM unnest($1::bytea[]) h
		ON CONFLICT DO NOTHING RETURNING nik_hash`, hashes, tenant)
	if err == nil {
		var added [][]byte
		if added, err = pgx.CollectRows(rows, pgx.RowTo[[]byte]); err == nil {
			return added, nil
		}
	}
	return nil, fmt.Errorf("while indexing %d NIKs: %w", len(hashes), err)
}

// UnindexNIKs forgets that a kecamatan holds persons with these keyed NIK
// hashes: the ones IndexNIKs added for a load that then failed.
func (s *Store) UnindexNIKs(ctx context.Context, hashes [][]byte, tenant string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM nik_index WHERE tenant = $2 AND nik_hash = ANY($1::bytea[])`, hashes, tenant); err != nil {
		return fmt.Errorf("while removing %d NIKs from the index: %w", len(hashes), err)
	}
	return nil
}
