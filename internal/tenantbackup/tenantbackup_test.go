package tenantbackup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/localpg"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

var pg *localpg.Server

func TestMain(m *testing.M) {
	s, stop, err := localpg.OpenTemp("slrt-backup-*")
	if err != nil {
		os.Stderr.WriteString("tenantbackup: " + err.Error() + "\n")
		os.Exit(1)
	}
	pg = s
	code := m.Run()
	stop()
	os.Exit(code)
}

// database makes an empty database owned by a login role of the same name.
func database(t testing.TB, name string) tenantbackup.Conn {
	t.Helper()
	ctx := context.Background()
	admin, err := pg.Connect(ctx, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, sql := range []string{
		`CREATE ROLE ` + name + ` LOGIN PASSWORD 'secret-` + name + `'`,
		`CREATE DATABASE ` + name + ` OWNER ` + name + ` TEMPLATE template0`,
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	return tenantbackup.Conn{Host: pg.Host, Port: pg.Port, User: name, Password: "secret-" + name, Database: name, SSLMode: "disable"}
}

func exec(t testing.TB, c tenantbackup.Conn, sqls ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.URL(c.User, c.Password, c.Database))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

func TestADumpRestoresToTheSameRows(t *testing.T) {
	ctx := context.Background()
	tools := tenantbackup.Tools{BinDir: pg.Bin()}
	store := tenantbackup.Store{Dir: t.TempDir()}
	src := database(t, "backup_source")
	exec(t, src,
		`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
		`CREATE TABLE household (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, nik text NOT NULL, income numeric, seen timestamptz, facts jsonb, score double precision)`,
		`CREATE INDEX household_nik_trgm ON household USING gin (nik gin_trgm_ops)`,
		`INSERT INTO household (nik, income, seen, facts, score)
		 SELECT lpad(i::text, 16, '3273'), i * 1000.5, now() - i * interval '1 hour', jsonb_build_object('members', i % 7), i / 3.0
		   FROM generate_series(1, 500) i`,
		`CREATE TABLE empty_one (x int)`)

	dumped, err := tools.Dump(ctx, src, store, "32.73.03/first.dump")
	if err != nil {
		t.Fatal(err)
	}
	if dumped.Size == 0 || len(dumped.SHA256) != 64 {
		t.Fatalf("dump size %d digest %q", dumped.Size, dumped.SHA256)
	}
	want := map[string]int64{"public.household": 500, "public.empty_one": 0}
	for _, tb := range dumped.Tables {
		if want[tb.Name] != tb.Rows {
			t.Errorf("fingerprint of %s: %d rows, want %d", tb.Name, tb.Rows, want[tb.Name])
		}
	}

	t.Run("restored into an empty database, every table matches", func(t *testing.T) {
		dst := database(t, "backup_copy")
		if err := tools.Restore(ctx, dst, store, "32.73.03/first.dump", dumped.SHA256, dumped.Tables); err != nil {
			t.Fatal(err)
		}
		exec(t, dst, `INSERT INTO household (nik) VALUES ('3273000000000999')`) // the identity goes on, owned by the new role
	})

	t.Run("a fingerprint that differs fails the restore and names the table", func(t *testing.T) {
		dst := database(t, "backup_mismatch")
		tampered := append([]tenantbackup.Table(nil), dumped.Tables...)
		for i := range tampered {
			if tampered[i].Name == "public.household" {
				tampered[i].Rows++
			}
		}
		err := tools.Restore(ctx, dst, store, "32.73.03/first.dump", dumped.SHA256, tampered)
		var mismatch *tenantbackup.MismatchError
		if !errors.As(err, &mismatch) || !strings.Contains(err.Error(), "public.household has 500 rows, the backup 501") {
			t.Fatalf("got %v, want a mismatch on public.household", err)
		}
	})

	t.Run("a changed file is refused before anything is restored", func(t *testing.T) {
		path := filepath.Join(store.Dir, "32.73.03", "first.dump")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(filepath.Join(store.Dir, "32.73.03", "changed.dump"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		dst := database(t, "backup_corrupt")
		err = tools.Restore(ctx, dst, store, "32.73.03/changed.dump", dumped.SHA256, dumped.Tables)
		if !errors.Is(err, tenantbackup.ErrCorrupt) {
			t.Fatalf("got %v, want ErrCorrupt", err)
		}
	})

	t.Run("a failed dump leaves no file", func(t *testing.T) {
		bad := src
		bad.Password = "wrong"
		if _, err := tools.Dump(ctx, bad, store, "32.73.03/failed.dump"); err == nil {
			t.Fatal("a dump with a wrong password succeeded")
		}
		entries, _ := os.ReadDir(filepath.Join(store.Dir, "32.73.03"))
		for _, e := range entries {
			if strings.Contains(e.Name(), "failed") {
				t.Errorf("left %s behind", e.Name())
			}
		}
	})

	t.Run("a file name outside the store is refused", func(t *testing.T) {
		if _, err := tools.Dump(ctx, src, store, "../outside.dump"); err == nil {
			t.Fatal("dumped outside the store")
		}
	})
}
