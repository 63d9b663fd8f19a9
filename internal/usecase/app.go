// Package usecase is the application layer: one exported method per thing a
// user of SLRT does (register a household, record a complaint, draft or move
// a referral, read an agency's inbox, report, import, ...). The web app and
// the JSON API both call it; neither holds a business rule of its own.
//
// A use case takes the context, the Caller (who acts, in which kecamatan
// and kelurahan, when) and a typed input, and returns a typed answer or an
// error; it never sees an HTTP request. It owns the transactions, the
// idempotency keys and the fan-out across tenants. SQL stays in the
// domain packages (casework, registry, registryload) and in store.
package usecase

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/auditlog"
	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/dbfault"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/transfer"
	"github.com/slrt-id/slrt/internal/workdays"
)

// instrumentationName names the application layer's tracer and meter.
const instrumentationName = "github.com/slrt-id/slrt/internal/usecase"

var tracer = otel.Tracer(instrumentationName)

// App holds what the use cases need: the control database, the grants,
// the tenant databases and the NIK index's key.
type App struct {
	store     *store.Store
	authz     *authz.Authorizer
	tenants   *tenant.Registry
	kube      client.Client // creates and patches Kecamatan resources
	nikHasher *nik.Hasher
	metrics   *instruments
	gauges    referralGauges
	outbox    waiting // kecamatan whose audit outbox may hold entries
	shipments shipments
	// credentialsChanged is called after credentials change here.
	credentialsChanged func()
	jobs               *jobs
	// OIDCIssuer is the city's identity provider, which accounts are
	// linked under; empty when staff sign in with passwords only.
	OIDCIssuer string
	// AfterTransferStep, when set (by tests), runs after each step of a
	// transfer; an error stops the job there, as a crash would.
	AfterTransferStep func(id string, step transfer.Step) error
}

// New makes the application layer.
func New(st *store.Store, az *authz.Authorizer, tenants *tenant.Registry, kube client.Client, nikHasher *nik.Hasher) *App {
	a := &App{store: st, authz: az, tenants: tenants, kube: kube, nikHasher: nikHasher, metrics: newInstruments(),
		shipments: shipments{queue: make(chan shipment, 4*groupShipment)}}
	// A pool opening may find entries a stopped replica staged.
	tenants.OnOpen(a.outbox.mark)
	return a
}

// Caller is who acts, where and when, resolved once per request.
type Caller struct {
	Account  int64
	Username string
	// Tenant is the kecamatan acted in; nil outside one.
	Tenant *tenant.Tenant
	// Scope is the kelurahan of Tenant the caller may act in for what it
	// does; nil: the whole kecamatan.
	Scope []string
	// Now is when the request came.
	Now time.Time
}

// Kecamatan is the code of the kecamatan acted in, or "".
func (c *Caller) Kecamatan() string {
	if c.Tenant == nil {
		return ""
	}
	return c.Tenant.Code
}

// Today is the city's date of the call.
func (c *Caller) Today() time.Time { return workdays.Today(c.Now) }

// actor is the caller as case histories record it, with its roles.
func (a *App) actor(c *Caller) casework.Actor {
	return casework.Actor{ID: c.Account, Username: c.Username, Role: RolesString(a.authz.Grants(c.Account))}
}

// RolesString renders grants for histories and the audit log:
// role@domain, sorted.
func RolesString(grants []authz.Grant) string {
	parts := make([]string, 0, len(grants))
	for _, g := range grants {
		parts = append(parts, string(g.Role)+"@"+g.Domain)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

var (
	// ErrTenantUnreachable is a tenant database that cannot be connected
	// to; other kecamatan are not affected.
	ErrTenantUnreachable = errors.New("the kecamatan's database cannot be reached")
	// ErrTenantWentAway is a tenant connection that died during the call
	// (the server restarted or failed over): the call may be tried again.
	ErrTenantWentAway = errors.New("the kecamatan's database went away")
	// ErrTenantPaused is a write refused while the kecamatan's database
	// takes reads only, being moved to another server.
	ErrTenantPaused = errors.New("the kecamatan's database takes no changes while it is moved")
)

// conn is a connection to a tenant database.
type conn = *pgxpool.Conn

// attempts bounds the tries of a call to a tenant database that the server
// rolled back (a lost connection, a serialization failure, a deadlock).
const attempts = 3

// read runs fn on a connection to the caller's tenant database. When the
// connection turns out dead (the server restarted or failed over), the
// tenant's pool drops its other connections and fn, which writes nothing,
// runs again on a fresh one.
func (a *App) read(ctx context.Context, c *Caller, fn func(conn) error) error {
	return a.onTenant(ctx, c, fn)
}

// write runs change in a transaction on the caller's tenant database, with
// the request's audit entry. A transaction the server rolled back (the
// connection died before COMMIT, a serialization failure) runs again; one
// whose COMMIT got no answer is not, since whether it committed is unknown:
// the caller is told to try again (creates carry idempotency keys for that).
func (a *App) write(ctx context.Context, c *Caller, change func(pgx.Tx) error) error {
	return a.onTenant(ctx, c, func(cn conn) error { return a.inTx(ctx, c, cn, change) })
}

// writeOnce is write for a change that cannot run twice (it reads a
// stream): a try the server rolled back is not made again.
func (a *App) writeOnce(ctx context.Context, c *Caller, change func(pgx.Tx) error) error {
	return a.onTenant(ctx, c, func(cn conn) error { return settle(a.inTx(ctx, c, cn, change)) })
}

// readOne runs get on the caller's tenant database (as read does) and
// returns what it read.
func readOne[T any](ctx context.Context, a *App, c *Caller, get func(conn) (T, error)) (T, error) {
	var out T
	err := a.read(ctx, c, func(cn conn) (err error) {
		out, err = get(cn)
		return err
	})
	return out, err
}

// changeThenGet runs change in a transaction, then get after the commit,
// and returns what get read.
func changeThenGet[T any](ctx context.Context, a *App, c *Caller, change func(pgx.Tx) error, get func(conn) (T, error)) (T, error) {
	var out T
	err := a.writeThenRead(ctx, c, change, func(cn conn) (err error) {
		out, err = get(cn)
		return err
	})
	return out, err
}

// writeThenRead runs change in a transaction, then read after the commit.
// A read failing after the commit does not run the change again.
func (a *App) writeThenRead(ctx context.Context, c *Caller, change func(pgx.Tx) error, read func(conn) error) error {
	return a.onTenant(ctx, c, func(cn conn) error {
		if err := a.inTx(ctx, c, cn, change); err != nil {
			return err
		}
		return settle(read(cn))
	})
}

// inTx runs change in a transaction that also stages the request's audit
// entry in the tenant's outbox: the entry commits with the write or
// neither does.
func (a *App) inTx(ctx context.Context, c *Caller, cn conn, change func(pgx.Tx) error) error {
	pending := auditlog.From(ctx)
	tx, err := cn.Begin(ctx)
	if err != nil {
		return err
	}
	// Who changes the registry, for the history its triggers write.
	if err = registry.Attribute(ctx, tx, c.Account, c.Username); err == nil {
		err = change(tx)
	}
	if err == nil {
		err = pending.Stage(ctx, tx)
	}
	if err != nil {
		_ = tx.Rollback(ctx)
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		if dbfault.Classify(err) == dbfault.Conflict {
			return err // refused at COMMIT: rolled back for certain
		}
		// Committed or not, unknown: if the entry was, ship it soon.
		a.outbox.mark(c.Kecamatan())
		return settle(err)
	}
	pending.Staged(c.Kecamatan())
	return nil
}

// onTenant runs fn on a connection to the caller's tenant database, again
// (up to attempts, with a jittered pause) while it fails in a way the
// server rolled back, and turns what remains of a database's failure into
// ErrTenantUnreachable or ErrTenantWentAway.
func (a *App) onTenant(ctx context.Context, c *Caller, fn func(conn) error) error {
	err := dbfault.Retry(ctx, attempts, retryable, func() error {
		cn, err := a.tenants.Acquire(ctx, c.Tenant)
		if err != nil {
			return &acquireError{err}
		}
		// A lost connection has reset the pool (dbfault.PoolReset): a
		// try again gets a fresh one.
		defer cn.Release()
		return fn(cn)
	})
	var acq *acquireError
	var done *settled
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pgErr) && pgErr.Code == transfer.HeldCode:
		return errors.Join(transfer.ErrHeld, err)
	case errors.As(err, &acq) && errors.Is(err, tenant.ErrBudgetExhausted):
		return acq.err
	case errors.As(err, &acq) && dbfault.Classify(err).Transient():
		return errors.Join(ErrTenantUnreachable, acq.err)
	case dbfault.Classify(err) == dbfault.Paused:
		return errors.Join(ErrTenantPaused, err)
	case dbfault.Classify(err).Transient():
		return errors.Join(ErrTenantWentAway, err)
	case errors.As(err, &done):
		return done.err
	case errors.As(err, &acq):
		return acq.err
	}
	return err
}

// retryable says whether a try of onTenant may run again.
func retryable(err error) bool {
	var done *settled
	return !errors.As(err, &done) && dbfault.Retryable(err)
}

// acquireError is a failure to get a connection: nothing ran.
type acquireError struct{ err error }

func (e *acquireError) Error() string { return e.err.Error() }
func (e *acquireError) Unwrap() error { return e.err }

// settled marks a failure after a write committed, or at its COMMIT: the
// write must not run again.
type settled struct{ err error }

func (e *settled) Error() string { return e.err.Error() }
func (e *settled) Unwrap() error { return e.err }

func settle(err error) error {
	if err == nil {
		return nil
	}
	return &settled{err}
}
