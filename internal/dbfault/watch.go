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
// pools on that server are reset when it cannot be reached or comes back
// with another start time. Then each pool is reconnected in the
// background, so the first request after a restart does not pay a
// connection setup per database. That setup (a process forked, SCRAM
// authentication) is tens of milliseconds, and a read across a city's
// kecamatan would otherwise pay it for each of them.
type ServerWatch struct {
	mu      sync.Mutex
	closed  bool
	servers map[string]*watched
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	// reconnected, when set, is told each time a server's pools were
	// reconnected after the server came back (tests).
	reconnected func(server string)
}

type watched struct {
	server string
	pools  map[*pgxpool.Pool]struct{}
	cancel context.CancelFunc
}

// watchName is the watch connections' application_name.
const watchName = "slrt-server-watch"

// reconnectAtOnce is how many pools reconnect at the same time.
const reconnectAtOnce = 4

// reconnectWithin bounds the wait for one pool's connection: a pool busy to
// its limit, or a server that accepts and does not answer, is left to the
// next request rather than holding up the watch.
const reconnectWithin = 5 * time.Second

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
	if w.closed {
		return
	}
	s, ok := w.servers[server]
	if !ok {
		ctx, cancel := context.WithCancel(w.ctx)
		s = &watched{server: server, pools: map[*pgxpool.Pool]struct{}{}, cancel: cancel}
		w.servers[server] = s
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.watch(ctx, s)
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
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
}

// pools returns the server's pools now.
func (w *ServerWatch) pools(s *watched) []*pgxpool.Pool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*pgxpool.Pool, 0, len(s.pools))
	for p := range s.pools {
		out = append(out, p)
	}
	return out
}

// watch follows one server. A watch connection can end without the server
// restarting (its tenant suspended or removed, an idle session ended by a
// timeout or a proxy): the pools are reset only when the server cannot be
// reached or answers with another start time.
func (w *ServerWatch) watch(ctx context.Context, s *watched) {
	var started time.Time // the server's start time, as last seen
	down := false         // the pools were reset: reconnect them once it answers
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := w.connect(ctx, s)
		var now time.Time
		if err == nil {
			if err = conn.QueryRow(ctx, `SELECT pg_postmaster_start_time()`).Scan(&now); err != nil {
				conn.Close(context.WithoutCancel(ctx))
				// It answered a login a moment ago: this session ended
				// (terminated, timed out), which says nothing of the server.
				// Connecting again tells.
				if ctx.Err() == nil && !down {
					select {
					case <-ctx.Done():
					case <-time.After(wait):
					}
					continue
				}
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !down {
				// Unreachable: their connections are as dead. Drop them now
				// rather than at their next use.
				w.reset(s)
				down = true
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			wait = min(2*wait, 5*time.Second)
			continue
		}
		wait = 100 * time.Millisecond
		restarted := !started.IsZero() && !now.Equal(started)
		if restarted && !down {
			w.reset(s)
		}
		if restarted || down {
			w.reconnect(ctx, s)
		}
		started, down = now, false
		// Blocks until the server ends the connection (or ctx ends): no
		// notification is ever sent on it.
		_ = conn.PgConn().WaitForNotification(ctx)
		conn.Close(context.WithoutCancel(ctx))
	}
}

func (w *ServerWatch) reset(s *watched) {
	for _, p := range w.pools(s) {
		p.Reset()
	}
}

// connect opens the watch's connection with the settings (and, through
// BeforeConnect, the current password) of one of the server's pools: the
// first that can, as one tenant's login may be disabled or its database
// gone while the server is up.
func (w *ServerWatch) connect(ctx context.Context, s *watched) (*pgx.Conn, error) {
	err := fmt.Errorf("no pool on %s", s.server)
	for _, p := range w.pools(s) {
		cfg := p.Config()
		cc := cfg.ConnConfig
		cc.Tracer = nil // nothing runs on it to trace
		cc.RuntimeParams["application_name"] = watchName
		if cfg.BeforeConnect != nil {
			if err = cfg.BeforeConnect(ctx, cc); err != nil {
				continue
			}
		}
		var conn *pgx.Conn
		if conn, err = pgx.ConnectConfig(ctx, cc); err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// reconnect opens one connection in each of the server's pools that has
// none, a few at a time: a server that just came back has much to do.
func (w *ServerWatch) reconnect(ctx context.Context, s *watched) {
	sem := make(chan struct{}, reconnectAtOnce)
	var wg sync.WaitGroup
	for _, p := range w.pools(s) {
		if p.Stat().TotalConns() > 0 {
			continue // a request got there first
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(ctx, reconnectWithin)
			defer cancel()
			// A pool closed meanwhile, or a connection refused, is left to
			// the next request, which reconnects as it always has.
			if c, err := p.Acquire(ctx); err == nil {
				c.Release()
			}
		}()
	}
	wg.Wait()
	if w.reconnected != nil {
		w.reconnected(s.server)
	}
}
