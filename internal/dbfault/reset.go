package dbfault

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// PoolReset is a pgx query tracer that resets a pool when one of its
// connections is found lost: after a restart or a failover the pool's
// other connections are as dead, and pgx hands out one used in the last
// second without checking it, so every request would meet one in turn.
// Resets are at most one a second: a burst of failures is one event.
type PoolReset struct {
	// Reset closes the pool's connections (pgxpool.Pool.Reset), set once
	// the pool exists.
	Reset atomic.Pointer[func()]
	last  atomic.Int64
}

// TraceQueryStart does nothing; the tracer acts when a query ends.
func (t *PoolReset) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

// TraceQueryEnd resets the pool when the query found its connection lost.
func (t *PoolReset) TraceQueryEnd(_ context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if data.Err == nil || Classify(data.Err) != Lost {
		return
	}
	now, last := time.Now().UnixNano(), t.last.Load()
	if now-last < int64(time.Second) || !t.last.CompareAndSwap(last, now) {
		return
	}
	if reset := t.Reset.Load(); reset != nil {
		(*reset)()
	}
}
