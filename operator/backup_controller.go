package operator

import (
	"context"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

// BackupFinalizer deletes a backup's file when the backup is deleted.
const BackupFinalizer = "slrt.id/backup-file"

// Backup condition reasons.
const (
	reasonBackupCompleted      = "Completed"
	reasonBackupWaiting        = "WaitingForTenant"
	reasonBackupFailed         = "BackupFailed"
	reasonBackupNoKecamatan    = "KecamatanNotFound"
	reasonBackupInterrupted    = "Interrupted"
	reasonBackupStoreMissing   = "NoBackupStore"
	maxBackupAttempts          = 3
	backupRetryInterval        = 15 * time.Second
	maxConcurrentBackups       = 2
	backupWaitForTenant        = 10 * time.Second
	backupCompletedEventReason = "BackupCompleted"
)

// KecamatanBackupReconciler takes each KecamatanBackup: it dumps the
// tenant's database into the backup store and fingerprints its tables.
type KecamatanBackupReconciler struct {
	client.Client
	kec *KecamatanReconciler // shares its configuration and event recorder
}

// +kubebuilder:rbac:groups=slrt.id,resources=kecamatanbackups,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=slrt.id,resources=kecamatanbackups/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=slrt.id,resources=kecamatanbackups/finalizers,verbs=update

// Reconcile takes one backup, once: a Completed or Failed backup is left as
// it is. An attempt cut short (the operator stopped mid-dump) is found
// Running by the next process and started again.
func (r *KecamatanBackupReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	b := &slrtv1.KecamatanBackup{}
	if err := r.Get(ctx, req.NamespacedName, b); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues("kecamatanBackup", b.Name))
	if !b.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.release(ctx, b)
	}
	if b.IsFinal() {
		return ctrl.Result{}, nil
	}
	kec := &slrtv1.Kecamatan{}
	if err := r.Get(ctx, client.ObjectKey{Name: b.Spec.Kecamatan}, kec); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("while reading Kecamatan %s: %w", b.Spec.Kecamatan, err)
		}
		return ctrl.Result{}, r.finish(ctx, b, slrtv1.BackupFailed, reasonBackupNoKecamatan,
			fmt.Sprintf("No Kecamatan named %q exists.", b.Spec.Kecamatan))
	}
	if r.kec.Config.Backups.Dir == "" {
		return ctrl.Result{}, r.finish(ctx, b, slrtv1.BackupFailed, reasonBackupStoreMissing,
			"The operator has no backup store: start it with --backup-dir (the chart's backups values).")
	}
	if ready, why := tenantCanBeDumped(kec); !ready {
		original := b.DeepCopy()
		b.Status.Phase = slrtv1.BackupPending
		setBackupCondition(b, false, reasonBackupWaiting, why)
		return ctrl.Result{RequeueAfter: backupWaitForTenant}, r.patchStatus(ctx, original, b)
	}
	if err := r.claim(ctx, b, kec); err != nil {
		if apierrors.IsConflict(err) {
			return ctrl.Result{RequeueAfter: conflictRetry}, nil
		}
		return ctrl.Result{}, err
	}
	return r.dump(ctx, b, kec)
}

// tenantCanBeDumped says whether the tenant's role can log in to a database
// that exists, and why not.
func tenantCanBeDumped(kec *slrtv1.Kecamatan) (bool, string) {
	switch {
	case kec.Spec.Suspended:
		return false, "Kecamatan " + kec.Name + " is suspended: its database login is disabled. The backup is taken once it is resumed."
	case !kec.IsReady() || kec.Status.CredentialsSecret == "":
		return false, "Waiting for Kecamatan " + kec.Name + " to be Ready."
	}
	return true, ""
}

// claim records, before any work, that an attempt starts: the finalizer and
// the code label, then the Running phase with the attempt counted.
func (r *KecamatanBackupReconciler) claim(ctx context.Context, b *slrtv1.KecamatanBackup, kec *slrtv1.Kecamatan) error {
	if controllerutil.AddFinalizer(b, BackupFinalizer) || b.Labels[slrtv1.CodeLabel] != kec.Spec.Code {
		if b.Labels == nil {
			b.Labels = map[string]string{}
		}
		b.Labels[slrtv1.CodeLabel] = kec.Spec.Code
		if err := r.Update(ctx, b); err != nil {
			return fmt.Errorf("while labelling backup %s: %w", b.Name, err)
		}
	}
	original := b.DeepCopy()
	if b.Status.Phase == slrtv1.BackupRunning {
		setBackupCondition(b, false, reasonBackupInterrupted, "The previous attempt was cut short (the operator stopped); starting again.")
	}
	b.Status.Phase = slrtv1.BackupRunning
	b.Status.Attempts++
	b.Status.StartedAt = &metav1.Time{Time: time.Now()}
	b.Status.Code = kec.Spec.Code
	b.Status.Server = kec.Status.Server
	b.Status.DatabaseName = kec.Status.DatabaseName
	b.Status.SchemaVersion = kec.Status.SchemaVersion
	b.Status.File = kec.Spec.Code + "/" + b.Name + ".dump"
	return r.patchStatus(ctx, original, b)
}

// dump runs the attempt claimed.
func (r *KecamatanBackupReconciler) dump(ctx context.Context, b *slrtv1.KecamatanBackup, kec *slrtv1.Kecamatan) (ctrl.Result, error) {
	secret := &corev1.Secret{}
	key := client.ObjectKey{Namespace: kec.NamespaceName(), Name: kec.Status.CredentialsSecret}
	err := r.Get(ctx, key, secret)
	var dumped tenantbackup.Dumped
	if err == nil {
		dumped, err = r.kec.Config.PGTools.Dump(ctx, tenantConn(secret, kec.Status.DatabaseName), r.kec.Config.Backups, b.Status.File)
	}
	if err != nil {
		msg := fmt.Sprintf("Attempt %d of %d failed: %v", b.Status.Attempts, maxBackupAttempts, err)
		if b.Status.Attempts >= maxBackupAttempts {
			r.kec.Recorder.Eventf(b, nil, corev1.EventTypeWarning, reasonBackupFailed, "Backup", "%s", msg)
			return ctrl.Result{}, r.finish(ctx, b, slrtv1.BackupFailed, reasonBackupFailed, msg)
		}
		original := b.DeepCopy()
		b.Status.Phase = slrtv1.BackupPending
		setBackupCondition(b, false, reasonBackupFailed, msg+"; trying again.")
		return ctrl.Result{RequeueAfter: backupRetryInterval}, r.patchStatus(ctx, original, b)
	}
	original := b.DeepCopy()
	b.Status.Size = resource.NewQuantity(dumped.Size, resource.BinarySI)
	b.Status.SHA256 = dumped.SHA256
	b.Status.Tables = make([]slrtv1.TableFingerprint, len(dumped.Tables))
	for i, t := range dumped.Tables {
		b.Status.Tables[i] = slrtv1.TableFingerprint{Name: t.Name, Rows: t.Rows, Checksum: t.Checksum}
	}
	msg := fmt.Sprintf("Database %s dumped to %s (%s, %d tables fingerprinted).", b.Status.DatabaseName, b.Status.File, b.Status.Size, len(dumped.Tables))
	r.kec.Recorder.Eventf(b, nil, corev1.EventTypeNormal, backupCompletedEventReason, "Backup", "%s", msg)
	b.Status.Phase = slrtv1.BackupCompleted
	b.Status.CompletedAt = &metav1.Time{Time: time.Now()}
	setBackupCondition(b, true, reasonBackupCompleted, msg)
	return ctrl.Result{}, r.patchStatus(ctx, original, b)
}

// tenantConn is the tenant's own connection from its credentials Secret: the
// tenant role owns every object of its database, so it can dump and restore
// it without the server's admin.
func tenantConn(secret *corev1.Secret, database string) tenantbackup.Conn {
	port, _ := strconv.Atoi(string(secret.Data[slrtv1.CredentialsKeyPort]))
	return tenantbackup.Conn{
		Host:     string(secret.Data[slrtv1.CredentialsKeyHost]),
		Port:     port,
		User:     string(secret.Data[slrtv1.CredentialsKeyUsername]),
		Password: string(secret.Data[slrtv1.CredentialsKeyPassword]),
		Database: database,
		SSLMode:  string(secret.Data[slrtv1.CredentialsKeySSLMode]),
	}
}

// finish ends the backup in a final phase.
func (r *KecamatanBackupReconciler) finish(ctx context.Context, b *slrtv1.KecamatanBackup, phase slrtv1.BackupPhase, reason, msg string) error {
	original := b.DeepCopy()
	b.Status.Phase = phase
	setBackupCondition(b, phase == slrtv1.BackupCompleted, reason, msg)
	return r.patchStatus(ctx, original, b)
}

// release deletes the backup's file, then lets the backup go.
func (r *KecamatanBackupReconciler) release(ctx context.Context, b *slrtv1.KecamatanBackup) error {
	if !controllerutil.ContainsFinalizer(b, BackupFinalizer) {
		return nil
	}
	if b.Status.File != "" {
		if err := r.kec.Config.Backups.Remove(b.Status.File); err != nil {
			return err
		}
	}
	controllerutil.RemoveFinalizer(b, BackupFinalizer)
	if err := r.Update(ctx, b); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("while releasing backup %s: %w", b.Name, err)
	}
	return nil
}

func setBackupCondition(b *slrtv1.KecamatanBackup, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&b.Status.Conditions, metav1.Condition{
		Type: slrtv1.ConditionCompleted, Status: status, Reason: reason, Message: message, ObservedGeneration: b.Generation,
	})
}

func (r *KecamatanBackupReconciler) patchStatus(ctx context.Context, original, b *slrtv1.KecamatanBackup) error {
	if equality.Semantic.DeepEqual(original.Status, b.Status) {
		return nil
	}
	patch := client.MergeFromWithOptions(original, client.MergeFromWithOptimisticLock{})
	if err := r.Status().Patch(ctx, b, patch); err != nil {
		return fmt.Errorf("while patching the status of backup %s: %w", b.Name, err)
	}
	return nil
}

// SetupWithManager registers the controller.
func (r *KecamatanBackupReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&slrtv1.KecamatanBackup{}).
		// Dumps are long and read a whole database: a few at a time.
		WithOptions(controller.Options{MaxConcurrentReconciles: maxConcurrentBackups}).
		Complete(r)
}
