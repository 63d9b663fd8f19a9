package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	RequestID string    `json:"requestId"`
	AccountID *int64    `json:"accountId,omitempty"`
	Username  string    `json:"username,omitempty"`
	Roles     string    `json:"roles"`
	Tenant    string    `json:"tenant,omitempty"`
	Kelurahan string    `json:"kelurahan,omitempty"`
	Action    string    `json:"action"`
	Object    string    `json:"object"`
	Outcome   string    `json:"outcome"`
	Purpose   string    `json:"purpose,omitempty"`
	ClientIP  string    `json:"clientIp,omitempty"`
}

// AppendAudit writes one audit entry.
func (s *Store) AppendAudit(ctx context.Context, e *AuditEntry) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log
		(request_id, account_id, username, roles, tenant, kelurahan, action, object, outcome, purpose, client_ip)
		VALUES ($1, $2, nullif($3, ''), $4, nullif($5, ''), nullif($6, ''), $7, $8, $9, nullif($10, ''), nullif($11, ''))`,
		e.RequestID, e.AccountID, e.Username, e.Roles, e.Tenant, e.Kelurahan, e.Action, e.Object, e.Outcome, e.Purpose, e.ClientIP)
	if err != nil {
		return fmt.Errorf("while writing the audit log: %w", err)
	}
	return nil
}

// AuditFilter narrows an audit query; zero fields do not filter.
type AuditFilter struct {
	Username string
	Tenant   string
	Action   string
	Outcome  string
	From, To time.Time
	// Before is the cursor: entries with a smaller id (newest first).
	Before int64
	Limit  int
}

// QueryAudit returns entries newest first.
func (s *Store) QueryAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, at, request_id, account_id, coalesce(username, ''), roles,
			coalesce(tenant, ''), coalesce(kelurahan, ''), action, object, outcome, coalesce(purpose, ''), coalesce(client_ip, '')
		FROM audit_log
		WHERE ($1 = '' OR username = $1) AND ($2 = '' OR tenant = $2) AND ($3 = '' OR action = $3)
		  AND ($4 = '' OR outcome = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
		  AND ($7 = 0 OR id < $7)
		ORDER BY id DESC LIMIT $8`,
		f.Username, f.Tenant, f.Action, f.Outcome, nullTime(f.From), nullTime(f.To), f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("while querying the audit log: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*AuditEntry, error) {
		e := &AuditEntry{}
		err := r.Scan(&e.ID, &e.At, &e.RequestID, &e.AccountID, &e.Username, &e.Roles, &e.Tenant, &e.Kelurahan,
			&e.Action, &e.Object, &e.Outcome, &e.Purpose, &e.ClientIP)
		return e, err
	})
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
