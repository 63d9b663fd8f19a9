// Package pgadmin manages tenant roles and databases on a PostgreSQL server
// through its admin connection. Every function is idempotent: it inspects the
// catalogue first and changes only what differs, so a provisioning step can be
// repeated after a crash at any point.
package pgadmin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/dbfault"
)

// Admin manages roles and databases over an admin connection to one
// PostgreSQL server: a superuser, or a role with CREATEROLE and CREATEDB.
type Admin struct {
	conn *pgx.Conn
}

// New wraps an open admin connection; the caller keeps ownership of it.
func New(conn *pgx.Conn) *Admin { return &Admin{conn: conn} }

// RoleState is what the catalogue says about a role.
type RoleState struct {
	Exists   bool
	CanLogin bool
}

// Role looks a role up in pg_roles.
func (a *Admin) Role(ctx context.Context, name string) (RoleState, error) {
	var st RoleState
	err := a.conn.QueryRow(ctx, `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, name).Scan(&st.CanLogin)
	if errors.Is(err, pgx.ErrNoRows) {
		return RoleState{}, nil
	}
	if err != nil {
		return RoleState{}, fmt.Errorf("while looking up role %s: %w", name, err)
	}
	st.Exists = true
	return st, nil
}

// CreateRole creates a login role with no privileges beyond LOGIN: it cannot
// create roles or databases. (It must inherit: the owner of a database gets the
// public schema through pg_database_owner membership.)
func (a *Admin) CreateRole(ctx context.Context, name, password string, login bool) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	sql := fmt.Sprintf(`CREATE ROLE %s %s NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT %d PASSWORD %s`,
		ident(name), loginKeyword(login), roleConnectionLimit, literal(verifier))
	if _, err := a.conn.Exec(ctx, sql); err != nil && !isCode(err, "42710") { // duplicate_object: another pass won
		return fmt.Errorf("while creating role %s: %w", name, err)
	}
	return nil
}

// roleConnectionLimit bounds what one tenant can take from a shared server.
const roleConnectionLimit = 50

// SetPassword replaces a role's password.
func (a *Admin) SetPassword(ctx context.Context, name, password string) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`ALTER ROLE %s PASSWORD %s`, ident(name), literal(verifier))); err != nil {
		return fmt.Errorf("while setting the password of role %s: %w", name, err)
	}
	return nil
}

// SetLogin enables or disables a role's login. Disabling also ends the role's
// open sessions, since NOLOGIN only stops new ones.
func (a *Admin) SetLogin(ctx context.Context, name string, login bool) error {
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`ALTER ROLE %s %s`, ident(name), loginKeyword(login))); err != nil {
		return fmt.Errorf("while setting %s on role %s: %w", loginKeyword(login), name, err)
	}
	if login {
		return nil
	}
	return a.TerminateSessions(ctx, name)
}

// TerminateSessions ends every session opened by role name.
func (a *Admin) TerminateSessions(ctx context.Context, name string) error {
	if _, err := a.conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE usename = $1 AND pid <> pg_backend_pid()`, name); err != nil {
		return fmt.Errorf("while ending the sessions of role %s: %w", name, err)
	}
	return nil
}

// DatabaseExists reports whether a database exists.
func (a *Admin) DatabaseExists(ctx context.Context, name string) (bool, error) {
	var exists bool
	if err := a.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("while looking up database %s: %w", name, err)
	}
	return exists, nil
}

// CreateDatabase creates database name owned by role owner as a copy of
// database template (template0 when empty), closed to everyone else: CONNECT
// and TEMPORARY are revoked from PUBLIC, so other tenants' roles cannot even
// connect. A database of that name made meanwhile (by a pass cut short) is
// secured as SecureDatabase does, and created reports false.
func (a *Admin) CreateDatabase(ctx context.Context, name, owner, template string) (created bool, err error) {
	err = a.createDatabase(ctx, name, owner, template)
	if isCode(err, "42P04") { // duplicate_database
		return false, a.SecureDatabase(ctx, name, owner)
	}
	return err == nil, err
}

// SecureDatabase gives existing database name back to owner and closes it
// to PUBLIC again, when either drifted.
func (a *Admin) SecureDatabase(ctx context.Context, name, owner string) error {
	var owned, publicConnect bool
	err := a.conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) = $2,
		       has_database_privilege('public', oid, 'CONNECT') OR has_database_privilege('public', oid, 'TEMPORARY')
		  FROM pg_database WHERE datname = $1`, name, owner).Scan(&owned, &publicConnect)
	if err != nil {
		return fmt.Errorf("while reading the privileges of database %s: %w", name, err)
	}
	if !owned {
		if _, err := a.conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s OWNER TO %s`, ident(name), ident(owner))); err != nil {
			return fmt.Errorf("while giving database %s to %s: %w", name, owner, err)
		}
	}
	if publicConnect {
		return a.closeToPublic(ctx, name)
	}
	return nil
}

// RecreateDatabase makes database name empty: it is dropped when it exists
// (its sessions ended) and created again, owned by owner and closed to
// PUBLIC. A restore fills such a database under a temporary name.
func (a *Admin) RecreateDatabase(ctx context.Context, name, owner string) error {
	if err := a.dropDatabase(ctx, name); err != nil {
		return err
	}
	return a.createDatabase(ctx, name, owner, "")
}

// RenameDatabase gives database from the name to, which must be free.
func (a *Admin) RenameDatabase(ctx context.Context, from, to string) error {
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, ident(from), ident(to))); err != nil {
		return fmt.Errorf("while renaming database %s to %s: %w", from, to, err)
	}
	return nil
}

// createDatabase creates database name as a copy of template (template0
// when empty), owned by owner (the admin when empty) and closed to PUBLIC.
func (a *Admin) createDatabase(ctx context.Context, name, owner, template string) error {
	if template == "" {
		template = "template0"
	}
	ownerClause := ""
	if owner != "" {
		ownerClause = " OWNER " + ident(owner)
	}
	// CREATE DATABASE cannot run in a transaction block, so it stands alone.
	sql := fmt.Sprintf(`CREATE DATABASE %s%s TEMPLATE %s ENCODING 'UTF8'`, ident(name), ownerClause, ident(template))
	if _, err := a.conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("while creating database %s: %w", name, err)
	}
	return a.closeToPublic(ctx, name)
}

// closeToPublic revokes what every role gets on a new database (CONNECT,
// TEMPORARY): only its owner, and roles granted to it, may connect.
func (a *Admin) closeToPublic(ctx context.Context, name string) error {
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`REVOKE ALL ON DATABASE %s FROM PUBLIC`, ident(name))); err != nil {
		return fmt.Errorf("while closing database %s to PUBLIC: %w", name, err)
	}
	return nil
}

func (a *Admin) dropDatabase(ctx context.Context, name string) error {
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, ident(name))); err != nil {
		return fmt.Errorf("while dropping database %s: %w", name, err)
	}
	return nil
}

// DropDatabase ends every session on the databases and drops them, then
// drops their role (none when role is empty). Each is skipped when already
// gone.
func (a *Admin) DropDatabase(ctx context.Context, role string, names ...string) error {
	for _, name := range names {
		if err := a.dropDatabase(ctx, name); err != nil {
			return err
		}
	}
	if role == "" {
		return nil
	}
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`DROP ROLE IF EXISTS %s`, ident(role))); err != nil {
		return fmt.Errorf("while dropping role %s: %w", role, err)
	}
	return nil
}

// DropRoleUnlessOwner drops role name unless it still owns a database (one
// set aside by hand, say), in which case its login is disabled instead.
func (a *Admin) DropRoleUnlessOwner(ctx context.Context, name string) (dropped bool, err error) {
	var owns bool
	err = a.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1)`, name).Scan(&owns)
	if err != nil {
		return false, fmt.Errorf("while looking up the databases of role %s: %w", name, err)
	}
	if owns {
		return false, a.SetLogin(ctx, name, false)
	}
	if _, err := a.conn.Exec(ctx, fmt.Sprintf(`DROP ROLE IF EXISTS %s`, ident(name))); err != nil {
		return false, fmt.Errorf("while dropping role %s: %w", name, err)
	}
	return true, nil
}

func loginKeyword(login bool) string {
	if login {
		return "LOGIN"
	}
	return "NOLOGIN"
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

// literal quotes a string constant for utility statements (CREATE ROLE,
// ALTER ROLE) that take no bind parameters.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func isCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// IsAuthFailure reports whether err is PostgreSQL refusing a login: a wrong
// password (28P01), a role that may not log in or does not exist (28000).
func IsAuthFailure(err error) bool {
	return isCode(err, "28P01") || isCode(err, "28000")
}

// IsUnreachable reports whether err means the server could not be reached,
// went away or did not answer in time, as opposed to the server answering
// with an error (dbfault tells the kinds apart).
func IsUnreachable(err error) bool {
	switch dbfault.Classify(err) {
	case dbfault.Unreachable, dbfault.Lost:
		return true
	case dbfault.Timeout:
		return errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
	}
	return false
}
