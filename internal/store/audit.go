package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/dbfault"
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
	// EntryID is the entry's own id, given when it is made: written twice
	// (a shipment repeated after a failure), it is kept once.
	EntryID string `json:"entryId,omitempty"`
}

// AppendAudit writes one audit entry, trying again (a bounded number of
// times) when the connection was lost or the server could not be reached:
// an entry with an EntryID is written once however many tries reach the
// server.
func (s *Store) AppendAudit(ctx context.Context, e *AuditEntry) error {
	return s.AppendAudits(ctx, e)
}

// appendAuditSQL writes one entry; an entry already written (by its
// EntryID) is left as it is.
const appendAuditSQL = `INSERT INTO audit_log
	(at, request_id, account_id, username, roles, tenant, kelurahan, action, object, outcome, purpose, client_ip, entry_id)
	VALUES ($1, $2, $3, nullif($4, ''), $5, nullif($6, ''), nullif($7, ''), $8, $9, $10, nullif($11, ''), nullif($12, ''), nullif($13, ''))
	ON CONFLICT (entry_id) DO NOTHING`

// AppendAudits writes entries in one round trip and one transaction (all or
// none), retried as AppendAudit is.
func (s *Store) AppendAudits(ctx context.Context, entries ...*AuditEntry) error {
	now := time.Now()
	err := dbfault.Retry(ctx, 3, dbfault.Retryable, func() error {
		if len(entries) == 1 {
			_, err := s.pool.Exec(ctx, appendAuditSQL, auditArgs(entries[0], now)...)
			return err
		}
		// A batch's statements share one implicit transaction.
		b := &pgx.Batch{}
		for _, e := range entries {
			b.Queue(appendAuditSQL, auditArgs(e, now)...)
		}
		return s.pool.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("while writing the audit log: %w", err)
	}
	return nil
}

func auditArgs(e *AuditEntry, now time.Time) []any {
	at := e.At
	if at.IsZero() {
		at = now
	}
	return []any{at, e.RequestID, e.AccountID, e.Username, e.Roles, e.Tenant, e.Kelurahan, e.Action, e.Object, e.Outcome,
		e.Purpose, e.ClientIP, e.EntryID}
}

// AuditFilter narrows an audit query; zero fields do not filter.
type AuditFilter struct {
	Username string
	Tenant   string
	Action   string
	// ActionHas narrows to actions containing it (a word of the route,
	// such as penduduk or admin).
	ActionHas string
	Outcome   string
	From, To  time.Time
	// Before is the cursor: entries with a smaller id (newest first).
	Before int64
	Limit  int
}

// QueryAudit returns entries newest first.
func (s *Store) QueryAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log
		WHERE ($1 = '' OR username = $1) AND ($2 = '' OR tenant = $2) AND ($3 = '' OR action = $3)
		  AND ($4 = '' OR outcome = $4) AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at < $6)
		  AND ($7 = 0 OR id < $7) AND ($9 = '' OR strpos(action, $9) > 0)
		ORDER BY id DESC LIMIT $8`,
		f.Username, f.Tenant, f.Action, f.Outcome, nullTime(f.From), nullTime(f.To), f.Before, f.Limit, f.ActionHas)
	if err != nil {
		return nil, fmt.Errorf("while querying the audit log: %w", err)
	}
	return collectAudit(rows)
}

const auditColumns = `id, at, request_id, account_id, coalesce(username, ''), roles,
	coalesce(tenant, ''), coalesce(kelurahan, ''), action, object, outcome, coalesce(purpose, ''), coalesce(client_ip, '')`

func collectAudit(rows pgx.Rows) ([]*AuditEntry, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*AuditEntry, error) {
		e := &AuditEntry{}
		err := r.Scan(&e.ID, &e.At, &e.RequestID, &e.AccountID, &e.Username, &e.Roles, &e.Tenant, &e.Kelurahan,
			&e.Action, &e.Object, &e.Outcome, &e.Purpose, &e.ClientIP)
		return e, err
	})
}

// Records names a kecamatan's records of one resident: what a read of
// the resident's data is a read of.
type Records struct {
	Tenant     string  `json:"kecamatan"`
	Persons    []int64 `json:"persons"`
	Households []int64 `json:"households"`
	Complaints []int64 `json:"complaints"`
	Referrals  []int64 `json:"referrals"`
}

// ReadsOf returns the successful reads and changes of records, newest
// first, at most limit: requests whose route names one of them by its id
// (a person, a household, a case file, a referral, its letter, an agency's
// view of it), in the kecamatan that holds them.
func (s *Store) ReadsOf(ctx context.Context, recs []Records, limit int) ([]*AuditEntry, error) {
	// The records go as one JSON document, a row per kecamatan: pgx sends
	// no ragged arrays of arrays. Each entry's {id} is read once.
	doc, err := json.Marshal(recs)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+auditColumns+` FROM audit_log a
		JOIN jsonb_to_recordset($1::jsonb) AS r(kecamatan text, persons jsonb, households jsonb, complaints jsonb, referrals jsonb)
			ON a.tenant = r.kecamatan
		CROSS JOIN LATERAL (SELECT to_jsonb(substring(a.object FROM '(?:^|,)id=([0-9]+)')::bigint) AS record_id) o
		WHERE a.outcome = 'success' AND (
			(a.action ~ '/penduduk/\{id\}' AND r.persons @> o.record_id)
			OR (a.action ~ '/keluarga/\{id\}' AND r.households @> o.record_id)
			OR (a.action ~ '/keluhan/\{id\}' AND r.complaints @> o.record_id)
			OR (a.action ~ '/rujukan/(\{code\}/)?\{id\}' AND r.referrals @> o.record_id))
		ORDER BY a.id DESC LIMIT $2`, doc, limit)
	if err != nil {
		return nil, fmt.Errorf("while finding the reads of a resident's records: %w", err)
	}
	return collectAudit(rows)
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
