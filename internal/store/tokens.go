package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// TokenPrefix starts every API token, so that a leaked one is recognisable
// (secret scanners, logs).
const TokenPrefix = "slrt_"

// Token is an API token as listed: never its secret.
type Token struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"accountId"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

const tokenColumns = `id, account_id, name, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (*Token, error) {
	t := &Token{}
	err := row.Scan(&t.ID, &t.AccountID, &t.Name, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// CreateToken issues a token for the account and returns it with its
// secret, shown once; only the secret's hash is stored.
func (s *Store) CreateToken(ctx context.Context, accountID int64, name string, ttl time.Duration) (*Token, string, error) {
	secret, err := randomSecret(32)
	if err != nil {
		return nil, "", err
	}
	plain := TokenPrefix + secret
	t, err := scanToken(s.pool.QueryRow(ctx, `INSERT INTO api_token (account_id, name, token_hash, expires_at)
		VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING `+tokenColumns,
		accountID, name, hashSecret(plain), ttl.Seconds()))
	if err != nil {
		return nil, "", fmt.Errorf("while creating a token: %w", err)
	}
	return t, plain, nil
}

// TokenBySecret returns the live token (not revoked, not expired, of an
// enabled account) with this secret, or ErrNotFound. It records the use at
// most once a minute, so that a busy client does not write on every request.
func (s *Store) TokenBySecret(ctx context.Context, plain string) (*Token, error) {
	if !strings.HasPrefix(plain, TokenPrefix) {
		return nil, ErrNotFound
	}
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT t.id, t.account_id, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
		FROM api_token t JOIN account a ON a.id = t.account_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled`, hashSecret(plain)))
	if err != nil {
		return nil, err
	}
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > tokenUseResolution {
		if _, err := s.pool.Exec(ctx, `UPDATE api_token SET last_used_at = now() WHERE id = $1`, t.ID); err != nil {
			return nil, fmt.Errorf("while recording a token's use: %w", err)
		}
	}
	return t, nil
}

// tokenUseResolution is how precisely a token's last use is recorded.
const tokenUseResolution = time.Minute

// ListTokens returns an account's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, accountID int64) ([]*Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_token WHERE account_id = $1 ORDER BY id DESC`, accountID)
	if err != nil {
		return nil, fmt.Errorf("while listing tokens: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Token, error) { return scanToken(r) })
}

// TokenByID returns one token.
func (s *Store) TokenByID(ctx context.Context, id int64) (*Token, error) {
	return scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_token WHERE id = $1`, id))
}

// RevokeToken revokes a token; revoking twice keeps the first time.
func (s *Store) RevokeToken(ctx context.Context, id int64) (*Token, error) {
	return scanToken(s.pool.QueryRow(ctx, `UPDATE api_token SET revoked_at = coalesce(revoked_at, now())
		WHERE id = $1 RETURNING `+tokenColumns, id))
}
