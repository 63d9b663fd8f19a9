package tenantbackup

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Dumped is what a dump stored.
type Dumped struct {
	Size   int64
	SHA256 string
	Tables []Table
}

// Dump writes database c in pg_dump's custom format to file in store, and
// fingerprints its tables in the same snapshot: a transaction exports its
// snapshot, pg_dump reads that snapshot, and the fingerprints are taken in
// the transaction, so both see exactly the same rows while writes go on.
func (t Tools) Dump(ctx context.Context, c Conn, store Store, file string) (Dumped, error) {
	conn, err := c.connect(ctx)
	if err != nil {
		return Dumped{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Dumped{}, fmt.Errorf("while starting the backup's snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only; nothing to undo
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return Dumped{}, fmt.Errorf("while exporting the backup's snapshot: %w", err)
	}
	tables, err := Fingerprint(ctx, tx)
	if err != nil {
		return Dumped{}, err
	}
	size, digest, err := store.Write(file, func(w io.Writer) error {
		return t.run(ctx, c, nil, w, "pg_dump", "--format=custom", "--snapshot="+snapshot, "--no-password", "--dbname="+c.Database)
	})
	if err != nil {
		return Dumped{}, err
	}
	return Dumped{Size: size, SHA256: digest, Tables: tables}, nil
}

// Restore fills database c, which must be empty, from file in store: the
// file is checked against digest, pg_restore runs in one transaction as c's
// user (who then owns every object), and the restored tables are compared
// with want. A mismatch is a *MismatchError.
func (t Tools) Restore(ctx context.Context, c Conn, store Store, file, digest string, want []Table) error {
	f, err := store.Open(file, digest)
	if err != nil {
		return err
	}
	defer f.Close() //nolint:errcheck // read only
	err = t.run(ctx, c, f, io.Discard, "pg_restore", "--exit-on-error", "--single-transaction",
		"--no-owner", "--no-acl", "--no-password", "--dbname="+c.Database)
	if err != nil {
		return err
	}
	got, err := c.Fingerprints(ctx)
	if err != nil {
		return err
	}
	if diffs := Compare(want, got); len(diffs) > 0 {
		return &MismatchError{Diffs: diffs}
	}
	return nil
}

// MismatchError says a restored database differs from its backup.
type MismatchError struct {
	Diffs []string
}

func (e *MismatchError) Error() string {
	msg := fmt.Sprintf("the restored database differs from the backup in %d table(s): ", len(e.Diffs))
	for i, d := range e.Diffs {
		if i == 5 {
			return msg + fmt.Sprintf("; and %d more", len(e.Diffs)-5)
		}
		if i > 0 {
			msg += "; "
		}
		msg += d
	}
	return msg
}

func (c Conn) pgxConfig() (*pgx.ConnConfig, error) {
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(c.User, c.Password),
		Host:   net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path:   "/" + c.Database,
		RawQuery: url.Values{
			"sslmode": {c.SSLMode}, "connect_timeout": {"10"}, "application_name": {"slrt-backup"},
		}.Encode(),
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("while reading the connection to database %s: %w", c.Database, err)
	}
	return cfg, nil
}

// connect opens a connection to c's database.
func (c Conn) connect(ctx context.Context) (*pgx.Conn, error) {
	cfg, err := c.pgxConfig()
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("while connecting to database %s: %w", c.Database, err)
	}
	return conn, nil
}
