package httpapi

import (
	"context"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/dbfault"
	"github.com/slrt-id/slrt/internal/notify"
)

// credentialsChannel is the notification channel the control database
// signals on when a token is revoked, a session ends or an account changes.
const credentialsChannel = "slrt_credentials"

// authCacheTTL bounds how long a credential is trusted without asking the
// control database, even if a notification were lost.
const authCacheTTL = 30 * time.Second

// authStaleBound is how old a remembered credential may be and still be
// trusted while the control database cannot be reached: a revocation
// made before an outage wins within it (and at once whenever the control
// database answers, since it is always asked first).
const authStaleBound = 2 * time.Minute

// authCache remembers authenticated credentials for a short while, so that
// a request does not cost two control database queries. It is trusted only
// while its invalidation listener is connected; any change to tokens,
// sessions or accounts empties it on every replica.
type authCache struct {
	mu      sync.RWMutex
	entries map[[32]byte]cachedPrincipal
	live    atomic.Bool
}

type cachedPrincipal struct {
	p        Principal
	expires  time.Time
	cachedAt time.Time
	ends     time.Time // the credential's own end
}

func newAuthCache() *authCache { return &authCache{entries: map[[32]byte]cachedPrincipal{}} }

func cacheKey(kind, secret string) [32]byte { return sha256.Sum256([]byte(kind + "\x00" + secret)) }

func (c *authCache) get(key [32]byte) (*Principal, bool) {
	if !c.live.Load() {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || time.Now().After(e.expires) {
		return nil, false
	}
	p := e.p
	return &p, true
}

// put remembers p until the earlier of the TTL and the credential's own end.
func (c *authCache) put(key [32]byte, p *Principal, credentialEnds time.Time) {
	if !c.live.Load() {
		return
	}
	now := time.Now()
	expires := now.Add(authCacheTTL)
	if credentialEnds.Before(expires) {
		expires = credentialEnds
	}
	c.mu.Lock()
	c.entries[key] = cachedPrincipal{p: *p, expires: expires, cachedAt: now, ends: credentialEnds}
	c.mu.Unlock()
}

// fallback returns the caller a credential named when last checked, for a
// request the control database could not answer (err), if that was within
// authStaleBound and the credential has not ended since.
func (c *authCache) fallback(key [32]byte, err error) (*Principal, bool) {
	if !dbfault.Classify(err).Transient() {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	now := time.Now()
	if !ok || now.Sub(e.cachedAt) > authStaleBound || now.After(e.ends) {
		return nil, false
	}
	p := e.p
	return &p, true
}

func (c *authCache) flush() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// WatchCredentials keeps the authentication cache honest until ctx ends;
// without it running, the cache stays off and every request asks the
// control database.
func (s *Server) WatchCredentials(ctx context.Context, connect func(context.Context) (*pgx.Conn, error)) error {
	return notify.Listen(ctx, connect, credentialsChannel, func(context.Context) error {
		s.auth.flush()
		s.auth.live.Store(true)
		return nil
	}, func() {
		// Kept, not trusted: asked only when the control database cannot
		// answer (fallback); emptied when the listener is back.
		s.auth.live.Store(false)
	})
}
