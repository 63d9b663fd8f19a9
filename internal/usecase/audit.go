package usecase

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"

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
// RunAuditShipper. While the shipper runs, entries of requests finishing
// together go in one shipment (one round trip to the control database, one
// per kecamatan to empty the outboxes); the request waits for it, so that
// its entry is in the audit log when it is answered.
func (a *App) ShipAudit(ctx context.Context, code string, e *store.AuditEntry) {
	if a.shipments.running.Load() {
		s := shipment{code: code, entry: e, done: make(chan error, 1)}
		select {
		case a.shipments.queue <- s:
			select {
			case err := <-s.done:
				a.shipped(ctx, err, code)
			case <-ctx.Done(): // the entry is safe in the outbox
			}
			return
		default: // a full queue: ship it here
		}
	}
	a.shipped(ctx, a.shipNow(ctx, []shipment{{code: code, entry: e}}), code)
}

// shipped notes a shipment that failed: the entry waits in kecamatan
// code's outbox.
func (a *App) shipped(ctx context.Context, err error, code string) {
	if err == nil {
		return
	}
	a.outbox.mark(code)
	slog.WarnContext(ctx, "audit entry kept in the kecamatan's outbox until the control database takes it",
		"tenant", code, "error", err)
}

// shipment is one request's entry on its way from its kecamatan's outbox
// to the audit log.
type shipment struct {
	code  string
	entry *store.AuditEntry
	done  chan error
}

// shipments are the entries waiting for the group shipper.
type shipments struct {
	running atomic.Bool
	queue   chan shipment
}

// groupShipment bounds how many requests' entries one shipment carries.
const groupShipment = 256

// runGroupShipper ships the entries requests hand it, as many as are
// waiting at a time, until ctx ends.
func (a *App) runGroupShipper(ctx context.Context) {
	a.shipments.running.Store(true)
	defer func() {
		// Requests still waiting are told at once: their entries stay in
		// the outboxes for the next replica's sweep.
		a.shipments.running.Store(false)
		for {
			select {
			case s := <-a.shipments.queue:
				s.done <- ctx.Err()
			default:
				return
			}
		}
	}()
	for {
		var group []shipment
		select {
		case <-ctx.Done():
			return
		case s := <-a.shipments.queue:
			group = append(group, s)
		}
	drain:
		for len(group) < groupShipment {
			select {
			case s := <-a.shipments.queue:
				group = append(group, s)
			default:
				break drain
			}
		}
		err := a.shipNow(ctx, group)
		for _, s := range group {
			s.done <- err
		}
	}
}

// shipNow writes the group's entries to the audit log in one transaction,
// then removes them from each kecamatan's outbox.
func (a *App) shipNow(ctx context.Context, group []shipment) error {
	entries := make([]*store.AuditEntry, len(group))
	byCode := map[string][]string{}
	for i, s := range group {
		entries[i] = s.entry
		byCode[s.code] = append(byCode[s.code], s.entry.EntryID)
	}
	if err := a.store.AppendAudits(ctx, entries...); err != nil {
		return err
	}
	var errs []error
	for code, ids := range byCode {
		if err := a.onCode(ctx, code, func(cn conn) error { return auditlog.Remove(ctx, cn, ids...) }); err != nil {
			// In the audit log already: the outbox's copy is shipped again
			// later and kept once (entry_id).
			a.outbox.mark(code)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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
	go a.runGroupShipper(ctx)
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

// RegisterAuditMetrics registers the audit outbox's gauge; call it once
// per process, beside RunAuditShipper.
func (a *App) RegisterAuditMetrics() error { return a.outbox.register() }

// register reports how many kecamatan may hold audit entries not yet in
// the audit log: above zero for long, shipping is stuck (the control
// database away, or a kecamatan's database), which the shipper's warnings
// name.
func (w *waiting) register() error {
	_, err := otel.Meter(instrumentationName).Int64ObservableGauge("slrt.audit.outbox.tenants",
		metric.WithDescription("Kecamatan whose audit outbox may hold entries not yet shipped to the audit log."),
		metric.WithUnit("{kecamatan}"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			o.Observe(int64(len(w.codes)))
			return nil
		}))
	return err
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
