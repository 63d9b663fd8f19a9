package operator

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// ledger counts tenants per DatabaseServer. The informer cache lags behind
// the operator's own status writes, so decisions made by this process are
// kept until the cache shows them: two tenants placed at once never both
// take a server's last place, and a pass that lost its status write places
// the tenant where it placed it before.
type ledger struct {
	mu      sync.Mutex
	decided map[types.UID]placement
	// held follows the Kecamatan cache once SetupWithManager wires it: the
	// count per server in constant time, where listing 7,300 Kecamatan
	// copied megabytes per decision and per DatabaseServer pass.
	held *heldCounts
	// sizedWith is how many tenants each server held when its size was
	// last read: the reading can be minutes old (nextSizeReading).
	sizedWith map[string]int32
}

// heldCounts is each tenant's server as the Kecamatan cache holds it, and
// how many each server holds, kept by the cache's event handler.
type heldCounts struct {
	mu     sync.Mutex
	server map[types.UID]string
	n      map[string]int32
	synced func() bool // the handler has seen the cache's first list
	// onRemove is told of a tenant gone from the cache, after the count
	// (the ledger forgets its decision).
	onRemove func(types.UID)
}

func newHeldCounts() *heldCounts {
	return &heldCounts{server: map[types.UID]string{}, n: map[string]int32{}, synced: func() bool { return false }}
}

// set records the tenant's server ("" while it has none).
func (h *heldCounts) set(uid types.UID, srv string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.server[uid]; ok {
		if old == srv {
			return
		}
		h.drop(old)
	}
	h.server[uid] = srv
	if srv != "" {
		h.n[srv]++
	}
}

// remove forgets a tenant that left the cache.
func (h *heldCounts) remove(uid types.UID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.server[uid]; ok {
		h.drop(old)
		delete(h.server, uid)
	}
}

func (h *heldCounts) drop(srv string) {
	if srv == "" {
		return
	}
	if h.n[srv]--; h.n[srv] <= 0 {
		delete(h.n, srv)
	}
}

// handler keeps h in step with the Kecamatan informer.
func (h *heldCounts) handler() toolscache.ResourceEventHandler {
	set := func(obj any) {
		if kec, ok := obj.(*slrtv1.Kecamatan); ok {
			h.set(kec.UID, kec.ServerName())
		}
	}
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, obj any) { set(obj) },
		DeleteFunc: func(obj any) {
			if gone, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = gone.Obj
			}
			if kec, ok := obj.(*slrtv1.Kecamatan); ok {
				h.remove(kec.UID)
				if h.onRemove != nil {
					h.onRemove(kec.UID)
				}
			}
		},
	}
}

// placement is one decision: the server, and the Placed condition's reason
// and message.
type placement struct{ server, reason, message string }

func newLedger() *ledger {
	return &ledger{decided: map[types.UID]placement{}, sizedWith: map[string]int32{}}
}

// forget drops the decision of a tenant that is gone.
func (l *ledger) forget(uid types.UID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.decided, uid)
}

// counts returns how many tenants each server holds. Kecamatan being deleted
// count: their databases are there until released.
func (l *ledger) counts(ctx context.Context, c client.Reader) (map[string]int32, error) {
	if h := l.held; h != nil && h.synced() {
		h.mu.Lock()
		defer h.mu.Unlock()
		return l.withDecisions(maps.Clone(h.n), h.server), nil
	}
	var list slrtv1.KecamatanList
	if err := c.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("while listing Kecamatan: %w", err)
	}
	n, cached := map[string]int32{}, make(map[types.UID]string, len(list.Items))
	for i := range list.Items {
		srv := list.Items[i].ServerName()
		cached[list.Items[i].UID] = srv
		if srv != "" {
			n[srv]++
		}
	}
	return l.withDecisions(n, cached), nil
}

// withDecisions moves the tenants this process placed, which the cache
// does not show placed yet, to their servers in n, the cache's counts; one
// the counts have not seen yet (the handler runs a moment after the cache)
// is added. A tenant that goes is forgotten (onRemove).
func (l *ledger) withDecisions(n map[string]int32, cached map[types.UID]string) map[string]int32 {
	for uid, d := range l.decided {
		srv, seen := cached[uid]
		if seen && srv == d.server {
			delete(l.decided, uid) // the cache has caught up
			continue
		}
		if srv != "" {
			n[srv]--
		}
		n[d.server]++
	}
	return n
}

// reconcilePlacement gives the tenant its database server, once: the one the
// spec names, or the one the placement policy picks. The choice reaches the
// status with the pass's other changes, and before that the tenant's
// namespace (annotation slrt.id/server), which the next step makes before
// anything is made on the server: an operator restarted after a crash finds
// it there and never leaves a second database elsewhere, without a status
// write of its own per tenant.
func (r *KecamatanReconciler) reconcilePlacement(ctx context.Context, p *pass) error {
	kec := p.kec
	if kec.Status.Server != "" {
		return nil // a server named later is moved to (reconcileMove)
	}
	r.ledger.mu.Lock()
	defer r.ledger.mu.Unlock()
	d, ok := r.ledger.decided[kec.UID]
	if !ok {
		var err error
		if d, ok, err = r.recorded(ctx, kec); err == nil && !ok {
			d, err = r.choose(ctx, kec)
		}
		if err != nil {
			return err
		}
		r.ledger.decided[kec.UID] = d
	}
	kec.Status.Server = d.server
	setCondition(kec, slrtv1.ConditionPlaced, true, d.reason, d.message)
	log.FromContext(ctx).Info("placed", "server", d.server, "reason", d.reason)
	return nil
}

// placedOn returns where a tenant whose status does not name its server may
// have a database: this process's decision, or the one recorded on its
// namespace; "" when it was never placed.
func (r *KecamatanReconciler) placedOn(ctx context.Context, kec *slrtv1.Kecamatan) (string, error) {
	r.ledger.mu.Lock()
	d, ok := r.ledger.decided[kec.UID]
	r.ledger.mu.Unlock()
	if ok {
		return d.server, nil
	}
	d, _, err := r.recorded(ctx, kec)
	return d.server, err
}

// recorded returns the placement an earlier pass wrote on the tenant's
// namespace and could not write to the status (the operator stopped).
func (r *KecamatanReconciler) recorded(ctx context.Context, kec *slrtv1.Kecamatan) (placement, bool, error) {
	ns := &corev1.Namespace{}
	err := r.Get(ctx, client.ObjectKey{Name: kec.NamespaceName()}, ns)
	if apierrors.IsNotFound(err) {
		return placement{}, false, nil
	}
	if err != nil {
		return placement{}, false, retryable(reasonKubernetesError, err, "while reading namespace %s", kec.NamespaceName())
	}
	srv := ns.Annotations[serverAnnotation]
	if srv == "" || !metav1.IsControlledBy(ns, kec) {
		return placement{}, false, nil
	}
	return placement{srv, reasonPlacementRecovered,
		fmt.Sprintf("Placed on server %s, as namespace %s recorded before the operator restarted.", srv, ns.Name)}, true, nil
}

// choose picks the tenant's server: the one the spec names, or by policy.
func (r *KecamatanReconciler) choose(ctx context.Context, kec *slrtv1.Kecamatan) (placement, error) {
	if named := kec.Spec.Database.Server; named != "" {
		ds := &slrtv1.DatabaseServer{}
		if err := r.Get(ctx, client.ObjectKey{Name: named}, ds); err != nil {
			if apierrors.IsNotFound(err) {
				return placement{}, blocked(reasonUnknownServer,
					"No DatabaseServer named %q exists; create it (docs/operator.md) or name another in spec.database.server.", named)
			}
			return placement{}, retryable(reasonKubernetesError, err, "while reading DatabaseServer %s", named)
		}
		return placement{named, reasonNamedInSpec, fmt.Sprintf("Placed on server %s, named in spec.database.server.", named)}, nil
	}
	selector := labels.Everything()
	if s := kec.Spec.Database.ServerSelector; s != nil {
		var err error
		if selector, err = metav1.LabelSelectorAsSelector(s); err != nil {
			return placement{}, blocked(reasonNoServerFits, "spec.database.serverSelector is not a valid selector: %v", err)
		}
	}
	var servers slrtv1.DatabaseServerList
	if err := r.List(ctx, &servers, client.UnsafeDisableDeepCopy); err != nil {
		return placement{}, retryable(reasonKubernetesError, err, "while listing DatabaseServers")
	}
	counts, err := r.ledger.counts(ctx, r.Client)
	if err != nil {
		return placement{}, retryable(reasonKubernetesError, err, "while counting tenants per server")
	}
	d := pick(servers.Items, serverUse{counts, r.ledger.sizedWith}, selector)
	if d.chosen == "" {
		return placement{}, blocked(reasonNoServerFits, "%s", d.message())
	}
	return placement{d.chosen, reasonPlacedByPolicy, d.message()}, nil
}

// decision is what the placement policy chose and what it passed over.
type decision struct {
	chosen   string
	tenants  int32
	capacity *int32
	fitting  int
	skipped  []string // "name (why)"
	selector labels.Selector
}

// serverUse is what placement knows of each server's use: the tenants it holds
// now, and how many it held when its size was read.
type serverUse struct {
	tenants, sizedWith map[string]int32
}

// bytes is the server's size at its last reading plus, for each tenant
// placed on it since, that reading's average per tenant: a burst of
// placements between two readings would otherwise all see the server as it
// was, and overfill it.
func (use serverUse) bytes(ds *slrtv1.DatabaseServer) int64 {
	used := usedBytes(ds)
	then, now := use.sizedWith[ds.Name], use.tenants[ds.Name]
	if then <= 0 || now <= then {
		return used
	}
	return used + used/int64(then)*int64(now-then)
}

// pick is the placement policy: among the servers whose labels match the
// selector, not draining, not known to be unreachable and with room left
// (tenants and bytes), the one holding the fewest tenants; ties go to the
// one using fewer bytes, then to the first by name.
func pick(servers []slrtv1.DatabaseServer, use serverUse, selector labels.Selector) decision {
	counts := use.tenants
	d := decision{selector: selector}
	sorted := make([]*slrtv1.DatabaseServer, len(servers))
	for i := range servers {
		sorted[i] = &servers[i]
	}
	slices.SortFunc(sorted, func(a, b *slrtv1.DatabaseServer) int { return strings.Compare(a.Name, b.Name) })
	var best *slrtv1.DatabaseServer
	var bestBytes int64
	for _, ds := range sorted {
		n, bytes := counts[ds.Name], use.bytes(ds)
		if why := unfit(ds, n, bytes, selector); why != "" {
			d.skipped = append(d.skipped, ds.Name+" ("+why+")")
			continue
		}
		d.fitting++
		if best == nil || n < counts[best.Name] || (n == counts[best.Name] && bytes < bestBytes) {
			best, bestBytes = ds, bytes
		}
	}
	if best != nil {
		d.chosen, d.tenants, d.capacity = best.Name, counts[best.Name], best.Spec.Capacity.Tenants
	}
	return d
}

// unfit says why placement passes over ds, or "" when it may take a tenant.
func unfit(ds *slrtv1.DatabaseServer, tenants int32, bytes int64, selector labels.Selector) string {
	c := ds.Spec.Capacity
	switch {
	case !ds.DeletionTimestamp.IsZero():
		return "being deleted"
	case !selector.Matches(labels.Set(ds.Labels)):
		return "labels do not match the selector"
	case ds.Spec.Draining:
		return "draining"
	case isFalse(ds.Status.Conditions, slrtv1.ConditionReachable):
		return "unreachable"
	case c.Tenants != nil && tenants >= *c.Tenants:
		return fmt.Sprintf("full: %d of %d tenants", tenants, *c.Tenants)
	case c.Storage != nil && bytes >= c.Storage.Value():
		return fmt.Sprintf("full: %s used of %s", resource.NewQuantity(bytes, resource.BinarySI), c.Storage)
	}
	return ""
}

func usedBytes(ds *slrtv1.DatabaseServer) int64 {
	if ds.Status.SizeUsed == nil {
		return 0
	}
	return ds.Status.SizeUsed.Value()
}

func isFalse(conds []metav1.Condition, t string) bool {
	for _, c := range conds {
		if c.Type == t {
			return c.Status == metav1.ConditionFalse
		}
	}
	return false
}

// maxSkippedListed bounds the servers a message names, for clusters with many.
const maxSkippedListed = 10

// message explains the decision to the person reading the condition.
func (d decision) message() string {
	var b strings.Builder
	if d.chosen != "" {
		room := "no tenant limit"
		if d.capacity != nil {
			room = fmt.Sprintf("of %d", *d.capacity)
		}
		fmt.Fprintf(&b, "Placed on server %s (%d tenants %s before this one): the fewest tenants of %d servers that fit", d.chosen, d.tenants, room, d.fitting)
	} else {
		b.WriteString("No DatabaseServer can take this tenant")
	}
	if !d.selector.Empty() {
		fmt.Fprintf(&b, " (selector %s)", d.selector)
	}
	b.WriteString(".")
	if len(d.skipped) > 0 {
		listed := d.skipped[:min(len(d.skipped), maxSkippedListed)]
		fmt.Fprintf(&b, " Passed over: %s", strings.Join(listed, ", "))
		if more := len(d.skipped) - len(listed); more > 0 {
			fmt.Fprintf(&b, " and %d more", more)
		}
		b.WriteString(".")
	}
	if d.chosen == "" {
		b.WriteString(" Add a DatabaseServer, raise a capacity, end a drain or change spec.database.serverSelector; the tenant is placed as soon as one fits.")
	}
	return b.String()
}
