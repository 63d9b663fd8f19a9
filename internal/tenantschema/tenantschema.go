// Package tenantschema owns the schema of a tenant (kecamatan) database: the
// embedded migrations and the reference rows the operator keeps in step with
// the Kecamatan resource.
package tenantschema

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/migrate"
)

//go:embed migrations/*.sql
var embedded embed.FS

// Migrations returns the tenant schema migrations.
func Migrations() fs.FS {
	return migrate.Dir(embedded, "migrations")
}

// LatestVersion is the schema version this build migrates tenants to.
// Read once: every operator pass asks.
var LatestVersion = sync.OnceValue(func() int64 {
	v, err := migrate.Latest(Migrations())
	if err != nil {
		panic(err) // the embedded migrations are fixed at build time
	}
	return v
})

// Migrate brings a tenant database to the latest schema version and returns it.
func Migrate(ctx context.Context, db *sql.DB) (int64, error) {
	return migrate.Up(ctx, db, Migrations())
}

// Kelurahan is one row of the kelurahan table.
type Kelurahan struct {
	Code string
	Name string
}

// SyncKelurahan makes the kelurahan table hold exactly want (a code listed
// twice keeps its last name), in one statement that writes nothing when it
// already does; it returns how many kelurahan the table holds and whether
// it changed. A kelurahan removed from the list is deleted; once other
// tables refer to kelurahan, their foreign keys refuse that for a kelurahan
// in use, the error names it, and nothing changes.
func SyncKelurahan(ctx context.Context, db *sql.DB, want []Kelurahan) (n int, changed bool, err error) {
	names := make(map[string]string, len(want))
	codes := make([]string, 0, len(want)) // none: every row goes
	for _, k := range want {
		if _, seen := names[k.Code]; !seen {
			codes = append(codes, k.Code)
		}
		names[k.Code] = k.Name
	}
	ordered := make([]string, len(codes))
	for i, code := range codes {
		ordered[i] = names[code]
	}
	// One round trip on the operator's fresh connection. Only rows that
	// differ reach the insertion (ON CONFLICT would lock, and so write, an
	// unchanged row too). The deletion cannot meet the rows the insertion
	// writes: both see the table as it was when the statement began, and no
	// wanted code is deleted.
	var written int
	err = db.QueryRowContext(ctx, `WITH want (code, name) AS (SELECT * FROM unnest($1::text[], $2::text[])),
		upserted AS (
			INSERT INTO kelurahan (code, name)
			SELECT w.code, w.name FROM want w LEFT JOIN kelurahan k USING (code) WHERE k.code IS NULL OR k.name <> w.name
			ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name
			RETURNING 1),
		removed AS (DELETE FROM kelurahan WHERE code <> ALL ($1::text[]) RETURNING 1)
		SELECT (SELECT count(*) FROM upserted) + (SELECT count(*) FROM removed)`, codes, ordered).Scan(&written)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Detail != "" {
		// The detail names the row: which kelurahan is still in use.
		return 0, false, fmt.Errorf("while writing the kelurahan: %w (%s)", err, pgErr.Detail)
	}
	if err != nil {
		return 0, false, fmt.Errorf("while writing the kelurahan: %w", err)
	}
	return len(codes), written > 0, nil
}
