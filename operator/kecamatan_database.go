package operator

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/pgadmin"
)

// errDatabaseLost says a provisioned tenant's database is gone.
var errDatabaseLost = errors.New("the tenant's database is missing")

// reconcileDatabase makes the tenant's role and database on its server, with
// the role's password kept in the credentials Secret, and login enabled or
// disabled as spec.suspended says.
func (r *KecamatanReconciler) reconcileDatabase(ctx context.Context, p *pass) error {
	kec := p.kec
	srv, err := r.server(ctx, kec.ServerName())
	if err != nil {
		return err
	}
	name := kec.DatabaseName()
	secret, err := r.ensureCredentials(ctx, kec, srv)
	if err != nil {
		return err
	}
	p.server, p.credentials = srv, secret
	password := string(secret.Data[slrtv1.CredentialsKeyPassword])

	restore := false
	err = withAdmin(ctx, srv, func(admin *pgadmin.Admin) error {
		role, err := admin.Role(ctx, name)
		if err != nil {
			return err
		}
		wantLogin := !kec.Spec.Suspended
		switch {
		case !role.Exists:
			if err := admin.CreateRole(ctx, name, password, wantLogin); err != nil {
				return err
			}
			p.changed = true
		case kec.Status.CredentialsVersion != secret.ResourceVersion:
			if err := admin.SetPassword(ctx, name, password); err != nil {
				return err
			}
			p.changed = true
		}
		if role.Exists && role.CanLogin != wantLogin {
			if err := admin.SetLogin(ctx, name, wantLogin); err != nil {
				return err
			}
			p.changed = true
		}
		exists, err := admin.DatabaseExists(ctx, name)
		switch {
		case err != nil:
			return err
		case !exists && kec.Spec.Database.RestoreFrom != "":
			restore = true
			return nil
		case !exists && kec.Status.SchemaVersion > 0:
			// It held the tenant's data: an empty one in its place would
			// serve an empty registry as if nothing had happened.
			return errDatabaseLost
		}
		if exists {
			return admin.SecureDatabase(ctx, name, name)
		}
		template := r.tenantTemplate(ctx, srv, admin)
		p.changed = true
		created, err := admin.CreateDatabase(ctx, name, name, template)
		p.copiedTemplate = created && template != ""
		return err
	})
	if errors.Is(err, errDatabaseLost) {
		r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, reasonDatabaseLost, "Provision", "Database %s is missing on server %s", name, srv.name)
		return blocked(reasonDatabaseLost,
			"Database %s is missing on server %s, though it was provisioned and held the tenant's data. Restore it from a backup: set spec.database.restoreFrom (docs/operations.md, A lost tenant database).", name, srv.name)
	}
	if err != nil {
		return databaseError(err, srv, "while provisioning role and database "+name)
	}
	if restore {
		if err := r.restoreDatabase(ctx, p); err != nil {
			return err
		}
	}
	kec.Status.DatabaseName = name
	kec.Status.CredentialsSecret = secret.Name
	kec.Status.CredentialsVersion = secret.ResourceVersion
	if kec.Spec.Suspended {
		setCondition(kec, slrtv1.ConditionDatabaseReady, true, reasonLoginDisabled,
			"Database "+name+" exists; its login is disabled because the tenant is suspended.")
	} else if restore {
		setCondition(kec, slrtv1.ConditionDatabaseReady, true, reasonRestored,
			"Database "+name+" on server "+srv.name+" was restored from backup "+kec.Status.RestoredFrom+" and checked against it.")
	} else {
		setCondition(kec, slrtv1.ConditionDatabaseReady, true, reasonDatabaseReady,
			"Database "+name+" on server "+srv.name+" is ready; credentials are in Secret "+kec.NamespaceName()+"/"+secret.Name+".")
	}
	return nil
}

// ensureCredentials makes the tenant's credentials Secret, generating a
// password when the Secret is new or has none, and keeping the connection
// keys in step with the server.
func (r *KecamatanReconciler) ensureCredentials(ctx context.Context, kec *slrtv1.Kecamatan, srv *server) (*corev1.Secret, error) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: credentialsSecretName, Namespace: kec.NamespaceName()}}
	var genErr error
	err := r.ensure(ctx, kec, secret, func() {
		password := string(secret.Data[slrtv1.CredentialsKeyPassword])
		if password == "" {
			password, genErr = pgadmin.GeneratePassword()
		}
		name := kec.DatabaseName()
		secret.Type = corev1.SecretTypeOpaque
		secret.Data = map[string][]byte{
			slrtv1.CredentialsKeyHost:     []byte(srv.host),
			slrtv1.CredentialsKeyPort:     []byte(strconv.Itoa(srv.port)),
			slrtv1.CredentialsKeyDBName:   []byte(name),
			slrtv1.CredentialsKeyUsername: []byte(name),
			slrtv1.CredentialsKeyPassword: []byte(password),
			slrtv1.CredentialsKeySSLMode:  []byte(srv.sslMode),
			slrtv1.CredentialsKeyURI:      []byte(srv.uri(name, password, name)),
		}
	})
	if genErr != nil {
		return nil, retryable(reasonDatabaseError, genErr, "while generating the database password")
	}
	if err != nil {
		return nil, namespaceError(err, "secret", secret.Name)
	}
	return secret, nil
}

// withAdmin runs fn on an admin connection of srv.
func withAdmin(ctx context.Context, srv *server, fn func(*pgadmin.Admin) error) error {
	return acquire(ctx, srv.admin, func(c *pgxpool.Conn) error { return fn(pgadmin.New(c.Conn())) })
}

func acquire(ctx context.Context, pool *pgxpool.Pool, fn func(*pgxpool.Conn) error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return fn(conn)
}

// databaseError tells an unreachable server (retried until it answers) from
// an error of the server itself.
func databaseError(err error, srv *server, doing string) error {
	if pgadmin.IsUnreachable(err) {
		return retryable(reasonDatabaseUnreachable, err,
			"PostgreSQL server %q at %s:%d cannot be reached (%s); the operator retries until it answers", srv.name, srv.host, srv.port, doing)
	}
	return retryable(reasonDatabaseError, err, "on PostgreSQL server %q, %s", srv.name, doing)
}
