package operator

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/pgadmin"
)

// reconcileDelete releases a deleted tenant as its reclaim policy says, then
// lets the Kecamatan go. Retain keeps the database and role with login
// disabled, and goes ahead even when the server cannot be reached (the data is
// kept either way). Delete drops both, and waits for the server if it must.
func (r *KecamatanReconciler) reconcileDelete(ctx context.Context, kec *slrtv1.Kecamatan) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(kec, Finalizer) {
		return ctrl.Result{}, nil
	}
	r.verified.forget(kec)
	name := kec.DatabaseName()
	retain := kec.Spec.Database.ReclaimPolicy != slrtv1.ReclaimDelete

	owns, err := r.ownsTenant(ctx, kec)
	if err != nil {
		return ctrl.Result{}, err
	}
	if !owns {
		// A duplicate (same code as another Kecamatan) never owned the
		// namespace or the database: they belong to the other one.
		return ctrl.Result{}, r.removeFinalizer(ctx, kec)
	}
	if kec.ServerName() == "" {
		// Deleted before its first pass could record the placement (that
		// write lost to the deletion's): the database may be there all the
		// same.
		if kec.Status.Server, err = r.placedOn(ctx, kec); err != nil {
			return ctrl.Result{}, err
		}
	}
	err = r.releaseDatabase(ctx, kec, retain)
	switch {
	case err == nil && retain:
		r.Recorder.Eventf(kec, nil, corev1.EventTypeNormal, "DatabaseRetained", "Delete",
			"Database %s and its role are kept with login disabled (reclaimPolicy Retain); drop them by hand when no longer needed", name)
	case err == nil:
		r.Recorder.Eventf(kec, nil, corev1.EventTypeNormal, "DatabaseDeleted", "Delete",
			"Database %s and its role were dropped (reclaimPolicy Delete)", name)
	case retain:
		r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, "DatabaseRetainedUnchecked", "Delete",
			"Database %s is kept, but its login could not be disabled: %v; run ALTER ROLE %s NOLOGIN by hand", name, err, name)
	default:
		original := kec.DeepCopy()
		failed := asStepError(err)
		setCondition(kec, slrtv1.ConditionReady, false, reasonDeletionBlocked,
			"Waiting to drop database "+name+" (reclaimPolicy Delete): "+failed.message)
		if patchErr := r.patchStatus(ctx, original, kec); patchErr != nil {
			return ctrl.Result{}, patchErr
		}
		r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, reasonDeletionBlocked, "Delete",
			"Cannot drop database %s yet: %s", name, failed.message)
		return ctrl.Result{}, err
	}

	// Owner references would let Kubernetes collect the namespace, but
	// deleting it here does not depend on the garbage collector.
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: kec.NamespaceName()}}
	if err := r.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, fmt.Errorf("while deleting namespace %s: %w", ns.Name, err)
	}
	return ctrl.Result{}, r.removeFinalizer(ctx, kec)
}

func (r *KecamatanReconciler) removeFinalizer(ctx context.Context, kec *slrtv1.Kecamatan) error {
	controllerutil.RemoveFinalizer(kec, Finalizer)
	if err := r.Update(ctx, kec); err != nil {
		return fmt.Errorf("while removing the finalizer: %w", err)
	}
	r.ledger.forget(kec.UID)
	return nil
}

// ownsTenant reports whether kec provisioned the tenant: its namespace is
// controlled by kec, or gone while kec recorded a database.
func (r *KecamatanReconciler) ownsTenant(ctx context.Context, kec *slrtv1.Kecamatan) (bool, error) {
	ns := &corev1.Namespace{}
	err := r.Get(ctx, client.ObjectKey{Name: kec.NamespaceName()}, ns)
	if apierrors.IsNotFound(err) {
		return kec.Status.DatabaseName != "", nil
	}
	if err != nil {
		return false, fmt.Errorf("while reading namespace %s: %w", kec.NamespaceName(), err)
	}
	owner := metav1.GetControllerOf(ns)
	return owner != nil && owner.UID == kec.UID, nil
}

// releaseDatabase disables the tenant's login (retain) or drops its database
// and role.
func (r *KecamatanReconciler) releaseDatabase(ctx context.Context, kec *slrtv1.Kecamatan, retain bool) error {
	if kec.ServerName() == "" {
		return nil // never placed: no database was made
	}
	srv, err := r.server(ctx, kec.ServerName())
	if err != nil {
		return err
	}
	name := kec.DatabaseName()
	err = withAdmin(ctx, srv, func(admin *pgadmin.Admin) error {
		if !retain {
			return admin.DropDatabase(ctx, name, name, restoringName(name))
		}
		role, err := admin.Role(ctx, name)
		if err != nil || !role.Exists {
			return err
		}
		return admin.SetLogin(ctx, name, false)
	})
	if err != nil {
		return databaseError(err, srv, "while releasing database "+name)
	}
	return nil
}
