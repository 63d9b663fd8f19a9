package dbfault

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/slrt-id/slrt/internal/localpg"
)

// When a server restarts, the pools on it reconnect on their own once it is
// back: the first request after the restart finds a connection open and
// opens none. The watch's own session ending while the server stays up
// resets nothing. The watch ends with the server's last pool.
func TestPoolsReconnectOnTheirOwnWhenTheServerComesBack(t *testing.T) {
	pg, closePG, err := localpg.OpenTemp("slrt-watch-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closePG)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	w := NewServerWatch()
	back := make(chan string, 1)
	w.reconnected = func(server string) { back <- server }
	var pools []*pgxpool.Pool
	pids := map[*pgxpool.Pool]uint32{}
	for _, db := range []string{"postgres", "template1"} {
		p, err := pgxpool.New(ctx, pg.URL(pg.User, pg.Password, db))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		c, err := p.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pids[p] = c.Conn().PgConn().PID()
		c.Release()
		w.Add(p)
		pools = append(pools, p)
	}

	// The watch's own session ended, the server still up (a suspended
	// tenant's login, an idle timeout): the pools keep their connections.
	admin, err := pgxpool.New(ctx, pg.URL(pg.User, pg.Password, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, watchName); err != nil {
		t.Fatal(err)
	}
	for {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, watchName).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break // watching again
		}
		select {
		case <-ctx.Done():
			t.Fatal("the watch did not come back after its session ended")
		case <-time.After(50 * time.Millisecond):
		}
	}
	admin.Close()
	for _, p := range pools {
		var pid uint32
		if err := p.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil || pid != pids[p] {
			t.Errorf("the watch's session ending reset a pool (pid %d, before %d): %v", pid, pids[p], err)
		}
	}

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-back:
	case <-ctx.Done():
		t.Fatal("the pools were not reconnected after the server came back")
	}
	for _, p := range pools {
		opened := p.Stat().NewConnsCount()
		var pid uint32
		if err := p.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatalf("the first query after the restart: %v", err)
		}
		if pid == pids[p] {
			t.Errorf("the query ran on the connection from before the restart (pid %d)", pid)
		}
		if n := p.Stat().NewConnsCount() - opened; n != 0 {
			t.Errorf("the first query after the restart opened %d connections; the watch should have", n)
		}
	}

	for _, p := range pools {
		w.Remove(p)
	}
	if len(w.servers) != 0 {
		t.Errorf("a server is still watched without pools: %v", w.servers)
	}
	w.Close() // returns: no watch is left blocked on its connection
}
