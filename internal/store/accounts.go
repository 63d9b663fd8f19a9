package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Account is a staff account. The password hash never leaves the store
// except to the login check.
type Account struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"displayName"`
	Disabled    bool       `json:"disabled"`
	LockedUntil *time.Time `json:"lockedUntil,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	// MustChangePassword says the password is a one-time one city IT
	// generated: its holder may only set their own.
	MustChangePassword bool `json:"mustChangePassword"`
	// OIDCSubject links the account to a person at the city's identity
	// provider (OIDCIssuer): who signs in there as this subject is this
	// account. City IT sets it; a sign-in never creates or links one.
	OIDCIssuer   string `json:"oidcIssuer,omitempty"`
	OIDCSubject  string `json:"oidcSubject,omitempty"`
	passwordHash string
}

// PasswordHash returns the stored argon2id hash, empty when the account has
// no local password.
func (a *Account) PasswordHash() string { return a.passwordHash }

const accountColumns = `id, username, display_name, disabled, locked_until, created_at, must_change_password,
	coalesce(oidc_issuer, ''), coalesce(oidc_subject, ''), coalesce(password_hash, '')`

func scanAccount(row pgx.Row) (*Account, error) {
	a := &Account{}
	err := row.Scan(&a.ID, &a.Username, &a.DisplayName, &a.Disabled, &a.LockedUntil, &a.CreatedAt, &a.MustChangePassword, &a.OIDCIssuer, &a.OIDCSubject, &a.passwordHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return a, err
}

// CreateAccount adds an account; passwordHash may be empty.
func (s *Store) CreateAccount(ctx context.Context, username, displayName, passwordHash string) (*Account, error) {
	return s.createAccount(ctx, username, displayName, passwordHash, false)
}

// CreateAccountOneTime adds an account whose password is a one-time one.
func (s *Store) CreateAccountOneTime(ctx context.Context, username, displayName, passwordHash string) (*Account, error) {
	return s.createAccount(ctx, username, displayName, passwordHash, true)
}

// CreateAccountLinked adds an account with no password, linked to a
// subject of an identity provider: its holder signs in only there.
func (s *Store) CreateAccountLinked(ctx context.Context, username, displayName, issuer, subject string) (*Account, error) {
	row := s.pool.QueryRow(ctx, `INSERT INTO account (username, display_name, oidc_issuer, oidc_subject)
		VALUES ($1, $2, $3, $4) RETURNING `+accountColumns, username, displayName, issuer, subject)
	a, err := scanAccount(row)
	if constraint, ok := uniqueViolation(err); ok && strings.Contains(constraint, "oidc") {
		return nil, ErrOIDCSubjectTaken
	}
	return s.created(a, err, username)
}

func (s *Store) createAccount(ctx context.Context, username, displayName, passwordHash string, oneTime bool) (*Account, error) {
	row := s.pool.QueryRow(ctx, `INSERT INTO account (username, display_name, password_hash, must_change_password)
		VALUES ($1, $2, nullif($3, ''), $4) RETURNING `+accountColumns, username, displayName, passwordHash, oneTime)
	a, err := scanAccount(row)
	return s.created(a, err, username)
}

// created is an INSERT's outcome: a taken username is ErrConflict.
func (s *Store) created(a *Account, err error, username string) (*Account, error) {
	if isUniqueViolation(err) {
		return nil, ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("while creating account %s: %w", username, err)
	}
	return a, nil
}

// AccountByUsername looks an account up by username.
func (s *Store) AccountByUsername(ctx context.Context, username string) (*Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM account WHERE username = $1`, username))
}

// AccountByID looks an account up by id.
func (s *Store) AccountByID(ctx context.Context, id int64) (*Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM account WHERE id = $1`, id))
}

// ListAccounts returns up to limit accounts ordered by username, after the
// cursor username (empty for the first page).
func (s *Store) ListAccounts(ctx context.Context, after string, limit int) ([]*Account, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+accountColumns+` FROM account WHERE username > $1 ORDER BY username LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("while listing accounts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Account, error) { return scanAccount(r) })
}

// UpdateAccount changes the display name and the disabled flag.
func (s *Store) UpdateAccount(ctx context.Context, id int64, displayName string, disabled bool) (*Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, `UPDATE account SET display_name = $2, disabled = $3
		WHERE id = $1 RETURNING `+accountColumns, id, displayName, disabled))
}

// AccountByOIDC finds the account linked to a subject of an identity
// provider.
func (s *Store) AccountByOIDC(ctx context.Context, issuer, subject string) (*Account, error) {
	return scanAccount(s.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM account WHERE oidc_issuer = $1 AND oidc_subject = $2`, issuer, subject))
}

// ErrOIDCSubjectTaken is a link to a subject another account already has.
var ErrOIDCSubjectTaken = errors.New("another account is linked to this subject")

// LinkOIDC links an account to a subject of an identity provider; an empty
// subject unlinks it.
func (s *Store) LinkOIDC(ctx context.Context, id int64, issuer, subject string) error {
	var err error
	if subject == "" {
		_, err = s.pool.Exec(ctx, `UPDATE account SET oidc_issuer = NULL, oidc_subject = NULL WHERE id = $1`, id)
	} else {
		_, err = s.pool.Exec(ctx, `UPDATE account SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1`, id, issuer, subject)
	}
	if isUniqueViolation(err) {
		return ErrOIDCSubjectTaken
	}
	if err != nil {
		return fmt.Errorf("while linking an account to its identity provider: %w", err)
	}
	return nil
}

// SetPasswordHash replaces the account's password and clears its lockout;
// oneTime says it is a one-time password its holder must change.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string, oneTime bool) error {
	tag, err := s.pool.Exec(ctx, `UPDATE account SET password_hash = $2, must_change_password = $3, failed_logins = 0, locked_until = NULL
		WHERE id = $1`, id, hash, oneTime)
	if err != nil {
		return fmt.Errorf("while setting a password: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Rehash replaces an account's password hash with another of the same
// password (newer parameters), unless the hash changed since it was read:
// a password set meanwhile stays.
func (s *Store) Rehash(ctx context.Context, id int64, old, hash string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE account SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, id, old, hash); err != nil {
		return fmt.Errorf("while hashing a password again: %w", err)
	}
	return nil
}

// RecordLoginFailure counts a failed login and locks the account for lockFor
// once it reaches maxFailures in a row. It returns when the lock ends, if any.
func (s *Store) RecordLoginFailure(ctx context.Context, id int64, maxFailures int, lockFor time.Duration) (*time.Time, error) {
	var until *time.Time
	err := s.pool.QueryRow(ctx, `UPDATE account SET
			failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
		WHERE id = $1 RETURNING locked_until`, id, maxFailures, lockFor.Seconds()).Scan(&until)
	if err != nil {
		return nil, fmt.Errorf("while recording a failed login: %w", err)
	}
	return until, nil
}

// RecordLoginSuccess resets the failure count.
func (s *Store) RecordLoginSuccess(ctx context.Context, id int64) error {
	if _, err := s.pool.Exec(ctx, `UPDATE account SET failed_logins = 0, locked_until = NULL WHERE id = $1`, id); err != nil {
		return fmt.Errorf("while recording a login: %w", err)
	}
	return nil
}
