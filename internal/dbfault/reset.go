package dbfault

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolReset is a pgx query tracer that resets a pool when one of its
// connections is found lost: after a restart or a failover the pool's
// other connections are as dead, and pgx hands out one used in the last
// second without checking it, so every request would meet one in turn.
// Resets are at most one each resetGap: the failures of one event (every
// connection cut at once) reset the pool once.
type PoolReset struct {
	pool atomic.Pointer[pgxpool.Pool]
	last atomic.Int64
}

// resetGap is the least time between two resets of a pool.
const resetGap = 100 * time.Millisecond

// Resets names the pool to reset, once it exists (the tracer is part of
// its configuration).
func (t *PoolReset) Resets(pool *pgxpool.Pool) { t.pool.Store(pool) }

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
	if now-last < int64(resetGap) || !t.last.CompareAndSwap(last, now) {
		return
	}
	if pool := t.pool.Load(); pool != nil {
		pool.Reset()
	}
}
