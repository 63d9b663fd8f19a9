// Package tenant routes a request to its kecamatan's database. It learns the
// tenants by watching Kecamatan resources (an informer cache, not a config
// file), reads each tenant's credentials Secret by name, and keeps a small
// connection pool per tenant: opened on first use, closed when idle, within a
// total connection budget, and following password rotations without a restart.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/dbfault"
	"github.com/slrt-id/slrt/internal/dbtrace"
	"github.com/slrt-id/slrt/internal/pgadmin"
)

// CodeIndex is the cache index of Kecamatan by spec.code.
const CodeIndex = "spec.code"

// Errors a request can meet on its way to a tenant.
var (
	ErrUnknown         = errors.New("no such kecamatan")
	ErrBudgetExhausted = errors.New("the connection budget across tenants is used up")
)

// NotServingError says why a known tenant cannot take requests now.
type NotServingError struct {
	Code      string
	Suspended bool
	Reason    string
	Message   string
}

func (e *NotServingError) Error() string {
	if e.Suspended {
		return fmt.Sprintf("kecamatan %s is suspended", e.Code)
	}
	return fmt.Sprintf("kecamatan %s is not ready (%s): %s", e.Code, e.Reason, e.Message)
}

// Tenant is a kecamatan as the API sees it.
type Tenant struct {
	Code        string
	DisplayName string
	Namespace   string
	Secret      string
}

// Options size the pools.
type Options struct {
	// Budget is the most connections all tenant pools together may hold.
	Budget int32
	// PerTenant is each tenant pool's size.
	PerTenant int32
	// IdleAfter closes a pool nobody used for that long.
	IdleAfter time.Duration
	// RefreshEvery is how often open pools look for credentials the
	// operator rotated (their Secret is read again only then).
	RefreshEvery time.Duration
	// QuerySpansFrom is how long a statement takes before it is a span of a
	// traced request (a failed one always is); zero: every statement.
	QuerySpansFrom time.Duration
}

// Registry finds tenants and their pools.
type Registry struct {
	kecamatan client.Reader // the informer cache of Kecamatan
	secrets   client.Reader // reads one Secret by name; never lists
	opts      Options

	mu      sync.Mutex
	pools   map[string]*entry
	onOpen  func(code string)
	lookups lookups
	servers *dbfault.ServerWatch
}

// Servers is the watch that reconnects the open pools when their server
// comes back from a restart; other pools (the control database's) may join it.
func (r *Registry) Servers() *dbfault.ServerWatch { return r.servers }

// OnOpen calls fn with a tenant's code each time its pool opens; set it
// before the first request.
func (r *Registry) OnOpen(fn func(code string)) { r.onOpen = fn }

type entry struct {
	ready    chan struct{} // closed once pool or err is set
	pool     *pgxpool.Pool
	err      error
	lastUsed atomic.Int64 // unix nanoseconds
	password atomic.Pointer[string]
	version  atomic.Pointer[string] // the Secret's resourceVersion
	// endpoint is where the pool connects (host, port, database, user): when
	// the Secret names another, the pool is replaced.
	endpoint string
	tenant   Tenant
}

// NewRegistry makes a registry reading Kecamatan from kecamatan (a cache
// indexed by CodeIndex) and Secrets from secrets.
func NewRegistry(kecamatan, secrets client.Reader, opts Options) *Registry {
	if opts.PerTenant <= 0 {
		opts.PerTenant = 4
	}
	if opts.Budget < opts.PerTenant {
		opts.Budget = opts.PerTenant
	}
	if opts.IdleAfter <= 0 {
		opts.IdleAfter = 5 * time.Minute
	}
	if opts.RefreshEvery <= 0 {
		opts.RefreshEvery = 30 * time.Second
	}
	return &Registry{kecamatan: kecamatan, secrets: secrets, opts: opts, pools: map[string]*entry{}, servers: dbfault.NewServerWatch()}
}

// IndexByCode returns the index function to register on the Kecamatan cache.
func IndexByCode(obj client.Object) []string {
	return []string{obj.(*slrtv1.Kecamatan).Spec.Code}
}

// Lookup returns the tenant with code when it can take requests; otherwise
// ErrUnknown or a *NotServingError.
func (r *Registry) Lookup(ctx context.Context, code string) (*Tenant, error) {
	v, gen, ok := r.lookups.get(code)
	if !ok {
		v.t, v.err = r.lookup(ctx, code)
		if v.err == nil || errors.Is(v.err, ErrUnknown) || errors.As(v.err, new(*NotServingError)) {
			r.lookups.put(code, gen, v)
		}
	}
	if v.err != nil {
		return nil, v.err
	}
	t := *v.t // the caller's own copy
	return &t, nil
}

func (r *Registry) lookup(ctx context.Context, code string) (*Tenant, error) {
	kec, err := r.find(ctx, code)
	if err != nil {
		return nil, err
	}
	if kec.Spec.Suspended {
		return nil, &NotServingError{Code: code, Suspended: true, Reason: "Suspended",
			Message: "This kecamatan is suspended by city IT."}
	}
	ready := meta.FindStatusCondition(kec.Status.Conditions, slrtv1.ConditionReady)
	if ready == nil || ready.Status != "True" {
		nse := &NotServingError{Code: code, Reason: "Provisioning", Message: "The kecamatan is being provisioned."}
		if ready != nil {
			nse.Reason, nse.Message = ready.Reason, ready.Message
		}
		return nil, nse
	}
	return &Tenant{Code: code, DisplayName: kec.Spec.DisplayName, Namespace: kec.Status.Namespace, Secret: kec.Status.CredentialsSecret}, nil
}

// Kecamatan returns (a copy of) the Kecamatan resource with code, whatever
// its state.
func (r *Registry) Kecamatan(ctx context.Context, code string) (*slrtv1.Kecamatan, error) {
	kec, err := r.find(ctx, code)
	if err != nil {
		return nil, err
	}
	return kec.DeepCopy(), nil
}

// find returns the cache's own Kecamatan with code: read it, never change it.
func (r *Registry) find(ctx context.Context, code string) (*slrtv1.Kecamatan, error) {
	var list slrtv1.KecamatanList
	// Read-only: the cache's own objects, not copies made per request.
	if err := r.kecamatan.List(ctx, &list, client.MatchingFields{CodeIndex: code}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("while looking up kecamatan %s: %w", code, err)
	}
	if len(list.Items) == 0 {
		return nil, ErrUnknown
	}
	// Two resources with one code: the operator serves the older one.
	sort.Slice(list.Items, func(i, j int) bool {
		return list.Items[i].CreationTimestamp.Before(&list.Items[j].CreationTimestamp)
	})
	return &list.Items[0], nil
}

// List returns every Kecamatan, ordered by code: the cache's own objects,
// to read and never change (a copy of thousands per call would be garbage
// by the megabyte on every city view and metrics scrape).
func (r *Registry) List(ctx context.Context) ([]slrtv1.Kecamatan, error) {
	var list slrtv1.KecamatanList
	if err := r.kecamatan.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("while listing kecamatan: %w", err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Spec.Code < list.Items[j].Spec.Code })
	return list.Items, nil
}

// Acquire returns a connection to the tenant's database; release it.
func (r *Registry) Acquire(ctx context.Context, t *Tenant) (*pgxpool.Conn, error) {
	e, err := r.entry(ctx, t)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	e.lastUsed.Store(start.UnixNano())
	conn, err := e.pool.Acquire(ctx)
	defer func() { acquired(ctx, t.Code, start, err) }()
	if err != nil && r.replaced(t.Code, e) {
		// The pool was closed (idle, or evicted for another tenant) between
		// finding it and acquiring from it: take the current one.
		if e, err = r.entry(ctx, t); err == nil {
			conn, err = e.pool.Acquire(ctx)
		}
	}
	if err != nil && e != nil && pgadmin.IsAuthFailure(err) {
		// The password was rotated since the last refresh: read it and retry.
		if rerr := r.refresh(ctx, e); rerr == nil {
			conn, err = e.pool.Acquire(ctx)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("while connecting to the database of kecamatan %s: %w", t.Code, err)
	}
	return conn, nil
}

// replaced reports whether e is no longer the tenant's pool entry.
func (r *Registry) replaced(code string, e *entry) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pools[code] != e
}

// entry returns the tenant's pool entry, opening the pool once however many
// requests ask at the same time.
func (r *Registry) entry(ctx context.Context, t *Tenant) (*entry, error) {
	r.mu.Lock()
	e, ok := r.pools[t.Code]
	if !ok {
		if err := r.makeRoomLocked(); err != nil {
			r.mu.Unlock()
			return nil, err
		}
		e = &entry{ready: make(chan struct{}), tenant: *t}
		r.pools[t.Code] = e
		r.mu.Unlock()
		e.pool, e.err = r.open(ctx, e)
		if e.err != nil {
			r.mu.Lock()
			delete(r.pools, t.Code)
			r.mu.Unlock()
		} else {
			r.servers.Add(e.pool)
			if r.onOpen != nil {
				r.onOpen(t.Code)
			}
		}
		close(e.ready)
	} else {
		r.mu.Unlock()
	}
	select {
	case <-e.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return nil, e.err
	}
	return e, nil
}

// makeRoomLocked ensures one more pool fits the budget, closing the least
// recently used idle pool if needed.
func (r *Registry) makeRoomLocked() error {
	for int32(len(r.pools)+1)*r.opts.PerTenant > r.opts.Budget {
		var victim string
		var oldest int64
		for code, e := range r.pools {
			select {
			case <-e.ready:
			default:
				continue // still opening
			}
			if e.pool == nil || e.pool.Stat().AcquiredConns() > 0 {
				continue
			}
			if victim == "" || e.lastUsed.Load() < oldest {
				victim, oldest = code, e.lastUsed.Load()
			}
		}
		if victim == "" {
			return ErrBudgetExhausted
		}
		// Closed beside, not before, the new pool's first connection: the
		// request that made room does not wait for it.
		go r.close(r.pools[victim].pool)
		delete(r.pools, victim)
	}
	return nil
}

func (r *Registry) open(ctx context.Context, e *entry) (*pgxpool.Pool, error) {
	// The API server's watch cache may be a moment behind: a password it
	// does not know yet is read again, from storage, when PostgreSQL
	// refuses the one read here (Acquire).
	secret, err := r.readSecret(ctx, e.tenant, &client.GetOptions{Raw: &metav1.GetOptions{ResourceVersion: "0"}})
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(string(secret.Data[slrtv1.CredentialsKeyURI]))
	if err != nil {
		return nil, fmt.Errorf("the credentials Secret of kecamatan %s holds no valid uri: %w", e.tenant.Code, err)
	}
	e.setCredentials(secret)
	e.endpoint = endpointOf(secret)
	// SQL spans carry the tenant and the statement's parameterised text,
	// never its values; only slow or failed statements are spans.
	// A connection found lost (a restart, a failover) resets the pool: the
	// others are as dead.
	reset := &dbfault.PoolReset{}
	cfg.ConnConfig.Tracer = &multitracer.Tracer{QueryTracers: []pgx.QueryTracer{
		dbtrace.New(r.opts.QuerySpansFrom, attrTenant.String(e.tenant.Code)), reset}}
	cfg.MaxConns = r.opts.PerTenant
	// Connections live as long as their pool (the budget counts the whole
	// pool): a request after a quiet minute does not pay a connection setup.
	// No minimum: one would open in the background beside the first
	// request's own.
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = r.opts.IdleAfter
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	// Each new connection uses the password current at that moment.
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		cc.Password = *e.password.Load()
		return nil
	}
	e.lastUsed.Store(time.Now().UnixNano())
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		reset.Resets(pool)
	}
	return pool, err
}

func (e *entry) setCredentials(s *corev1.Secret) {
	pw, v := string(s.Data[slrtv1.CredentialsKeyPassword]), s.ResourceVersion
	e.password.Store(&pw)
	e.version.Store(&v)
}

func (r *Registry) readSecret(ctx context.Context, t Tenant, opts ...client.GetOption) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	if err := r.secrets.Get(ctx, client.ObjectKey{Namespace: t.Namespace, Name: t.Secret}, s, opts...); err != nil {
		return nil, fmt.Errorf("while reading the credentials of kecamatan %s: %w", t.Code, err)
	}
	return s, nil
}

func endpointOf(s *corev1.Secret) string {
	return string(s.Data[slrtv1.CredentialsKeyHost]) + "\x00" + string(s.Data[slrtv1.CredentialsKeyPort]) + "\x00" + string(s.Data[slrtv1.CredentialsKeyDBName]) + "\x00" + string(s.Data[slrtv1.CredentialsKeyUsername])
}

// refresh re-reads the tenant's Secret and takes its password when it
// changed. When the Secret names another server, port, database or user (a
// database moved, or a server that came back on another address), the pool
// is retired: the next request opens one to the new place.
func (r *Registry) refresh(ctx context.Context, e *entry) error {
	s, err := r.readSecret(ctx, e.tenant)
	if err != nil {
		return err
	}
	if *e.version.Load() == s.ResourceVersion {
		return nil
	}
	if endpointOf(s) != e.endpoint {
		r.retire(e)
		return nil
	}
	e.setCredentials(s)
	return nil
}

// retire takes an entry out of the registry and closes its pool once the
// connections in use are back.
func (r *Registry) retire(e *entry) {
	r.mu.Lock()
	if r.pools[e.tenant.Code] == e {
		delete(r.pools, e.tenant.Code)
	}
	r.mu.Unlock()
	go r.close(e.pool)
}

// close closes a pool once the connections in use are back.
func (r *Registry) close(p *pgxpool.Pool) {
	r.servers.Remove(p)
	p.Close()
}

// Run closes idle pools and follows credential rotations until ctx ends,
// then closes every pool.
func (r *Registry) Run(ctx context.Context) {
	tick := time.NewTicker(min(r.opts.RefreshEvery, r.opts.IdleAfter))
	defer tick.Stop()
	defer r.closeAll()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.sweep(ctx)
		}
	}
}

func (r *Registry) sweep(ctx context.Context) {
	r.mu.Lock()
	var open []*entry
	for code, e := range r.pools {
		select {
		case <-e.ready:
		default:
			continue
		}
		if e.pool == nil {
			continue
		}
		idle := time.Since(time.Unix(0, e.lastUsed.Load())) > r.opts.IdleAfter
		if idle && e.pool.Stat().AcquiredConns() == 0 {
			r.close(e.pool)
			delete(r.pools, code)
			continue
		}
		open = append(open, e)
	}
	r.mu.Unlock()
	for _, e := range open {
		if r.credentialsCurrent(ctx, e) {
			continue
		}
		_ = r.refresh(ctx, e) // a failed read keeps the last password
	}
}

// credentialsCurrent reports whether the pool holds the credentials the
// operator last applied: the Kecamatan's status names the Secret's version
// it set the role's password from (or moved the database by). Reading
// that from the informer cache, not every open pool's Secret from the
// Kubernetes API each sweep, keeps the API's load on the control plane flat
// however many pools are open; a rotation reaches the pool once the
// operator has applied it, when the new password works.
func (r *Registry) credentialsCurrent(ctx context.Context, e *entry) bool {
	kec, err := r.find(ctx, e.tenant.Code)
	if err != nil {
		return false
	}
	applied := kec.Status.CredentialsVersion
	return applied != "" && applied == *e.version.Load()
}

func (r *Registry) closeAll() {
	r.servers.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for code, e := range r.pools {
		<-e.ready
		if e.pool != nil {
			e.pool.Close()
		}
		delete(r.pools, code)
	}
}

// Stats reports the open pools: for metrics and the memory benchmark.
func (r *Registry) Stats() map[string]*pgxpool.Stat {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]*pgxpool.Stat{}
	for code, e := range r.pools {
		select {
		case <-e.ready:
			if e.pool != nil {
				out[code] = e.pool.Stat()
			}
		default:
		}
	}
	return out
}
