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
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/tenant"
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
}

// New makes the application layer.
func New(st *store.Store, az *authz.Authorizer, tenants *tenant.Registry, kube client.Client, nikHasher *nik.Hasher) *App {
	return &App{store: st, authz: az, tenants: tenants, kube: kube, nikHasher: nikHasher, metrics: newInstruments()}
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
)

// conn is a connection to a tenant database.
type conn = *pgxpool.Conn

// read runs fn on a connection to the caller's tenant database. When the
// connection turns out dead (the server restarted or failed over), the
// tenant's pool drops its other connections and fn, which writes nothing,
// runs once more on a fresh one.
func (a *App) read(ctx context.Context, c *Caller, fn func(conn) error) error {
	return a.onTenant(ctx, c, true, fn)
}

// write runs change in a transaction on the caller's tenant database. A
// transaction whose connection died is not run again: whether it committed
// is unknown, so the caller is told to try again (creates carry
// idempotency keys for that).
func (a *App) write(ctx context.Context, c *Caller, change func(pgx.Tx) error) error {
	return a.onTenant(ctx, c, false, func(cn conn) error { return pgx.BeginFunc(ctx, cn, change) })
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
func (a *App) writeThenRead(ctx context.Context, c *Caller, change func(pgx.Tx) error, read func(conn) error) error {
	return a.onTenant(ctx, c, false, func(cn conn) error {
		if err := pgx.BeginFunc(ctx, cn, change); err != nil {
			return err
		}
		return read(cn)
	})
}

func (a *App) onTenant(ctx context.Context, c *Caller, retry bool, fn func(conn) error) error {
	for attempt := 1; ; attempt++ {
		cn, err := a.tenants.Acquire(ctx, c.Tenant)
		if err != nil {
			if errors.Is(err, tenant.ErrBudgetExhausted) {
				return err
			}
			return errors.Join(ErrTenantUnreachable, err)
		}
		err = fn(cn)
		cn.Release()
		switch {
		case err == nil || !pgadmin.IsUnreachable(err):
			return err
		case ctx.Err() == nil: // the connection died, not the call
			a.tenants.Reset(c.Tenant)
			if retry && attempt == 1 {
				continue
			}
		}
		return errors.Join(ErrTenantWentAway, err)
	}
}
