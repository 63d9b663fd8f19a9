package tenantbackup_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestPausedWritesAreRefusedAndReadsGoOn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := database(t, "backup_paused")
	exec(t, c, `CREATE TABLE note (x int)`, `INSERT INTO note VALUES (1)`)
	open, err := pgx.Connect(ctx, pg.URL(c.User, c.Password, c.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close(ctx)
	for range 2 { // pausing twice is pausing once
		if err := c.PauseWrites(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := open.Ping(ctx); err == nil {
		t.Error("a session open before the pause goes on")
	}
	conn, err := pgx.Connect(ctx, pg.URL(c.User, c.Password, c.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM note`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("a read while paused: %d %v", n, err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO note VALUES (2)`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Fatalf("a write while paused: %v, want SQLSTATE 25006", err)
	}
	if err := c.PauseWrites(ctx, false); err != nil {
		t.Fatal(err)
	}
	exec(t, c, `INSERT INTO note VALUES (3)`)
}
