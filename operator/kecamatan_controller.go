// Package operator reconciles Kecamatan resources into a tenant: a namespace
// with quota and network isolation, a PostgreSQL role and database with its
// credentials in a Secret, and the tenant schema at the current version.
package operator

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/tenantbackup"
	"github.com/slrt-id/slrt/internal/wilayah"
)

var (
	tracer     = otel.Tracer("github.com/slrt-id/slrt/operator")
	attrTenant = attribute.Key("slrt.tenant")
)

// DefaultCredentialsReaderRole is the ClusterRole config/rbac/credentials-reader.yaml
// defines and the chart installs (as <release>-database-reader).
const DefaultCredentialsReaderRole = "slrt-database-reader"

// Finalizer guards a Kecamatan until its database has been retained or dropped.
const Finalizer = "slrt.id/tenant-cleanup"

// Requeue intervals.
const (
	// resyncInterval re-checks a Ready tenant, so that drift on the PostgreSQL
	// side (a dropped role, a changed password) heals without an event.
	resyncInterval = 10 * time.Minute
	// waitInterval is used while waiting on something that sends no event,
	// such as a terminating namespace.
	waitInterval = 5 * time.Second
	// conflictRetry re-runs a pass whose status write lost a race.
	conflictRetry = 100 * time.Millisecond
	// Failures back off exponentially between these bounds.
	backoffBase = 500 * time.Millisecond
	backoffMax  = time.Minute
)

// Config is the operator's configuration, from flags or the environment.
type Config struct {
	// PlatformNamespace is where the operator and the API run. DatabaseServer
	// admin Secrets are read from it, and tenant namespaces admit traffic only
	// from it.
	PlatformNamespace string
	// APIServiceAccount is the API's ServiceAccount in PlatformNamespace; it is
	// granted read access to each tenant's credentials Secret, and nothing else.
	APIServiceAccount string
	// CredentialsReaderRole is the ClusterRole (installed with the platform)
	// that APIServiceAccount is bound to in each tenant namespace: get and
	// watch on the Secret slrt-database. Default DefaultCredentialsReaderRole.
	CredentialsReaderRole string
	// MaxConcurrentReconciles bounds how many tenants are worked on at once.
	MaxConcurrentReconciles int
	// Backups is where KecamatanBackup dumps are kept.
	Backups tenantbackup.Store
	// PGTools runs pg_dump and pg_restore.
	PGTools tenantbackup.Tools
}

// KecamatanReconciler reconciles Kecamatan resources.
type KecamatanReconciler struct {
	client.Client
	// APIReader reads objects the cache does not hold (the admin Secrets).
	APIReader client.Reader
	Recorder  recorder.EventRecorder
	Config    Config
	Reference *wilayah.Reference
	servers   *serverPools
	templates tenantTemplates
	verified  verifications
	ledger    *ledger
	metrics   *metrics

	// Tests set these to stop a move after a step, as a crash would, and to
	// change a copy before it is checked.
	afterMoveStep    func(kecamatan, step string) error
	beforeMoveRename func(copy tenantbackup.Conn)
}

// +kubebuilder:rbac:groups=slrt.id,resources=kecamatan,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=slrt.id,resources=kecamatan/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=slrt.id,resources=kecamatan/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=namespaces;resourcequotas;limitranges;secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=networkpolicies,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=rolebindings,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=rbac.authorization.k8s.io,resources=roles,verbs=delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete

// Reconcile brings one tenant one pass closer to its spec.
func (r *KecamatanReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	kec := &slrtv1.Kecamatan{}
	if err := r.Get(ctx, req.NamespacedName, kec); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues("kecamatan", kec.Spec.Code))
	ctx, span := tracer.Start(ctx, "reconcile Kecamatan", trace.WithAttributes(attrTenant.String(kec.Spec.Code)))
	defer span.End()
	if sc := span.SpanContext(); sc.IsValid() {
		// Our log lines lead to the trace of their pass.
		ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues("trace_id", sc.TraceID().String(), "span_id", sc.SpanID().String()))
	}

	if !kec.DeletionTimestamp.IsZero() {
		return r.reconcileDelete(ctx, kec)
	}
	if controllerutil.AddFinalizer(kec, Finalizer) {
		if err := r.Update(ctx, kec); err != nil {
			return ctrl.Result{}, fmt.Errorf("while adding the finalizer: %w", err)
		}
	}

	p := &pass{kec: kec, written: kec.DeepCopy()}
	result, err := r.reconcileSteps(ctx, p)
	kec.Status.ObservedGeneration = kec.Generation
	if patchErr := r.patchStatus(ctx, p.written, kec); patchErr != nil && err == nil {
		if apierrors.IsConflict(patchErr) {
			// Someone changed the object meanwhile: the pass runs again on
			// the new version; nothing failed.
			return ctrl.Result{RequeueAfter: conflictRetry}, nil
		}
		err = patchErr
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	return result, nil
}

// reconcileSteps runs the provisioning steps in order; each sets its
// condition, and the first that cannot finish stops the pass.
func (r *KecamatanReconciler) reconcileSteps(ctx context.Context, p *pass) (ctrl.Result, error) {
	kec := p.kec
	firstProvisioning := kec.Status.SchemaVersion == 0
	steps := []struct {
		condition string
		run       func(context.Context, *pass) error
	}{
		{slrtv1.ConditionPlaced, r.reconcilePlacement},
		{slrtv1.ConditionNamespaceReady, r.reconcileNamespace},
		{slrtv1.ConditionDatabaseReady, r.reconcileDatabase},
		{slrtv1.ConditionSchemaReady, r.reconcileSchema},
	}
	for i, step := range steps {
		stepCtx, span := tracer.Start(ctx, "step "+step.condition, trace.WithAttributes(attrTenant.String(kec.Spec.Code)))
		err := step.run(stepCtx, p)
		if err != nil {
			span.SetStatus(codes.Error, asStepError(err).reason)
		}
		span.End()
		if err != nil {
			failed := asStepError(err)
			log.FromContext(ctx).Info("step did not finish", "step", step.condition, "reason", failed.reason, "message", failed.message)
			if c := findCondition(kec, slrtv1.ConditionReady); c == nil || c.Reason != failed.reason {
				// Once per new failure, not once per retry.
				r.Recorder.Eventf(kec, nil, corev1.EventTypeWarning, failed.reason, "Provision", "%s", failed.message)
			}
			setCondition(kec, step.condition, false, failed.reason, failed.message)
			for _, later := range steps[i+1:] {
				setPendingIfAbsent(kec, later.condition)
			}
			setCondition(kec, slrtv1.ConditionReady, false, failed.reason, failed.message)
			return failed.result()
		}
	}
	if kec.Spec.Suspended {
		setCondition(kec, slrtv1.ConditionReady, false, reasonSuspended,
			"The tenant is suspended: its database login is disabled. Set spec.suspended to false to resume.")
		return ctrl.Result{RequeueAfter: resyncInterval}, nil
	}
	wasReady := kec.IsReady()
	setCondition(kec, slrtv1.ConditionReady, true, reasonProvisioned, "Namespace, database and schema are ready.")
	if !wasReady {
		r.Recorder.Eventf(kec, nil, corev1.EventTypeNormal, reasonProvisioned, "Provision",
			"Tenant %s is ready: database %s at schema version %d", kec.Spec.Code, kec.Status.DatabaseName, kec.Status.SchemaVersion)
		if firstProvisioning {
			r.metrics.observeProvisioned(kec)
		}
	}
	// A move keeps the tenant Ready (reads go on); its own condition says
	// how far it is and what it waits for.
	ctx, span := tracer.Start(ctx, "step "+slrtv1.ConditionMoving, trace.WithAttributes(attrTenant.String(kec.Spec.Code)))
	err := r.reconcileMove(ctx, p)
	span.End()
	if err != nil {
		return ctrl.Result{}, err
	}
	untilBackup, err := r.reconcileBackupSchedule(ctx, kec)
	if err != nil {
		return ctrl.Result{}, err
	}
	resync := resyncInterval
	if untilBackup > 0 && untilBackup < resync {
		resync = untilBackup
	}
	return ctrl.Result{RequeueAfter: resync}, nil
}

// pass carries what one step finds to the steps after it.
type pass struct {
	kec *slrtv1.Kecamatan
	// written is the Kecamatan as last written: a step that records its
	// progress midway (placement, a move) patches from it.
	written     *slrtv1.Kecamatan
	server      *server        // set by the database step
	credentials *corev1.Secret // set by the database step
	// changed says the database step made or changed the role or the
	// database: the schema step connects whenever it was verified last.
	changed bool
	// copiedTemplate says the database step made the database as a copy of
	// the server's tenant template, which is at the latest schema version.
	copiedTemplate bool
}

// save writes the status the pass has reached (all of it since the last
// write), so that a restarted operator starts from there; what names it in
// an error.
func (p *pass) save(ctx context.Context, r *KecamatanReconciler, what string) error {
	if err := r.patchStatus(ctx, p.written, p.kec); err != nil {
		return retryable(reasonKubernetesError, err, "while recording %s", what)
	}
	p.written = p.kec.DeepCopy()
	return nil
}

// SetupWithManager registers the controller and what it watches.
func (r *KecamatanReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.servers == nil {
		r.servers = newServerPools()
	}
	if r.ledger == nil {
		r.ledger = newLedger()
	}
	if r.ledger.held == nil {
		informer, err := mgr.GetCache().GetInformer(context.Background(), &slrtv1.Kecamatan{})
		if err != nil {
			return fmt.Errorf("while getting the Kecamatan informer: %w", err)
		}
		held := newHeldCounts()
		reg, err := informer.AddEventHandler(held.handler())
		if err != nil {
			return fmt.Errorf("while following the tenants per server: %w", err)
		}
		held.synced, held.onRemove = reg.HasSynced, r.ledger.forget
		r.ledger.held = held
	}
	if r.metrics == nil {
		m, err := registerMetrics(r.Client)
		if err != nil {
			return err
		}
		r.metrics = m
	}
	if r.Reference == nil {
		r.Reference = wilayah.Default()
	}
	if r.Config.CredentialsReaderRole == "" {
		r.Config.CredentialsReaderRole = DefaultCredentialsReaderRole
	}
	// A pass writes the status and creates the tenant's objects: the events
	// of its own writes would run every tenant through a second pass that
	// finds nothing to do, which doubled the provisioning work at national
	// scale. What others change (the spec, a deletion, an object of the
	// tenant edited or deleted) still starts a pass; the resync covers the
	// rest.
	theirs := builder.WithPredicates(notCreated())
	return ctrl.NewControllerManagedBy(mgr).
		For(&slrtv1.Kecamatan{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{},
			predicate.LabelChangedPredicate{}, predicate.AnnotationChangedPredicate{}, deletionStarted()))).
		Owns(&corev1.Namespace{}, theirs).
		Owns(&corev1.ResourceQuota{}, theirs).
		Owns(&corev1.LimitRange{}, theirs).
		Owns(&networkingv1.NetworkPolicy{}, theirs).
		Owns(&corev1.Secret{}, theirs).
		Owns(&rbacv1.RoleBinding{}, theirs).
		// A new server, or one whose capacity, drain or labels changed, may
		// fit the tenants still waiting for one; a draining one moves its own.
		// So may one that answers again after it did not.
		Watches(&slrtv1.DatabaseServer{}, handler.EnqueueRequestsFromMapFunc(r.waitingOn),
			builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.LabelChangedPredicate{}, reachableAgain()))).
		// A scheduled backup that completes may let an old one go.
		Watches(&slrtv1.KecamatanBackup{}, handler.EnqueueRequestsFromMapFunc(scheduledBy)).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: max(1, r.Config.MaxConcurrentReconciles),
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](backoffBase, backoffMax),
		}).
		Complete(r)
}

// notCreated passes every event but a creation: the operator created the
// object itself (or finds it at start-up, when every Kecamatan has a pass).
func notCreated() predicate.Predicate {
	return predicate.Funcs{CreateFunc: func(event.CreateEvent) bool { return false }}
}

// deletionStarted passes an update that set the deletion timestamp.
func deletionStarted() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			return e.ObjectOld.GetDeletionTimestamp().IsZero() && !e.ObjectNew.GetDeletionTimestamp().IsZero()
		},
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// reachableAgain passes a server whose Reachable condition turned True.
func reachableAgain() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldS, ok1 := e.ObjectOld.(*slrtv1.DatabaseServer)
			newS, ok2 := e.ObjectNew.(*slrtv1.DatabaseServer)
			return ok1 && ok2 && !meta.IsStatusConditionTrue(oldS.Status.Conditions, slrtv1.ConditionReachable) &&
				meta.IsStatusConditionTrue(newS.Status.Conditions, slrtv1.ConditionReachable)
		},
		CreateFunc:  func(event.CreateEvent) bool { return false },
		DeleteFunc:  func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

// waitingOn lists the tenants a change of the server may concern: those
// with no server yet, and, when it drains, those on it (to be moved).
func (r *KecamatanReconciler) waitingOn(ctx context.Context, obj client.Object) []reconcile.Request {
	ds, _ := obj.(*slrtv1.DatabaseServer)
	var list slrtv1.KecamatanList
	if err := r.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		log.FromContext(ctx).Error(err, "while listing Kecamatan waiting for a server")
		return nil
	}
	var reqs []reconcile.Request
	for i := range list.Items {
		kec := &list.Items[i]
		if !kec.DeletionTimestamp.IsZero() {
			continue
		}
		if kec.Status.Server == "" || (ds != nil && ds.Spec.Draining && kec.Status.Server == ds.Name) {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKey{Name: kec.Name}})
		}
	}
	return reqs
}

// Close releases the admin connection pools.
func (r *KecamatanReconciler) Close() {
	if r.servers != nil {
		r.servers.closeAll()
	}
}
