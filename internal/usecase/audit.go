package usecase

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/slrt-id/slrt/internal/auditlog"
	"github.com/slrt-id/slrt/internal/store"
)

// shipBatch is how many outbox entries one shipment moves.
const shipBatch = 500

// StageAudit keeps e in the outbox of the caller's kecamatan database, for
// an entry the control database could not take: it is shipped when the
// control database is back.
func (a *App) StageAudit(ctx context.Context, c *Caller, e *store.AuditEntry) error {
	err := a.onTenant(ctx, c, func(cn conn) error { return auditlog.Put(ctx, cn, e) })
	if err == nil {
		a.outbox.mark(c.Kecamatan())
	}
	return err
}

// ShipAudit moves e, which a request staged in kecamatan code's outbox,
// into the audit log now; one that cannot move waits for
// RunAuditShipper.
func (a *App) ShipAudit(ctx context.Context, code string, e *store.AuditEntry) {
	err := a.store.AppendAudit(ctx, e)
	if err == nil {
		err = a.onCode(ctx, code, func(cn conn) error { return auditlog.Remove(ctx, cn, e.EntryID) })
	}
	if err != nil {
		a.outbox.mark(code)
		slog.WarnContext(ctx, "audit entry kept in the kecamatan's outbox until the control database takes it",
			"tenant", code, "error", err)
	}
}

// ship empties kecamatan code's outbox into the audit log.
func (a *App) ship(ctx context.Context, code string) error {
	return a.onCode(ctx, code, func(cn conn) error {
		for {
			n, err := auditlog.Ship(ctx, cn, a.store, shipBatch)
			if err != nil || n < shipBatch {
				return err
			}
		}
	})
}

// onCode runs fn on a connection to kecamatan code's database.
func (a *App) onCode(ctx context.Context, code string, fn func(conn) error) error {
	t, err := a.tenants.Lookup(ctx, code)
	if err != nil {
		return err
	}
	cn, err := a.tenants.Acquire(ctx, t)
	if err != nil {
		return err
	}
	defer cn.Release()
	return fn(cn)
}

// RunAuditShipper empties the outboxes of kecamatan whose entries did not
// reach the audit log at once, every interval, and those of every open
// pool every sweep (entries a replica staged before it stopped) until ctx
// ends.
func (a *App) RunAuditShipper(ctx context.Context, every, sweep time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	lastSweep := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if time.Since(lastSweep) >= sweep {
			for code := range a.tenants.Stats() {
				a.outbox.mark(code)
			}
			lastSweep = time.Now()
		}
		for _, code := range a.outbox.take() {
			if err := a.ship(ctx, code); err != nil && ctx.Err() == nil {
				a.outbox.mark(code)
				slog.WarnContext(ctx, "audit outbox not shipped; trying again", "tenant", code, "error", err)
			}
		}
	}
}

// waiting is the set of kecamatan whose outbox may hold entries.
type waiting struct {
	mu    sync.Mutex
	codes map[string]struct{}
}

func (w *waiting) mark(code string) {
	w.mu.Lock()
	if w.codes == nil {
		w.codes = map[string]struct{}{}
	}
	w.codes[code] = struct{}{}
	w.mu.Unlock()
}

func (w *waiting) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.codes))
	for code := range w.codes {
		out = append(out, code)
	}
	clear(w.codes)
	return out
}
