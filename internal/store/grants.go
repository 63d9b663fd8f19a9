package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/authz"
)

// Grant is a role held by an account in a domain.
type Grant struct {
	ID        int64      `json:"id"`
	AccountID int64      `json:"accountId"`
	Username  string     `json:"username"`
	Role      authz.Role `json:"role"`
	Domain    string     `json:"domain"`
	CreatedAt time.Time  `json:"createdAt"`
}

const grantColumns = `g.id, g.account_id, a.username, g.role, g.domain, g.created_at`

func scanGrant(row pgx.Row) (*Grant, error) {
	g := &Grant{}
	err := row.Scan(&g.ID, &g.AccountID, &g.Username, &g.Role, &g.Domain, &g.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return g, err
}

// ActiveGrants returns every grant of every enabled account: what the
// authoriser holds.
func (s *Store) ActiveGrants(ctx context.Context) ([]authz.Grant, error) {
	rows, err := s.pool.Query(ctx, `SELECT g.account_id, g.role, g.domain FROM role_grant g
		JOIN account a ON a.id = g.account_id WHERE NOT a.disabled`)
	if err != nil {
		return nil, fmt.Errorf("while loading grants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (authz.Grant, error) {
		var g authz.Grant
		err := r.Scan(&g.AccountID, &g.Role, &g.Domain)
		return g, err
	})
}

// ListGrants returns grants ordered by id after the cursor id, optionally of
// one account.
func (s *Store) ListGrants(ctx context.Context, accountID int64, after int64, limit int) ([]*Grant, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+grantColumns+` FROM role_grant g JOIN account a ON a.id = g.account_id
		WHERE ($1 = 0 OR g.account_id = $1) AND g.id > $2 ORDER BY g.id LIMIT $3`, accountID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("while listing grants: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*Grant, error) { return scanGrant(r) })
}

// CreateGrant gives an account a role in a domain.
func (s *Store) CreateGrant(ctx context.Context, accountID int64, role authz.Role, domain string, by int64) (*Grant, error) {
	g, err := scanGrant(s.pool.QueryRow(ctx, `WITH g AS (
			INSERT INTO role_grant (account_id, role, domain, created_by) VALUES ($1, $2, $3, nullif($4, 0))
			RETURNING *)
		SELECT `+grantColumns+` FROM g JOIN account a ON a.id = g.account_id`, accountID, role, domain, by))
	if isUniqueViolation(err) {
		return nil, ErrConflict
	}
	if err != nil {
		return nil, fmt.Errorf("while creating a grant: %w", err)
	}
	return g, nil
}

// GrantByID returns one grant.
func (s *Store) GrantByID(ctx context.Context, id int64) (*Grant, error) {
	return scanGrant(s.pool.QueryRow(ctx, `SELECT `+grantColumns+` FROM role_grant g JOIN account a ON a.id = g.account_id WHERE g.id = $1`, id))
}

// DeleteGrant removes a grant.
func (s *Store) DeleteGrant(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM role_grant WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("while deleting grant %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
