package operator

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// Keys of a DatabaseServer's admin Secret.
const (
	serverKeyHost     = "host"
	serverKeyPort     = "port"
	serverKeyUsername = "username"
	serverKeyPassword = "password"
	serverKeyDatabase = "database" // optional, default postgres
	serverKeySSLMode  = "sslmode"  // optional, default prefer
)

// server is one PostgreSQL server that tenant databases are placed on.
type server struct {
	name    string
	host    string
	port    int
	sslMode string
	admin   *pgxpool.Pool
	// version is the admin Secret (name and resourceVersion) the pool was
	// made from.
	version string
}

// uri is the connection URI for user on database dbName of this server.
func (s *server) uri(user, password, dbName string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     net.JoinHostPort(s.host, strconv.Itoa(s.port)),
		Path:     "/" + dbName,
		RawQuery: url.Values{"sslmode": {s.sslMode}}.Encode(),
	}
	return u.String()
}

// serverPools keeps one small admin pool per database server, rebuilt when
// the server's admin Secret changes.
type serverPools struct {
	mu    sync.Mutex
	pools map[string]*server
}

func newServerPools() *serverPools { return &serverPools{pools: map[string]*server{}} }

// adminPoolSize bounds the admin connections the operator holds per server.
const adminPoolSize = 4

// server returns the named DatabaseServer's admin connection, reading the
// resource and its admin Secret.
func (r *KecamatanReconciler) server(ctx context.Context, name string) (*server, error) {
	ds := &slrtv1.DatabaseServer{}
	if err := r.Get(ctx, client.ObjectKey{Name: name}, ds); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, blocked(reasonUnknownServer,
				"No DatabaseServer named %q exists; create it (docs/operator.md) or name another in spec.database.server.", name)
		}
		return nil, retryable(reasonKubernetesError, err, "while reading DatabaseServer %s", name)
	}
	return r.adminOf(ctx, ds)
}

// adminOf returns the admin connection of ds, from the Secret it names.
func (r *KecamatanReconciler) adminOf(ctx context.Context, ds *slrtv1.DatabaseServer) (*server, error) {
	secret := &corev1.Secret{}
	key := client.ObjectKey{Namespace: r.Config.PlatformNamespace, Name: ds.Spec.SecretName}
	if err := r.APIReader.Get(ctx, key, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, retryable(reasonServerSecretInvalid, err,
				"while reading the admin Secret %s/%s of DatabaseServer %q (create it with keys host, port, username, password)", key.Namespace, key.Name, ds.Name)
		}
		return nil, retryable(reasonKubernetesError, err, "while reading the admin Secret %s/%s", key.Namespace, key.Name)
	}
	return r.servers.get(ctx, ds.Name, secret)
}

func (p *serverPools) get(ctx context.Context, name string, secret *corev1.Secret) (*server, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.pools[name]; ok && s.version == secretVersion(secret) {
		return s, nil
	}
	s, err := newServer(ctx, name, secret)
	if err != nil {
		return nil, err
	}
	if old, ok := p.pools[name]; ok {
		old.admin.Close()
	}
	p.pools[name] = s
	return s, nil
}

func newServer(ctx context.Context, name string, secret *corev1.Secret) (*server, error) {
	get := func(key, fallback string) string {
		if v := string(secret.Data[key]); v != "" {
			return v
		}
		return fallback
	}
	s := &server{name: name, host: get(serverKeyHost, ""), sslMode: get(serverKeySSLMode, "prefer"), version: secretVersion(secret)}
	port, err := strconv.Atoi(get(serverKeyPort, "5432"))
	if err != nil || s.host == "" || get(serverKeyUsername, "") == "" {
		return nil, blocked(reasonServerSecretInvalid,
			"The admin Secret %s/%s of database server %q needs keys host, port (a number), username and password.", secret.Namespace, secret.Name, name)
	}
	s.port = port
	cfg, err := pgxpool.ParseConfig(s.uri(get(serverKeyUsername, ""), get(serverKeyPassword, ""), get(serverKeyDatabase, "postgres")))
	if err != nil {
		return nil, blocked(reasonServerSecretInvalid, "The admin Secret of database server %q is not a valid connection: %v", name, err)
	}
	cfg.MaxConns = adminPoolSize
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("while creating the admin pool of database server %q: %w", name, err)
	}
	s.admin = pool
	return s, nil
}

func secretVersion(s *corev1.Secret) string { return s.Name + "@" + s.ResourceVersion }

// forget closes and drops the pool of a server that is gone.
func (p *serverPools) forget(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.pools[name]; ok {
		s.admin.Close()
		delete(p.pools, name)
	}
}

func (p *serverPools) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, s := range p.pools {
		s.admin.Close()
		delete(p.pools, name)
	}
}
