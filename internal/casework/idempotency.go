package casework

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrKeyTaken is an idempotency key already claimed by an earlier request.
var ErrKeyTaken = errors.New("idempotency key already used")

// ClaimKey claims an idempotency key for an account's create in tx. The
// key's row is locked until tx ends, so a concurrent retry waits for the
// first answer. A key already claimed is ErrKeyTaken.
func ClaimKey(ctx context.Context, tx pgx.Tx, account int64, key, route string, hash []byte) error {
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_key (account_id, key, route, request_hash) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, account, key, route, hash)
	if err != nil {
		return fmt.Errorf("while claiming an idempotency key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrKeyTaken
	}
	return nil
}

// SaveAnswer keeps the answer of a claimed key's create.
func SaveAnswer(ctx context.Context, tx pgx.Tx, account int64, key string, status int, answer []byte) error {
	_, err := tx.Exec(ctx, `UPDATE idempotency_key SET status = $3, response = $4 WHERE account_id = $1 AND key = $2`,
		account, key, status, answer)
	if err != nil {
		return fmt.Errorf("while keeping the answer of an idempotency key: %w", err)
	}
	return nil
}

// Answer returns the request hash and the answer kept for a key.
func Answer(ctx context.Context, tx pgx.Tx, account int64, key string) (hash []byte, status int, answer []byte, err error) {
	err = tx.QueryRow(ctx, `SELECT request_hash, status, response FROM idempotency_key WHERE account_id = $1 AND key = $2`,
		account, key).Scan(&hash, &status, &answer)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("while reading the answer of an idempotency key: %w", err)
	}
	return hash, status, answer, nil
}
