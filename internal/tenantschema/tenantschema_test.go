package tenantschema_test

import (
	"context"
	"database/sql"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/slrt-id/slrt/internal/tenantschema"
	"github.com/slrt-id/slrt/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true}, &env))
}

// tenantDB is a new database migrated to the latest schema version.
func tenantDB(t *testing.T, name string) *sql.DB {
	t.Helper()
	ctx := context.Background()
	admin := env.Postgres.AdminConn(t)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	conn, err := env.Postgres.Connect(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*conn.Config())
	_ = conn.Close(ctx)
	t.Cleanup(func() {
		_ = db.Close()
		_, _ = admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
	})
	if v, err := tenantschema.Migrate(ctx, db); err != nil || v != tenantschema.LatestVersion() {
		t.Fatalf("migrate: version %d, %v", v, err)
	}
	return db
}

func kelurahanIn(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query("SELECT code, name FROM kelurahan")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			t.Fatal(err)
		}
		out[code] = name
	}
	return out
}

func TestSyncKelurahanMakesTheTableHoldExactlyTheList(t *testing.T) {
	ctx := context.Background()
	db := tenantDB(t, "sync_kelurahan")
	first := []tenantschema.Kelurahan{
		{Code: "32.73.01.1001", Name: "Sukaluyu"}, {Code: "32.73.01.1002", Name: "Cihaurgeulis"},
		{Code: "32.73.01.1003", Name: "Neglasari"},
	}
	if n, changed, err := tenantschema.SyncKelurahan(ctx, db, first); err != nil || n != 3 || !changed {
		t.Fatalf("first sync: %d kelurahan, changed %v, %v; want 3, true", n, changed, err)
	}
	if n, changed, err := tenantschema.SyncKelurahan(ctx, db, first); err != nil || n != 3 || changed {
		t.Fatalf("same list again: %d kelurahan, changed %v, %v; want 3, false", n, changed, err)
	}
	// Nothing written, not even a row lock (the hourly check of every tenant runs it).
	var locked int
	if err := db.QueryRow(`SELECT count(*) FROM kelurahan WHERE xmax::text <> '0'`).Scan(&locked); err != nil || locked != 0 {
		t.Fatalf("after a sync that changed nothing, %d rows carry a lock or update (%v)", locked, err)
	}
	// One renamed, one gone, one new, and a code listed twice (the last
	// name counts).
	second := []tenantschema.Kelurahan{
		{Code: "32.73.01.1001", Name: "Sukaluyu Lama"}, {Code: "32.73.01.1002", Name: "Cihaurgeulis"},
		{Code: "32.73.01.1004", Name: "Salah"}, {Code: "32.73.01.1004", Name: "Sukaluyu Baru"},
	}
	if n, changed, err := tenantschema.SyncKelurahan(ctx, db, second); err != nil || n != 3 || !changed {
		t.Fatalf("second sync: %d kelurahan, changed %v, %v; want 3, true", n, changed, err)
	}
	want := map[string]string{"32.73.01.1001": "Sukaluyu Lama", "32.73.01.1002": "Cihaurgeulis", "32.73.01.1004": "Sukaluyu Baru"}
	if got := kelurahanIn(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("kelurahan %v, want %v", got, want)
	}
}

func TestSyncKelurahanRefusesToRemoveAKelurahanInUseAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := tenantDB(t, "sync_kelurahan_in_use")
	both := []tenantschema.Kelurahan{{Code: "32.73.01.1001", Name: "Sukaluyu"}, {Code: "32.73.01.1002", Name: "Cihaurgeulis"}}
	if _, _, err := tenantschema.SyncKelurahan(ctx, db, both); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO house (kelurahan_code, rt, rw, street) VALUES ('32.73.01.1002', '001', '002', 'Jl. Cikutra')`); err != nil {
		t.Fatal(err)
	}
	renamedAndDropped := []tenantschema.Kelurahan{{Code: "32.73.01.1001", Name: "Sukaluyu Baru"}}
	_, _, err := tenantschema.SyncKelurahan(ctx, db, renamedAndDropped)
	if err == nil || !strings.Contains(err.Error(), "32.73.01.1002") {
		t.Fatalf("removing a kelurahan with a house: %v; want an error naming 32.73.01.1002", err)
	}
	want := map[string]string{"32.73.01.1001": "Sukaluyu", "32.73.01.1002": "Cihaurgeulis"}
	if got := kelurahanIn(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the refused sync: %v, want %v unchanged", got, want)
	}
}
