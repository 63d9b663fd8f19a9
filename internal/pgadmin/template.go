package pgadmin

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A tenant template is a database at the current tenant schema whose
// objects belong to pg_database_owner, the role that stands for whoever owns
// the database at hand. CREATE DATABASE ... TEMPLATE copies it with the
// catalogue, and in the copy the tenant role, as its owner, owns every table:
// nothing is migrated per tenant and no ownership is reassigned. It is built
// under a second name and renamed once complete, with connections refused,
// so that a half-built template is never copied and nobody's session keeps
// CREATE DATABASE from copying it.

// templateMinVersion is the first PostgreSQL with pg_database_owner (14).
const templateMinVersion = 140000

// TemplatesSupported reports whether the server can hold tenant templates.
func (a *Admin) TemplatesSupported(ctx context.Context) (bool, error) {
	var v int
	if err := a.conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&v); err != nil {
		return false, fmt.Errorf("while reading the server version: %w", err)
	}
	return v >= templateMinVersion, nil
}

// TemplateReady reports whether template name was built to the end.
func (a *Admin) TemplateReady(ctx context.Context, name string) (bool, error) {
	var ready bool
	err := a.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND NOT datallowconn)`, name).Scan(&ready)
	if err != nil {
		return false, fmt.Errorf("while looking up template %s: %w", name, err)
	}
	return ready, nil
}

// StartTemplate makes database building empty (a build a crash left is
// dropped) and ready to be filled as pg_database_owner, who may create the
// schema's extensions in it.
func (a *Admin) StartTemplate(ctx context.Context, building string) error {
	if err := a.dropDatabase(ctx, building); err != nil {
		return err
	}
	if err := a.createDatabase(ctx, building, "", ""); err != nil {
		return err
	}
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`GRANT CREATE ON DATABASE %s TO pg_database_owner`, ident(building))); err != nil {
		return fmt.Errorf("while preparing template %s: %w", building, err)
	}
	return nil
}

// CompactTemplate rewrites every table of the template that conn is
// connected to (as its owner, before it is published) tightly packed and
// with every row frozen. Each tenant database is a page-by-page copy of the
// template: the migrations' dead catalogue rows and the free-space maps of
// the tables they touched were 1.2 of its 9.1 MB, copied, logged and
// stored 7,300 times at national scale. Frozen rows spare each copy the
// anti-wraparound vacuum that would otherwise rewrite it one day. Shared
// catalogues (roles, databases) are left alone: rewriting them would lock
// every login on the server.
func CompactTemplate(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT oid::regclass::text FROM pg_class WHERE relkind IN ('r', 'm') AND NOT relisshared ORDER BY oid`)
	if err != nil {
		return fmt.Errorf("while listing the template's tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("while listing the template's tables: %w", err)
	}
	if _, err := conn.Exec(ctx, `VACUUM (FULL, FREEZE) `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("while compacting the template: %w", err)
	}
	return nil
}

// PublishTemplate closes the filled database building to connections and
// gives it its name; then drops the other templates whose names start with
// prefix (those of older schema versions). A template in use by a CREATE
// DATABASE at that moment stays, to be dropped by the next publish.
func (a *Admin) PublishTemplate(ctx context.Context, building, name, prefix string) error {
	for _, sql := range []string{
		fmt.Sprintf(`ALTER DATABASE %s ALLOW_CONNECTIONS false`, ident(building)),
		fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, ident(building), ident(name)),
	} {
		if _, err := a.conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("while publishing template %s: %w", name, err)
		}
	}
	rows, err := a.conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2 AND NOT datallowconn`, prefix, name)
	if err != nil {
		return fmt.Errorf("while listing old templates: %w", err)
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("while listing old templates: %w", err)
	}
	for _, db := range old {
		_, _ = a.conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s`, ident(db)))
	}
	return nil
}
