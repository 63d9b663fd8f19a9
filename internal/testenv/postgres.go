package testenv

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/localpg"
)

// EnvPostgresURL names an existing PostgreSQL server to use instead of a
// private one: a superuser connection URI. Tests that stop the server skip.
const EnvPostgresURL = "SLRT_TEST_POSTGRES_URL"

// Postgres is the tests' PostgreSQL server.
type Postgres struct {
	*localpg.Server
}

// StartPostgres starts a private server on a free port in a temporary
// folder, or connects to the one named by SLRT_TEST_POSTGRES_URL.
func StartPostgres() (*Postgres, error) {
	if raw := os.Getenv(EnvPostgresURL); raw != "" {
		s, err := localpg.Existing(raw)
		return &Postgres{s}, err
	}
	return PrivatePostgres("", nil)
}

// PrivatePostgres starts a private server on a free port in a new folder
// under parent (the temporary folder when ""), with settings (name to
// value) beyond the tests' own, removed with the server even if the tests
// are killed.
func PrivatePostgres(parent string, settings map[string]string) (*Postgres, error) {
	dir, err := os.MkdirTemp(parent, "slrt-pg-*")
	if err != nil {
		return nil, err
	}
	if err := guardDir(dir); err != nil {
		return nil, err
	}
	s, err := localpg.Open(dir, localpg.Options{Guard: guardGroup, Settings: settings})
	if s == nil {
		s = &localpg.Server{Dir: dir}
	}
	return &Postgres{s}, err
}

// Close stops the server and removes its files.
func (p *Postgres) Close() error {
	if p.External() {
		return nil
	}
	err := p.Stop()
	if p.Dir != "" {
		err = errors.Join(err, os.RemoveAll(p.Dir))
	}
	return err
}

// AdminConn opens an admin connection to the postgres database for a test,
// closed when the test ends.
func (p *Postgres) AdminConn(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := p.Connect(context.Background(), "postgres")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}
