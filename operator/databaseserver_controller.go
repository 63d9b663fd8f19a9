package operator

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// ServerFinalizer keeps a DatabaseServer while tenants are placed on it.
const ServerFinalizer = "slrt.id/server-in-use"

// Server condition reasons.
const (
	reasonServerAnswered = "Answered"
	reasonServerInUse    = "InUse"
)

const (
	// serverCheckInterval is how often a server's version (whether it
	// answers) and, at most, its size are read. Summing pg_database_size
	// stats every file of the server, so it is not done on every tenant
	// change; the tenant count is.
	serverCheckInterval = time.Minute
	// sizeReadingShare bounds the time a server spends reading its size: the
	// next reading waits this many times as long as the last one took (a
	// hundredth of one connection's time). 1,800 databases take seconds.
	sizeReadingShare   = 100
	serverCheckTimeout = 5 * time.Second
	// serverSizeTimeout bounds the size reading, which takes seconds on a
	// busy server with thousands of databases: it is slow, not down.
	serverSizeTimeout = time.Minute
	// tenantCountDelay is how long a change of the tenants on a server
	// waits for others before the server's status counts them.
	tenantCountDelay = 2 * time.Second
)

// DatabaseServerReconciler keeps each DatabaseServer's status (tenants,
// size, version, reachability) and holds it while tenants are on it.
type DatabaseServerReconciler struct {
	client.Client
	kec *KecamatanReconciler // shares its admin pools and placement ledger

	mu      sync.Mutex
	checked map[string]time.Time // when each server was last read
	sizeDue map[string]time.Time // when each server's size is next read
}

// +kubebuilder:rbac:groups=slrt.id,resources=databaseservers,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=slrt.id,resources=databaseservers/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=slrt.id,resources=databaseservers/finalizers,verbs=update

// Reconcile refreshes one server's status.
func (r *DatabaseServerReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	ds := &slrtv1.DatabaseServer{}
	if err := r.Get(ctx, req.NamespacedName, ds); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithValues("databaseServer", ds.Name))
	r.kec.ledger.mu.Lock()
	counts, err := r.kec.ledger.counts(ctx, r.Client)
	r.kec.ledger.mu.Unlock()
	if err != nil {
		return ctrl.Result{}, err
	}
	tenants := counts[ds.Name]

	if !ds.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.reconcileDelete(ctx, ds, tenants)
	}
	if controllerutil.AddFinalizer(ds, ServerFinalizer) {
		if err := r.Update(ctx, ds); err != nil {
			return ctrl.Result{}, fmt.Errorf("while adding the finalizer: %w", err)
		}
	}

	original := ds.DeepCopy()
	ds.Status.Tenants = tenants
	ds.Status.ObservedGeneration = ds.Generation
	next := r.check(ctx, ds)
	if err := patchServerStatus(ctx, r.Client, original, ds); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: next}, nil
}

// forget drops what the operator keeps of a deleted server: its admin pool,
// the tenants it held at its last size reading, and when it was read.
func (r *DatabaseServerReconciler) forget(name string) {
	r.kec.servers.forget(name)
	r.kec.ledger.mu.Lock()
	delete(r.kec.ledger.sizedWith, name)
	r.kec.ledger.mu.Unlock()
	r.mu.Lock()
	delete(r.checked, name)
	delete(r.sizeDue, name)
	r.mu.Unlock()
}

// check reads the server's version and size when the last reading is older
// than serverCheckInterval, and says when to look again.
func (r *DatabaseServerReconciler) check(ctx context.Context, ds *slrtv1.DatabaseServer) time.Duration {
	r.mu.Lock()
	last, seen := r.checked[ds.Name]
	r.mu.Unlock()
	reachable := meta.FindStatusCondition(ds.Status.Conditions, slrtv1.ConditionReachable)
	fresh := reachable != nil && reachable.ObservedGeneration == ds.Generation
	if seen && fresh && time.Since(last) < serverCheckInterval {
		return serverCheckInterval - time.Since(last)
	}
	srv, err := r.kec.adminOf(ctx, ds)
	if err == nil {
		ds.Status.Address = net.JoinHostPort(srv.host, strconv.Itoa(srv.port))
		err = r.readServer(ctx, srv, ds)
	}
	cond := metav1.Condition{Type: slrtv1.ConditionReachable, ObservedGeneration: ds.Generation,
		Status: metav1.ConditionTrue, Reason: reasonServerAnswered, Message: "The admin connection answered."}
	if err != nil {
		failed := asStepError(databaseErrorOf(err, ds.Name))
		cond.Status, cond.Reason, cond.Message = metav1.ConditionFalse, failed.reason, failed.message
	}
	meta.SetStatusCondition(&ds.Status.Conditions, cond)
	r.mu.Lock()
	r.checked[ds.Name] = time.Now()
	r.mu.Unlock()
	return serverCheckInterval
}

// readServer reads the server's version, which says it answers, then its
// size. A size that cannot be read in time keeps its last figure: a server
// busy provisioning thousands of tenants is slow to stat every file, and
// calling it unreachable would stop placement on it.
func (r *DatabaseServerReconciler) readServer(ctx context.Context, srv *server, ds *slrtv1.DatabaseServer) error {
	versionCtx, cancel := context.WithTimeout(ctx, serverCheckTimeout)
	defer cancel()
	var version string
	if err := srv.admin.QueryRow(versionCtx, `SELECT current_setting('server_version')`).Scan(&version); err != nil {
		return err
	}
	ds.Status.Version = version
	r.mu.Lock()
	due, known := r.sizeDue[ds.Name]
	r.mu.Unlock()
	if known && ds.Status.SizeUsed != nil && time.Now().Before(due) {
		return nil
	}
	sizeCtx, cancelSize := context.WithTimeout(ctx, serverSizeTimeout)
	defer cancelSize()
	start := time.Now()
	var size int64
	err := srv.admin.QueryRow(sizeCtx, `SELECT coalesce(sum(pg_database_size(oid)), 0)::bigint FROM pg_database`).Scan(&size)
	r.mu.Lock()
	r.sizeDue[ds.Name] = time.Now().Add(nextSizeReading(time.Since(start)))
	r.mu.Unlock()
	if err != nil {
		log.FromContext(ctx).Info("the server's size could not be read; the last reading stays", "error", err.Error())
		return nil
	}
	ds.Status.SizeUsed = resource.NewQuantity(size, resource.BinarySI)
	r.kec.ledger.mu.Lock()
	r.kec.ledger.sizedWith[ds.Name] = ds.Status.Tenants
	r.kec.ledger.mu.Unlock()
	return nil
}

// nextSizeReading is how long after a size reading that took took the next
// one waits: serverCheckInterval, or longer where reading is slow, so that a
// server with thousands of databases (or one busy making them) spends no
// more than a hundredth of a connection's time on it; never over an hour.
func nextSizeReading(took time.Duration) time.Duration {
	return min(time.Hour, max(serverCheckInterval, sizeReadingShare*took))
}

// databaseErrorOf describes a failed check of server name.
func databaseErrorOf(err error, name string) error {
	if _, ok := err.(*stepError); ok {
		return err
	}
	return databaseError(err, &server{name: name}, "while reading its version and size")
}

// reconcileDelete lets a DatabaseServer go once no tenant is placed on it.
func (r *DatabaseServerReconciler) reconcileDelete(ctx context.Context, ds *slrtv1.DatabaseServer, tenants int32) error {
	if !controllerutil.ContainsFinalizer(ds, ServerFinalizer) {
		return nil
	}
	if tenants > 0 {
		original := ds.DeepCopy()
		ds.Status.Tenants = tenants
		meta.SetStatusCondition(&ds.Status.Conditions, metav1.Condition{
			Type: reasonServerInUse, Status: metav1.ConditionTrue, Reason: reasonServerInUse, ObservedGeneration: ds.Generation,
			Message: fmt.Sprintf("%d tenants are placed on this server; it is kept until they are deleted or moved.", tenants),
		})
		return patchServerStatus(ctx, r.Client, original, ds)
	}
	r.kec.servers.forget(ds.Name)
	controllerutil.RemoveFinalizer(ds, ServerFinalizer)
	if err := r.Update(ctx, ds); err != nil {
		return fmt.Errorf("while removing the finalizer: %w", err)
	}
	return nil
}

func patchServerStatus(ctx context.Context, c client.Client, original, ds *slrtv1.DatabaseServer) error {
	if equality.Semantic.DeepEqual(original.Status, ds.Status) {
		return nil
	}
	if err := c.Status().Patch(ctx, ds, client.MergeFrom(original)); err != nil {
		return fmt.Errorf("while patching the status of DatabaseServer %s: %w", ds.Name, err)
	}
	return nil
}

// SetupWithManager registers the controller: it runs on changes to a
// server and to the tenants placed on it.
func (r *DatabaseServerReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.checked = map[string]time.Time{}
	r.sizeDue = map[string]time.Time{}
	// A tenant placed, moved or gone changes its servers' counts, a moment
	// later: a burst of placements (thousands at national scale) becomes a
	// status write per server every tenantCountDelay, not one per tenant.
	// Placement itself counts from the ledger, never from this status.
	countLater := func(q workqueue.TypedRateLimitingInterface[reconcile.Request], objs ...client.Object) {
		for _, obj := range objs {
			if kec, ok := obj.(*slrtv1.Kecamatan); ok && kec.ServerName() != "" {
				q.AddAfter(reconcile.Request{NamespacedName: client.ObjectKey{Name: kec.ServerName()}}, tenantCountDelay)
			}
		}
	}
	tenantServer := handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			countLater(q, e.Object)
		},
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			countLater(q, e.ObjectOld, e.ObjectNew)
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			countLater(q, e.Object)
		},
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&slrtv1.DatabaseServer{}, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, predicate.LabelChangedPredicate{}))).
		Watches(&slrtv1.Kecamatan{}, tenantServer, builder.WithPredicates(serverOrPresenceChanged())).
		Named("databaseserver").
		Complete(r)
}

// serverOrPresenceChanged passes a tenant's creation, deletion and a change
// of its server, not every status write.
func serverOrPresenceChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldK, ok1 := e.ObjectOld.(*slrtv1.Kecamatan)
			newK, ok2 := e.ObjectNew.(*slrtv1.Kecamatan)
			return !ok1 || !ok2 || oldK.ServerName() != newK.ServerName() ||
				oldK.DeletionTimestamp.IsZero() != newK.DeletionTimestamp.IsZero()
		},
	}
}
