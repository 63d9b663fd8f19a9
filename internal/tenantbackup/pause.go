package tenantbackup

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// PauseWrites makes database c read-only (or writable again) for every new
// transaction, and ends the sessions of c's user already open on it, so that
// none goes on writing under the old setting. Reads go on: a session opened
// after this reads as before, and a write fails with SQLSTATE 25006
// (read_only_sql_transaction), which the API answers with 503 and
// Retry-After. It runs as the database's owner, the tenant's own role.
func (c Conn) PauseWrites(ctx context.Context, paused bool) error {
	conn, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// A session opened once writes are paused is read-only itself.
	if _, err := conn.Exec(ctx, `SET default_transaction_read_only = off`); err != nil {
		return fmt.Errorf("while opening a writable session on database %s: %w", c.Database, err)
	}
	db := pgx.Identifier{c.Database}.Sanitize()
	sql := `ALTER DATABASE ` + db + ` SET default_transaction_read_only = on`
	if !paused {
		sql = `ALTER DATABASE ` + db + ` RESET default_transaction_read_only`
	}
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("while setting database %s read-only=%t: %w", c.Database, paused, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		 WHERE datname = current_database() AND usename = current_user AND pid <> pg_backend_pid()`); err != nil {
		return fmt.Errorf("while ending the sessions on database %s: %w", c.Database, err)
	}
	return nil
}

// Fingerprints reads every table of database c in one snapshot.
func (c Conn) Fingerprints(ctx context.Context) ([]Table, error) {
	conn, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("while reading database %s: %w", c.Database, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	return Fingerprint(ctx, tx)
}
