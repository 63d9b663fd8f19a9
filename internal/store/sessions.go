package store

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Session is a browser session.
type Session struct {
	ID        string
	AccountID int64
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession starts a session for the account and returns it with the
// cookie value (id.secret); only the secret's hash is stored.
func (s *Store) CreateSession(ctx context.Context, accountID int64, ttl time.Duration) (*Session, string, error) {
	id, err := randomSecret(16)
	if err != nil {
		return nil, "", err
	}
	secret, err := randomSecret(32)
	if err != nil {
		return nil, "", err
	}
	csrf, err := randomSecret(32)
	if err != nil {
		return nil, "", err
	}
	sess := &Session{ID: id, AccountID: accountID, CSRFToken: csrf, ExpiresAt: time.Now().Add(ttl)}
	_, err = s.pool.Exec(ctx, `INSERT INTO session (id, secret_hash, account_id, csrf_token, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, id, hashSecret(secret), accountID, csrf, sess.ExpiresAt)
	if err != nil {
		return nil, "", fmt.Errorf("while creating a session: %w", err)
	}
	return sess, id + "." + secret, nil
}

// SessionByCookie returns the live session a cookie value names, of an
// enabled account, or ErrNotFound.
func (s *Store) SessionByCookie(ctx context.Context, cookie string) (*Session, error) {
	id, secret, ok := strings.Cut(cookie, ".")
	if !ok || id == "" || secret == "" {
		return nil, ErrNotFound
	}
	sess := &Session{ID: id}
	var storedHash []byte
	err := s.pool.QueryRow(ctx, `SELECT s.secret_hash, s.account_id, s.csrf_token, s.expires_at FROM session s
		JOIN account a ON a.id = s.account_id
		WHERE s.id = $1 AND s.expires_at > now() AND NOT a.disabled`, id).
		Scan(&storedHash, &sess.AccountID, &sess.CSRFToken, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("while reading a session: %w", err)
	}
	if subtle.ConstantTimeCompare(storedHash, hashSecret(secret)) != 1 {
		return nil, ErrNotFound
	}
	return sess, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM session WHERE id = $1`, id); err != nil {
		return fmt.Errorf("while ending a session: %w", err)
	}
	return nil
}
