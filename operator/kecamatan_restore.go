package operator

import (
	"context"
	"errors"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

// Restore condition reasons (on DatabaseReady).
const (
	reasonRestored              = "Restored"
	reasonRestoreWaiting        = "WaitingForBackup"
	reasonBackupNotFound        = "BackupNotFound"
	reasonBackupUnusable        = "BackupUnusable"
	reasonBackupOfAnotherTenant = "BackupOfAnotherKecamatan"
	reasonRestoreNeedsLogin     = "RestoreNeedsLogin"
	reasonRestoreFailed         = "RestoreFailed"
)

// restoringName is the database a restore fills before it takes the
// tenant's name, so that the tenant's database exists only once it is whole.
func restoringName(name string) string { return name + "_restoring" }

// restoreDatabase fills the tenant's missing database from the backup
// spec.database.restoreFrom names: an empty database under a temporary name
// is filled by pg_restore as the tenant's role, every table is checked
// against the backup's fingerprints, and only then is the database renamed
// to the tenant's. An operator stopped midway leaves the temporary database,
// which the next pass drops and fills again.
func (r *KecamatanReconciler) restoreDatabase(ctx context.Context, p *pass) error {
	kec, srv, name := p.kec, p.server, p.kec.DatabaseName()
	b, err := r.backupToRestore(ctx, kec)
	if err != nil {
		return err
	}
	refused := "Backup " + b.Name + " was not restored, and database " + name + " was not created"
	if c := findCondition(kec, slrtv1.ConditionDatabaseReady); c != nil && c.Reason == reasonRestoreFailed &&
		c.ObservedGeneration == kec.Generation && strings.HasPrefix(c.Message, refused) {
		// Found not to match for this spec already: not tried again on every
		// pass (each try makes and drops a database), only for a new spec.
		return blocked(reasonRestoreFailed, "%s", c.Message)
	}
	tmp := restoringName(name)
	if err := withAdmin(ctx, srv, func(admin *pgadmin.Admin) error { return admin.RecreateDatabase(ctx, tmp, name) }); err != nil {
		return databaseError(err, srv, "while creating database "+tmp+" to restore into")
	}
	want := make([]tenantbackup.Table, len(b.Status.Tables))
	for i, t := range b.Status.Tables {
		want[i] = tenantbackup.Table{Name: t.Name, Rows: t.Rows, Checksum: t.Checksum}
	}
	err = r.Config.PGTools.Restore(ctx, tenantConn(p.credentials, tmp), r.Config.Backups, b.Status.File, b.Status.SHA256, want)
	var mismatch *tenantbackup.MismatchError
	switch {
	case err == nil:
	case errors.As(err, &mismatch) || errors.Is(err, tenantbackup.ErrCorrupt):
		// The backup itself is wrong: retrying cannot help, and the tenant
		// must not start from data that differs from what was backed up.
		_ = withAdmin(ctx, srv, func(admin *pgadmin.Admin) error { return admin.DropDatabase(ctx, "", tmp) })
		r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, reasonRestoreFailed, "Restore",
			"Backup %s was not restored: %v", b.Name, err)
		return blocked(reasonRestoreFailed, "%s: %v. Name another backup in spec.database.restoreFrom.", refused, err)
	case pgadmin.IsUnreachable(err):
		return databaseError(err, srv, "while restoring backup "+b.Name)
	default:
		return retryable(reasonRestoreFailed, err, "while restoring backup %s into %s", b.Name, tmp)
	}
	if err := withAdmin(ctx, srv, func(admin *pgadmin.Admin) error { return admin.RenameDatabase(ctx, tmp, name) }); err != nil {
		return databaseError(err, srv, "while giving the restored database its name "+name)
	}
	kec.Status.RestoredFrom = b.Name
	r.Recorder.Eventf(kec, nil, corev1.EventTypeNormal, reasonRestored, "Restore",
		"Database %s restored from backup %s (%d tables checked against the backup)", name, b.Name, len(want))
	return nil
}

// backupToRestore reads the backup spec.database.restoreFrom names and checks
// it can fill this tenant.
func (r *KecamatanReconciler) backupToRestore(ctx context.Context, kec *slrtv1.Kecamatan) (*slrtv1.KecamatanBackup, error) {
	b := &slrtv1.KecamatanBackup{}
	name := kec.Spec.Database.RestoreFrom
	if err := r.Get(ctx, client.ObjectKey{Name: name}, b); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, blocked(reasonBackupNotFound, "No KecamatanBackup named %q exists (spec.database.restoreFrom).", name)
		}
		return nil, retryable(reasonKubernetesError, err, "while reading KecamatanBackup %s", name)
	}
	switch {
	case b.Status.Phase == slrtv1.BackupFailed:
		return nil, blocked(reasonBackupUnusable, "KecamatanBackup %s failed; name a completed backup in spec.database.restoreFrom.", name)
	case b.Status.Phase != slrtv1.BackupCompleted:
		return nil, waiting(reasonRestoreWaiting, "Waiting for KecamatanBackup %s to complete before restoring it.", name)
	case b.Status.Code != kec.Spec.Code:
		return nil, blocked(reasonBackupOfAnotherTenant,
			"KecamatanBackup %s holds kecamatan %s, not %s: a backup is restored only into the kecamatan it was taken from.", name, b.Status.Code, kec.Spec.Code)
	case kec.Spec.Suspended:
		return nil, blocked(reasonRestoreNeedsLogin,
			"Restoring runs as the tenant's role, whose login is disabled while the tenant is suspended; set spec.suspended to false.")
	}
	return b, nil
}
