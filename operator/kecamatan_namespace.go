package operator

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// Labels set on every object the operator makes, so its cache holds only those.
const (
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "slrt-operator"
)

// serverAnnotation on a tenant namespace names the DatabaseServer the tenant
// is placed on.
const serverAnnotation = "slrt.id/server"

// Names of the objects in each tenant namespace.
const (
	credentialsSecretName = "slrt-database"
	credentialsReaderName = "slrt-database-reader" // the RoleBinding (and before it, the Role)
	quotaName             = "slrt-tenant"
	limitRangeName        = "slrt-tenant"
	networkPolicyName     = "slrt-default-deny"
)

// reconcileNamespace makes the tenant namespace with its quota, limit range,
// network policy and the role that lets the API read the credentials Secret.
func (r *KecamatanReconciler) reconcileNamespace(ctx context.Context, p *pass) error {
	kec := p.kec
	nsName := kec.NamespaceName()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsName}}
	if err := r.Get(ctx, client.ObjectKeyFromObject(ns), ns); err == nil && !ns.DeletionTimestamp.IsZero() {
		return waiting(reasonNamespaceTerminating,
			"Namespace %s is still being deleted from an earlier tenant; it will be re-created once it is gone.", nsName)
	}
	if err := r.ensure(ctx, kec, ns, func() {
		ns.Labels = tenantLabels(kec, ns.Labels)
		// The placement, on an object made before anything on the server
		// (see reconcilePlacement).
		metav1.SetMetaDataAnnotation(&ns.ObjectMeta, serverAnnotation, kec.Status.Server)
	}); err != nil {
		return namespaceError(err, "namespace", nsName)
	}
	kec.Status.Namespace = nsName

	quota := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: quotaName, Namespace: nsName}}
	limits := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: limitRangeName, Namespace: nsName}}
	policy := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: networkPolicyName, Namespace: nsName}}
	binding := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: credentialsReaderName, Namespace: nsName}}
	objects := []ownedObject{
		{"resource quota", quota, func() { quota.Spec.Hard = quotaHard(kec.Spec.Quota) }},
		{"limit range", limits, func() { limits.Spec = defaultLimits() }},
		{"network policy", policy, func() { policy.Spec = platformOnlyPolicy(r.Config.PlatformNamespace) }},
		// The API may read this one Secret by name, in this namespace only: it
		// can neither list Secrets nor read any other. The rule is the
		// platform's ClusterRole (one for every tenant), bound here alone.
		{"role binding", binding, func() {
			binding.RoleRef = r.readerRoleRef()
			binding.Subjects = []rbacv1.Subject{{
				Kind: rbacv1.ServiceAccountKind, Name: r.Config.APIServiceAccount, Namespace: r.Config.PlatformNamespace,
			}}
		}},
	}
	if err := r.retireReaderRole(ctx, binding); err != nil {
		return retryable(reasonKubernetesError, err, "while replacing the role binding %s", binding.Name)
	}
	for _, o := range objects {
		if err := r.ensure(ctx, kec, o.obj, o.fill); err != nil {
			return namespaceError(err, o.kind, o.obj.GetName())
		}
	}
	setCondition(kec, slrtv1.ConditionNamespaceReady, true, reasonNamespaceReady,
		"Namespace "+nsName+" with quota, limit range and network policy is ready.")
	return nil
}

// readerRoleRef is the ClusterRole that lets the API read a tenant's
// credentials Secret.
func (r *KecamatanReconciler) readerRoleRef() rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: r.Config.CredentialsReaderRole}
}

// retireReaderRole replaces a binding made before the ClusterRole (to a Role
// of the namespace's own, one write more per tenant) and deletes that Role: a
// binding's roleRef cannot change. It waits, briefly, for the cache to
// forget the old binding, so that ensure makes the new one.
func (r *KecamatanReconciler) retireReaderRole(ctx context.Context, binding *rbacv1.RoleBinding) error {
	old := &rbacv1.RoleBinding{}
	err := r.Get(ctx, client.ObjectKeyFromObject(binding), old)
	if apierrors.IsNotFound(err) || (err == nil && old.RoleRef == r.readerRoleRef()) {
		return nil
	}
	if err != nil {
		return err
	}
	// Only that binding: not one a pass just made in its place.
	if err := r.Delete(ctx, old, client.Preconditions{UID: &old.UID}); client.IgnoreNotFound(err) != nil && !apierrors.IsConflict(err) {
		return err
	}
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: credentialsReaderName, Namespace: old.Namespace}}
	if err := r.Delete(ctx, role); client.IgnoreNotFound(err) != nil {
		return err
	}
	for range 40 {
		err := r.Get(ctx, client.ObjectKeyFromObject(binding), old)
		if apierrors.IsNotFound(err) || (err == nil && old.RoleRef == r.readerRoleRef()) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("the cache still holds the replaced binding")
}

// ownedObject is an object of the tenant namespace and how to fill it in.
type ownedObject struct {
	kind string
	obj  client.Object
	fill func()
}

// ensure creates obj or brings it to what fill sets, owned by the Kecamatan
// and labelled as the operator's. It writes nothing when obj is already so.
func (r *KecamatanReconciler) ensure(ctx context.Context, kec *slrtv1.Kecamatan, obj client.Object, fill func()) error {
	for tries := 1; ; tries++ {
		_, err := controllerutil.CreateOrUpdate(ctx, r.Client, obj, func() error {
			fill()
			obj.SetLabels(tenantLabels(kec, obj.GetLabels()))
			return controllerutil.SetControllerReference(kec, obj, r.Scheme())
		})
		if !apierrors.IsAlreadyExists(err) || tries == 20 || !r.controlledBy(ctx, kec, obj) {
			return err
		}
		// An earlier pass made it and the cache is a moment behind: the
		// creation's own event, which used to bring another pass, is not
		// watched (SetupWithManager).
		time.Sleep(50 * time.Millisecond)
	}
}

// controlledBy reads obj from the API server, past the cache, and reports
// whether kec controls it.
func (r *KecamatanReconciler) controlledBy(ctx context.Context, kec *slrtv1.Kecamatan, obj client.Object) bool {
	live, ok := obj.DeepCopyObject().(client.Object)
	return ok && r.APIReader.Get(ctx, client.ObjectKeyFromObject(obj), live) == nil && metav1.IsControlledBy(live, kec)
}

func namespaceError(err error, kind, name string) error {
	var owned *controllerutil.AlreadyOwnedError
	if errors.As(err, &owned) || apierrors.IsAlreadyExists(err) {
		// AlreadyExists means an object the cache cannot see: one the operator
		// did not make. Neither case is taken over.
		return blocked(reasonNamespaceConflict,
			"The %s %s already exists and belongs to something else (another Kecamatan with the same code, or made by hand). Remove it or the duplicate Kecamatan.", kind, name)
	}
	return retryable(reasonKubernetesError, err, "while ensuring the %s %s", kind, name)
}

func tenantLabels(kec *slrtv1.Kecamatan, labels map[string]string) map[string]string {
	if labels == nil {
		labels = map[string]string{}
	}
	labels[managedByLabel] = managedByValue
	labels[slrtv1.CodeLabel] = kec.Spec.Code
	return labels
}

// quotaHard maps the spec's quota to ResourceQuota limits; a field left out
// (the API server fills in defaults, so only a cleared one) sets no limit.
func quotaHard(q slrtv1.QuotaSpec) corev1.ResourceList {
	hard := corev1.ResourceList{}
	for name, v := range map[corev1.ResourceName]*resource.Quantity{
		corev1.ResourceRequestsCPU:     q.RequestsCPU,
		corev1.ResourceRequestsMemory:  q.RequestsMemory,
		corev1.ResourceLimitsCPU:       q.LimitsCPU,
		corev1.ResourceLimitsMemory:    q.LimitsMemory,
		corev1.ResourceRequestsStorage: q.RequestsStorage,
	} {
		if v != nil {
			hard[name] = *v
		}
	}
	if q.Pods != nil {
		hard[corev1.ResourcePods] = *resource.NewQuantity(int64(*q.Pods), resource.DecimalSI)
	}
	return hard
}

// defaultLimits gives every container in the tenant namespace requests and
// limits, which a ResourceQuota on cpu and memory requires.
func defaultLimits() corev1.LimitRangeSpec {
	return corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
		Type: corev1.LimitTypeContainer,
		DefaultRequest: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("100m"),
			corev1.ResourceMemory: resource.MustParse("128Mi"),
		},
		Default: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("500m"),
			corev1.ResourceMemory: resource.MustParse("512Mi"),
		},
	}}}
}

// platformOnlyPolicy denies all traffic to and from the tenant's pods except
// with the platform namespace, and DNS.
func platformOnlyPolicy(platformNamespace string) networkingv1.NetworkPolicySpec {
	platform := []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
		MatchLabels: map[string]string{corev1.LabelMetadataName: platformNamespace},
	}}}
	dnsPort := func(p corev1.Protocol) networkingv1.NetworkPolicyPort {
		port := intstr.FromInt32(53)
		return networkingv1.NetworkPolicyPort{Protocol: &p, Port: &port}
	}
	return networkingv1.NetworkPolicySpec{
		PodSelector: metav1.LabelSelector{},
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: platform}},
		Egress: []networkingv1.NetworkPolicyEgressRule{
			{To: platform},
			{Ports: []networkingv1.NetworkPolicyPort{dnsPort(corev1.ProtocolUDP), dnsPort(corev1.ProtocolTCP)}},
		},
	}
}
