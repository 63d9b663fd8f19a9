// Package migrate applies a set of embedded SQL migrations to a PostgreSQL
// database with goose, under a session-level advisory lock so that several
// processes migrating the same database at once apply each step once.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Dir returns the migrations in folder dir of an embedded file system.
func Dir(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // an embedded folder is fixed at build time
	}
	return sub
}

// Up applies every pending migration in fsys (goose-annotated .sql files,
// each run in its own transaction) and returns the version the database is at.
func Up(ctx context.Context, db *sql.DB, fsys fs.FS) (int64, error) {
	p, err := newProvider(db, fsys)
	if err != nil {
		return 0, err
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("while applying migrations: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("while reading the schema version: %w", err)
	}
	return v, nil
}

// Versions returns the version the database is at and the newest version
// fsys holds, without changing anything.
func Versions(ctx context.Context, db *sql.DB, fsys fs.FS) (current, latest int64, err error) {
	p, err := newProvider(db, fsys)
	if err != nil {
		return 0, 0, err
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("while reading schema versions: %w", err)
	}
	return current, latest, nil
}

// Latest returns the newest migration version in fsys.
func Latest(fsys fs.FS) (int64, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return 0, fmt.Errorf("while listing migrations: %w", err)
	}
	var latest int64
	for _, name := range names {
		v, err := goose.NumericComponent(name)
		if err != nil {
			return 0, fmt.Errorf("while reading the version of %s: %w", name, err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

func newProvider(db *sql.DB, fsys fs.FS) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("while creating the migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("while loading migrations: %w", err)
	}
	return p, nil
}
