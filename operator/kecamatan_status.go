package operator

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// Condition reasons. Each failing reason comes with a message that says what
// a person can do about it.
const (
	reasonProvisioned          = "Provisioned"
	reasonPending              = "Pending"
	reasonSuspended            = "Suspended"
	reasonNamespaceReady       = "NamespaceReady"
	reasonNamespaceConflict    = "NamespaceConflict"
	reasonNamespaceTerminating = "NamespaceTerminating"
	reasonKubernetesError      = "KubernetesError"
	reasonDatabaseReady        = "DatabaseReady"
	reasonLoginDisabled        = "LoginDisabled"
	reasonUnknownServer        = "UnknownDatabaseServer"
	reasonServerSecretInvalid  = "DatabaseServerSecretInvalid"
	reasonDatabaseUnreachable  = "DatabaseUnreachable"
	reasonDatabaseError        = "DatabaseError"
	reasonSchemaReady          = "SchemaReady"
	reasonMigrationFailed      = "MigrationFailed"
	reasonKelurahanUnknown     = "KelurahanUnknown"
	reasonDeletionBlocked      = "DeletionBlocked"
	reasonNamedInSpec          = "NamedInSpec"
	reasonPlacedByPolicy       = "PlacedByPolicy"
	reasonPlacementRecovered   = "PlacementRecovered"
	reasonNoServerFits         = "NoServerFits"
	reasonDatabaseLost         = "DatabaseLost"
)

// stepError is a step's failure as a person should see it in a condition.
type stepError struct {
	reason  string
	message string
	// err, when set, is returned to the controller so the tenant is retried
	// with backoff; a nil err means only a spec change can help, so the pass
	// ends without a retry (after an optional requeue).
	err     error
	requeue bool
}

func (e *stepError) Error() string { return e.reason + ": " + e.message }

func (e *stepError) Unwrap() error { return e.err }

func (e *stepError) result() (ctrl.Result, error) {
	if e.requeue {
		return ctrl.Result{RequeueAfter: waitInterval}, nil
	}
	return ctrl.Result{}, e.err
}

// retryable is a failure expected to pass by itself (PostgreSQL down, an API
// conflict): the condition says what happened and the tenant is retried with
// backoff.
func retryable(reason string, err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &stepError{reason: reason, message: fmt.Sprintf("%s: %v", msg, err), err: fmt.Errorf("%s: %w", msg, err)}
}

// blocked is a failure only a change of the spec or the platform's
// configuration can fix; nothing is retried until something changes.
func blocked(reason, format string, args ...any) error {
	return &stepError{reason: reason, message: fmt.Sprintf(format, args...)}
}

// waiting is a state that will pass with time but sends no event.
func waiting(reason, format string, args ...any) error {
	return &stepError{reason: reason, message: fmt.Sprintf(format, args...), requeue: true}
}

func asStepError(err error) *stepError {
	var se *stepError
	if errors.As(err, &se) {
		return se
	}
	return &stepError{reason: reasonKubernetesError, message: err.Error(), err: err}
}

func setCondition(kec *slrtv1.Kecamatan, condType string, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&kec.Status.Conditions, metav1.Condition{
		Type:               condType,
		Status:             status,
		Reason:             reason,
		Message:            message,
		ObservedGeneration: kec.Generation,
	})
}

func findCondition(kec *slrtv1.Kecamatan, condType string) *metav1.Condition {
	return meta.FindStatusCondition(kec.Status.Conditions, condType)
}

func setPendingIfAbsent(kec *slrtv1.Kecamatan, condType string) {
	if meta.FindStatusCondition(kec.Status.Conditions, condType) != nil {
		return
	}
	meta.SetStatusCondition(&kec.Status.Conditions, metav1.Condition{
		Type:               condType,
		Status:             metav1.ConditionUnknown,
		Reason:             reasonPending,
		Message:            "Waiting for the previous step.",
		ObservedGeneration: kec.Generation,
	})
}

// patchStatus writes the status only when it changed, with an optimistic
// lock so that a concurrent writer's update is never silently overwritten.
func (r *KecamatanReconciler) patchStatus(ctx context.Context, original, kec *slrtv1.Kecamatan) error {
	if equality.Semantic.DeepEqual(original.Status, kec.Status) {
		return nil
	}
	patch := client.MergeFromWithOptions(original, client.MergeFromWithOptimisticLock{})
	if err := r.Status().Patch(ctx, kec, patch); err != nil {
		return fmt.Errorf("while patching the status: %w", err)
	}
	return nil
}
