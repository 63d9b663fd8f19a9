package dbfault

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ServerWatch keeps pools connected across their servers' restarts. It holds
// one idle connection to each server its pools use, blocked reading: a
// server that goes away (a restart, a failover) ends it at once, and the
// pools on that server are reset then. Once the server answers again each
// pool is reconnected in the background, so the first request after a
// restart does not pay a connection setup per database. That setup (a
// process forked, SCRAM authentication) is tens of milliseconds, and a read
// across a city's kecamatan would otherwise pay it for each of them.
type ServerWatch struct {
	mu      sync.Mutex
	servers map[string]*watched
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// reconnected, when set, is told each time a server's pools were
	// reconnected after the server came back (tests).
	reconnected func(server string)
}

type watched struct {
	pools  map[*pgxpool.Pool]struct{}
	cancel context.CancelFunc
}

// reconnectAtOnce is how many pools reconnect at the same time.
const reconnectAtOnce = 4

// NewServerWatch makes a watch; Close stops it.
func NewServerWatch() *ServerWatch {
	ctx, cancel := context.WithCancel(context.Background())
	return &ServerWatch{servers: map[string]*watched{}, ctx: ctx, cancel: cancel}
}

// serverOf names the server a pool connects to.
func serverOf(p *pgxpool.Pool) string {
	cc := p.Config().ConnConfig
	return fmt.Sprintf("%s:%d", cc.Host, cc.Port)
}

// Add watches the pool's server, starting a watch when it is the first pool
// there.
func (w *ServerWatch) Add(p *pgxpool.Pool) {
	server := serverOf(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ctx.Err() != nil {
		return
	}
	s, ok := w.servers[server]
	if !ok {
		ctx, cancel := context.WithCancel(w.ctx)
		s = &watched{pools: map[*pgxpool.Pool]struct{}{}, cancel: cancel}
		w.servers[server] = s
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.watch(ctx, server)
		}()
	}
	s.pools[p] = struct{}{}
}

// Remove forgets a pool (call it before closing the pool); the server's
// watch ends with its last pool.
func (w *ServerWatch) Remove(p *pgxpool.Pool) {
	server := serverOf(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	s, ok := w.servers[server]
	if !ok {
		return
	}
	delete(s.pools, p)
	if len(s.pools) == 0 {
		s.cancel()
		delete(w.servers, server)
	}
}

// Close ends every watch and waits for them.
func (w *ServerWatch) Close() {
	w.cancel()
	w.wg.Wait()
}

// pools returns the server's pools now.
func (w *ServerWatch) pools(server string) []*pgxpool.Pool {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*pgxpool.Pool
	if s, ok := w.servers[server]; ok {
		for p := range s.pools {
			out = append(out, p)
		}
	}
	return out
}

func (w *ServerWatch) watch(ctx context.Context, server string) {
	lost := false
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := w.connect(ctx, server)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			wait = min(2*wait, 5*time.Second)
			continue
		}
		wait = 100 * time.Millisecond
		if lost {
			w.reconnect(ctx, server)
			lost = false
		}
		// Blocks until the server ends the connection (or ctx ends): no
		// notification is ever sent on it.
		err = conn.PgConn().WaitForNotification(ctx)
		conn.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil || err == nil {
			continue
		}
		lost = true
		// Their connections are as dead: drop them now rather than on
		// their next use.
		for _, p := range w.pools(server) {
			p.Reset()
		}
	}
}

// connect opens the watch's connection with the settings (and, through
// BeforeConnect, the current password) of one of the server's pools.
func (w *ServerWatch) connect(ctx context.Context, server string) (*pgx.Conn, error) {
	pools := w.pools(server)
	if len(pools) == 0 {
		return nil, fmt.Errorf("no pool on %s", server)
	}
	cfg := pools[0].Config()
	cc := cfg.ConnConfig
	cc.Tracer = nil // nothing runs on it to trace
	if cfg.BeforeConnect != nil {
		if err := cfg.BeforeConnect(ctx, cc); err != nil {
			return nil, err
		}
	}
	return pgx.ConnectConfig(ctx, cc)
}

// reconnect opens one connection in each of the server's pools, a few at a
// time: a server that just came back has much to do.
func (w *ServerWatch) reconnect(ctx context.Context, server string) {
	sem := make(chan struct{}, reconnectAtOnce)
	var wg sync.WaitGroup
	for _, p := range w.pools(server) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			// A pool closed meanwhile, or a connection refused, is left to
			// the next request, which reconnects as it always has.
			if c, err := p.Acquire(ctx); err == nil {
				c.Release()
			}
		}()
	}
	wg.Wait()
	if w.reconnected != nil {
		w.reconnected(server)
	}
}
