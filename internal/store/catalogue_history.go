package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The kinds of catalogue entry whose changes are kept, named as the web
// app's and the API's routes name them.
const (
	KindService  = "layanan"
	KindCategory = "kategori"
	KindHoliday  = "libur"
)

// Change is who changes an entry of the catalogue, and why.
type Change struct {
	Account int64
	Reason  string
}

// CatalogueChange is one recorded change of a catalogue entry: the entry
// before and after as its columns (Before is null when it was created,
// After when it was deleted).
type CatalogueChange struct {
	ID       int64           `json:"id"`
	Kind     string          `json:"kind"`
	Code     string          `json:"code"`
	Username string          `json:"username"`
	Reason   string          `json:"reason"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
	At       time.Time       `json:"at"`
}

// recorded runs write, which changes one entry and returns it after as
// JSON (nil when it deleted it), in one transaction with the record of the
// change: the entry is read and locked first with before (a query taking
// the entry's code). A write that changes nothing records nothing. It
// reports whether the entry was created.
func (s *Store) recorded(ctx context.Context, kind, code string, by Change, before string, write func(pgx.Tx) ([]byte, error)) (bool, error) {
	created := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old []byte
		if err := tx.QueryRow(ctx, before, code).Scan(&old); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		after, err := write(tx)
		if err != nil {
			return err
		}
		created = old == nil
		// jsonb prints canonically: equal values print the same.
		if after != nil && old != nil && bytes.Equal(old, after) {
			return nil
		}
		account := &by.Account
		if by.Account == 0 {
			account = nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO catalogue_change (kind, code, account_id, reason, before, after)
			VALUES ($1, $2, $3, $4, $5, $6)`, kind, code, account, by.Reason, old, after)
		return err
	})
	return created, err
}

// CatalogueChanges lists the recorded changes of one kind of entry, newest
// first: of one entry when code is not empty, older than the change before
// when it is not 0, at most limit.
func (s *Store) CatalogueChanges(ctx context.Context, kind, code string, before int64, limit int) ([]CatalogueChange, error) {
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.kind, c.code, coalesce(a.username, ''), c.reason, c.before, c.after, c.changed_at
		FROM catalogue_change c LEFT JOIN account a ON a.id = c.account_id
		WHERE c.kind = $1 AND ($2 = '' OR c.code = $2) AND ($3 = 0 OR c.id < $3)
		ORDER BY c.id DESC LIMIT $4`, kind, code, before, limit)
	if err != nil {
		return nil, fmt.Errorf("while reading the changes of %s %s: %w", kind, code, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[CatalogueChange])
}
