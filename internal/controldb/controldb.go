// Package controldb owns the schema of the control database: staff accounts,
// sessions, API tokens, role grants, agencies and the audit log.
package controldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/slrt-id/slrt/internal/migrate"
)

//go:embed migrations/*.sql
var embedded embed.FS

// Migrations returns the control database migrations.
func Migrations() fs.FS {
	return migrate.Dir(embedded, "migrations")
}

// Migrate brings the control database at url to the latest version, under an
// advisory lock so that replicas starting together apply each step once.
func Migrate(ctx context.Context, url string) (int64, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return 0, fmt.Errorf("while parsing the control database URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	return migrate.Up(ctx, db, Migrations())
}
