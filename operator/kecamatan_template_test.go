package operator

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/tenantschema"
)

func TestNewTenantDatabasesAreCopiesOfTheServersTemplate(t *testing.T) {
	ctx := context.Background()
	admin := adminConn(t)
	template := templateName()

	kec := waitReady(t, create(t, newKecamatan("32.73.18", "")).Name)
	var closed bool
	if err := admin.QueryRow(ctx, `SELECT NOT datallowconn FROM pg_database WHERE datname = $1`, template).Scan(&closed); err != nil || !closed {
		t.Fatalf("template %s: closed to connections %v, %v", template, closed, err)
	}

	conn, err := connect(ctx, tenantURL(t, kec))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The copy's tables belong to whoever owns the database: the tenant.
	var foreign []string
	rows, _ := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'pg_database_owner'`)
	if foreign, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(foreign) > 0 {
		t.Fatalf("tables not owned by the database's owner: %v, %v", foreign, err)
	}
	// So a later migration, run with the tenant's credentials, may change them.
	for _, sql := range []string{`ALTER TABLE kelurahan ADD COLUMN later text`, `ALTER TABLE kelurahan DROP COLUMN later`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s as the tenant: %v", sql, err)
		}
	}
	var version int64
	if err := conn.QueryRow(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&version); err != nil || version != tenantschema.LatestVersion() {
		t.Fatalf("schema version %d, %v; want %d", version, err, tenantschema.LatestVersion())
	}
	// The copy is compact: the catalogue the migrations grew, and its own
	// tables, take no more room than template0's catalogue and those tables
	// (uncompacted, the migrations' dead rows and free-space maps added 1.2
	// MB to every copy).
	var size, bound int64
	err = admin.QueryRow(ctx, `SELECT pg_database_size($1), pg_database_size('template0')`, kec.Status.DatabaseName).Scan(&size, &bound)
	if err == nil {
		var own int64
		err = conn.QueryRow(ctx, `SELECT sum(pg_total_relation_size(oid))::bigint FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'm')`).Scan(&own)
		bound += own
	}
	if err != nil || size > bound {
		t.Fatalf("the tenant database takes %d bytes, more than template0 and its own tables (%d): %v", size, bound, err)
	}
	// Nobody's session, not even the tenant's, may hold the template open.
	if c, err := connect(ctx, replaceDatabase(t, tenantURL(t, kec), template)); err == nil {
		c.Close(ctx)
		t.Fatal("the tenant connected to the template")
	}

	// A build that a crash cut short is not copied: the template is built
	// again from the start.
	for _, sql := range []string{
		`DROP DATABASE ` + pgx.Identifier{template}.Sanitize(),
		`CREATE DATABASE ` + pgx.Identifier{template + "_build"}.Sanitize(),
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	waitReady(t, create(t, newKecamatan("32.73.19", "")).Name)
	var left []string
	rows, _ = admin.Query(ctx, `SELECT datname || CASE WHEN datallowconn THEN ' (open)' ELSE '' END FROM pg_database WHERE starts_with(datname, $1)`, templatePrefix)
	if left, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(left) != 1 || left[0] != template {
		t.Fatalf("templates after the rebuild: %v, %v", left, err)
	}
}
