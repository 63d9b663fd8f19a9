package operator

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/tenantschema"
)

// reconcileSchema migrates the tenant database to the current schema version
// and keeps its kelurahan table in step with the spec. It connects with the
// tenant's own credentials, so the tables belong to the tenant role, and a
// pass also proves that those credentials work.
func (r *KecamatanReconciler) reconcileSchema(ctx context.Context, p *pass) error {
	kec, srv := p.kec, p.server
	if kec.Spec.Suspended {
		// The role cannot log in; the schema stays as it was.
		setPendingIfAbsent(kec, slrtv1.ConditionSchemaReady)
		return nil
	}
	if mv := kec.Status.Move; mv != nil && (mv.Step == moveStepPausing || mv.Step == moveStepCopying) {
		// Writes are paused for the copy: the schema is migrated on the
		// new server once the move switches to it.
		return nil
	}
	if !p.changed && r.verified.recent(kec) {
		return nil // SchemaReady stays as the last connecting pass set it
	}
	kelurahan, err := r.kelurahanOf(kec)
	if err != nil {
		return err
	}
	name := kec.DatabaseName()
	cfg, err := pgx.ParseConfig(string(p.credentials.Data[slrtv1.CredentialsKeyURI]))
	if err != nil {
		return blocked(reasonDatabaseError, "The credentials Secret of %s holds no valid connection URI: %v", name, err)
	}
	cfg.ConnectTimeout = 5 * time.Second
	// One connection, a few statements, each run once: preparing them
	// would cost a round trip each and save nothing.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	// A copy of the template made in this pass is at the template's
	// version: only its kelurahan are written.
	migrate := !p.copiedTemplate
	version, n, doing, err := migrateAndSync(ctx, cfg, kelurahan, migrate)
	if err != nil && pgadmin.IsUnreachable(err) && ctx.Err() == nil {
		// A connection ended under the pass (a failover, an administrator
		// ending sessions) is not a database down: one more try on a new
		// connection before the kecamatan is reported unreachable.
		version, n, doing, err = migrateAndSync(ctx, cfg, kelurahan, migrate)
	}
	if version != 0 {
		kec.Status.SchemaVersion = version
	}
	switch {
	case err == nil:
	case pgadmin.IsAuthFailure(err): // only a new connection meets it
		// The role's password drifted from the Secret: set it again next pass.
		kec.Status.CredentialsVersion = ""
		return retryable(reasonDatabaseError, err, "database %s refused the tenant credentials; the password is set again on the next pass", name)
	case doing == "migrating" && !pgadmin.IsUnreachable(err):
		// A failing migration affects this tenant alone; the others go on.
		return retryable(reasonMigrationFailed, err, "while migrating database %s to schema version %d", name, tenantschema.LatestVersion())
	default:
		return databaseError(err, srv, "while "+doing+" "+name)
	}
	kec.Status.KelurahanCount = int32(n)
	setCondition(kec, slrtv1.ConditionSchemaReady, true, reasonSchemaReady,
		fmt.Sprintf("Schema version %d with %d kelurahan.", version, n))
	r.verified.record(kec)
	return nil
}

// migrateAndSync migrates the tenant database (when migrate is set; else it
// is at the latest version) on a connection of its own and makes its
// kelurahan table hold kelurahan, whose number it returns; doing says which
// step an error came from ("migrating", "writing the kelurahan of").
func migrateAndSync(ctx context.Context, cfg *pgx.ConnConfig, kelurahan []tenantschema.Kelurahan, migrate bool) (version int64, n int, doing string, err error) {
	db := stdlib.OpenDB(*cfg)
	defer db.Close() //nolint:errcheck // nothing to do about a failed close
	db.SetMaxOpenConns(1)
	version = tenantschema.LatestVersion()
	if migrate {
		if version, err = tenantschema.Migrate(ctx, db); err != nil {
			return 0, 0, "migrating", err
		}
	}
	n, _, err = tenantschema.SyncKelurahan(ctx, db, kelurahan)
	if err != nil {
		return version, 0, "writing the kelurahan of", err
	}
	return version, n, "", nil
}

// kelurahanOf returns the kelurahan of the spec, or of the reference data when
// the spec lists none.
func (r *KecamatanReconciler) kelurahanOf(kec *slrtv1.Kecamatan) ([]tenantschema.Kelurahan, error) {
	var out []tenantschema.Kelurahan
	for _, k := range kec.Spec.Kelurahan {
		out = append(out, tenantschema.Kelurahan{Code: k.Code, Name: k.Name})
	}
	if len(out) > 0 {
		return out, nil
	}
	for _, a := range r.Reference.Children(kec.Spec.Code) {
		out = append(out, tenantschema.Kelurahan{Code: a.Code, Name: a.Name})
	}
	if len(out) == 0 {
		return nil, blocked(reasonKelurahanUnknown,
			"The reference data has no kelurahan for kecamatan code %s; list them in spec.kelurahan.", kec.Spec.Code)
	}
	return out, nil
}
