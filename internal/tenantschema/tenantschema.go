// Package tenantschema owns the schema of a tenant (kecamatan) database: the
// embedded migrations and the reference rows the operator keeps in step with
// the Kecamatan resource.
package tenantschema

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/slrt-id/slrt/internal/migrate"
)

//go:embed migrations/*.sql
var embedded embed.FS

// Migrations returns the tenant schema migrations.
func Migrations() fs.FS {
	return migrate.Dir(embedded, "migrations")
}

// LatestVersion is the schema version this build migrates tenants to.
func LatestVersion() int64 {
	v, err := migrate.Latest(Migrations())
	if err != nil {
		panic(err) // the embedded migrations are fixed at build time
	}
	return v
}

// Migrate brings a tenant database to the latest schema version and returns it.
func Migrate(ctx context.Context, db *sql.DB) (int64, error) {
	return migrate.Up(ctx, db, Migrations())
}

// Kelurahan is one row of the kelurahan table.
type Kelurahan struct {
	Code string
	Name string
}

// SyncKelurahan makes the kelurahan table hold exactly want, in one
// transaction, and writes nothing when it already does. It reports whether it
// changed anything. A kelurahan removed from the list is deleted; once other
// tables refer to kelurahan, their foreign keys refuse that for a kelurahan
// in use, and the error names it.
func SyncKelurahan(ctx context.Context, db *sql.DB, want []Kelurahan) (bool, error) {
	have, err := listKelurahan(ctx, db)
	if err != nil {
		return false, err
	}
	wantByCode := make(map[string]string, len(want))
	for _, k := range want {
		wantByCode[k.Code] = k.Name
	}
	var upserts []Kelurahan
	for _, k := range want {
		if name, ok := have[k.Code]; !ok || name != k.Name {
			upserts = append(upserts, k)
		}
	}
	var deletes []string
	for code := range have {
		if _, ok := wantByCode[code]; !ok {
			deletes = append(deletes, code)
		}
	}
	if len(upserts) == 0 && len(deletes) == 0 {
		return false, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("while starting the kelurahan update: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for _, k := range upserts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kelurahan (code, name) VALUES ($1, $2)
			ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name`, k.Code, k.Name); err != nil {
			return false, fmt.Errorf("while writing kelurahan %s: %w", k.Code, err)
		}
	}
	if len(deletes) > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM kelurahan WHERE code = ANY($1)`, deletes); err != nil {
			return false, fmt.Errorf("while removing kelurahan %v: %w", deletes, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("while committing the kelurahan update: %w", err)
	}
	return true, nil
}

// CountKelurahan returns how many kelurahan the tenant database holds.
func CountKelurahan(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM kelurahan`).Scan(&n); err != nil {
		return 0, fmt.Errorf("while counting kelurahan: %w", err)
	}
	return n, nil
}

func listKelurahan(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT code, name FROM kelurahan`)
	if err != nil {
		return nil, fmt.Errorf("while reading kelurahan: %w", err)
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return nil, fmt.Errorf("while reading kelurahan: %w", err)
		}
		have[code] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("while reading kelurahan: %w", err)
	}
	return have, nil
}
