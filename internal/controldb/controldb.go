// Package controldb owns the schema of the control database: staff accounts,
// sessions, API tokens, role grants, agencies and the audit log.
package controldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/slrt-id/slrt/internal/migrate"
)

//go:embed migrations/*.sql
var embedded embed.FS

// Migrations returns the control database migrations.
func Migrations() fs.FS {
	return migrate.Dir(embedded, "migrations")
}

// Migrate brings the control database at url to the latest version, under an
// advisory lock so that replicas starting together apply each step once: its
// own schema first, then the job queue's (River's, in the schema river).
func Migrate(ctx context.Context, url string) (int64, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return 0, fmt.Errorf("while parsing the control database URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	v, err := migrate.Up(ctx, db, Migrations())
	if err != nil {
		return v, err
	}
	return v, migrateJobs(ctx, cfg)
}

// JobSchema holds the job queue's tables.
const JobSchema = "river"

// jobsLock is the advisory lock key under which the job queue's schema is
// migrated ("slrtjobs").
const jobsLock = 0x736c72746a6f6273

// migrateJobs brings the job queue's tables to the version the linked River
// needs.
func migrateJobs(ctx context.Context, cfg *pgx.ConnConfig) error {
	lock, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return fmt.Errorf("while connecting to migrate the job queue: %w", err)
	}
	defer lock.Close(context.WithoutCancel(ctx))
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(jobsLock)); err != nil {
		return fmt.Errorf("while waiting to migrate the job queue: %w", err)
	}
	poolCfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return err
	}
	poolCfg.ConnConfig = cfg.Copy()
	poolCfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return fmt.Errorf("while connecting to migrate the job queue: %w", err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: JobSchema, Logger: slog.Default()})
	if err == nil {
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		return fmt.Errorf("while migrating the job queue: %w", err)
	}
	return nil
}
