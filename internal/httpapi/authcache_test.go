package httpapi

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/store"
)

func TestRememberedCredentialsBridgeOnlyAnOutageAndOnlyForAWhile(t *testing.T) {
	c := newAuthCache()
	c.live.Store(true)
	fresh, old, ended := cacheKey("token", "a"), cacheKey("token", "b"), cacheKey("token", "c")
	p := &Principal{Account: &store.Account{ID: 7}}
	c.put(fresh, p, time.Now().Add(time.Hour))
	c.put(old, p, time.Now().Add(time.Hour))
	c.put(ended, p, time.Now().Add(time.Millisecond))
	c.mu.Lock()
	e := c.entries[old]
	e.cachedAt = time.Now().Add(-authStaleBound - time.Second)
	c.entries[old] = e
	c.mu.Unlock()
	time.Sleep(2 * time.Millisecond)
	c.live.Store(false) // the listener lost the control database

	down := &pgconn.PgError{Code: "57P01"}
	if got, ok := c.fallback(fresh, down); !ok || got.Account.ID != 7 {
		t.Errorf("a credential checked just now was refused while the control database is away")
	}
	if _, ok := c.fallback(old, down); ok {
		t.Errorf("a credential last checked over %v ago was trusted", authStaleBound)
	}
	if _, ok := c.fallback(ended, down); ok {
		t.Errorf("an expired credential was trusted")
	}
	if _, ok := c.fallback(fresh, store.ErrNotFound); ok {
		t.Errorf("a credential the control database no longer knows (revoked) was trusted")
	}
	if _, ok := c.get(fresh); ok {
		t.Errorf("the cache answered without its listener: a revocation could be missed")
	}
}
