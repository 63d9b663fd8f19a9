// Package auditlog keeps the audit log whole when a database falters. A
// request's entry is made before its work; a write stages it in the
// outbox of the kecamatan's database inside the write's own transaction,
// so that the entry commits with the write or neither does, and it is
// shipped to the control database's audit_log afterwards (at once, and
// again by a background pass until it arrives). Every entry has an id of
// its own, so a shipment repeated after a failure writes it once.
package auditlog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/store"
)

// Pending is a request's audit entry on its way.
type Pending struct {
	entry store.AuditEntry

	mu     sync.Mutex
	staged string // the kecamatan whose outbox holds the entry
}

// New makes the pending entry of a request, with its id and time.
func New(e store.AuditEntry) *Pending {
	if e.EntryID == "" {
		e.EntryID = NewID()
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	return &Pending{entry: e}
}

// NewID returns a random entry id.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

type pendingKey struct{}

// With carries p in ctx, for the write that will stage it.
func With(ctx context.Context, p *Pending) context.Context {
	return context.WithValue(ctx, pendingKey{}, p)
}

// From returns the pending entry ctx carries, or nil; a nil Pending's
// methods do nothing.
func From(ctx context.Context) *Pending {
	p, _ := ctx.Value(pendingKey{}).(*Pending)
	return p
}

// Entry returns the entry with the outcome given.
func (p *Pending) Entry(outcome string) *store.AuditEntry {
	e := p.entry
	e.Outcome = outcome
	return &e
}

// Stage writes the entry, as a success, into the outbox through tx, once
// per request: a second write of the same request stages nothing more.
func (p *Pending) Stage(ctx context.Context, tx pgx.Tx) error {
	if p == nil || p.StagedIn() != "" {
		return nil
	}
	return Put(ctx, tx, p.Entry("success"))
}

// Staged records that the transaction that staged the entry committed in
// the kecamatan's database.
func (p *Pending) Staged(kecamatan string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.staged == "" {
		p.staged = kecamatan
	}
	p.mu.Unlock()
}

// StagedIn is the kecamatan whose outbox holds the entry, or "".
func (p *Pending) StagedIn() string {
	if p == nil {
		return ""
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.staged
}

// DB runs statements: a connection or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Put writes e into the outbox of the database db is connected to.
func Put(ctx context.Context, db DB, e *store.AuditEntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, `INSERT INTO audit_outbox (entry_id, entry) VALUES ($1, $2)
		ON CONFLICT (entry_id) DO NOTHING`, e.EntryID, data); err != nil {
		return fmt.Errorf("while staging an audit entry: %w", err)
	}
	return nil
}

// Remove takes entries the audit log has out of the outbox db holds.
func Remove(ctx context.Context, db DB, ids ...string) error {
	if _, err := db.Exec(ctx, `DELETE FROM audit_outbox WHERE entry_id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("while emptying the audit outbox: %w", err)
	}
	return nil
}

// Ship moves up to limit entries from the outbox db holds into the
// control database's audit log, oldest first, in one transaction there,
// and returns how many it moved. Entries are removed from the outbox only
// once the audit log has them.
func Ship(ctx context.Context, db DB, st *store.Store, limit int) (int, error) {
	rows, err := db.Query(ctx, `SELECT entry FROM audit_outbox ORDER BY created_at LIMIT $1`, limit)
	if err != nil {
		return 0, fmt.Errorf("while reading the audit outbox: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*store.AuditEntry, error) {
		e := &store.AuditEntry{}
		var data []byte
		if err := r.Scan(&data); err != nil {
			return nil, err
		}
		return e, json.Unmarshal(data, e)
	})
	if err != nil {
		return 0, fmt.Errorf("while reading the audit outbox: %w", err)
	}
	if len(entries) == 0 {
		return 0, nil
	}
	// All or none: what fails stays for the next pass, and an entry the
	// audit log has already is kept once (entry_id).
	if err := st.AppendAudits(ctx, entries...); err != nil {
		return 0, err
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.EntryID
	}
	if err := Remove(ctx, db, ids...); err != nil {
		return 0, err
	}
	return len(entries), nil
}
