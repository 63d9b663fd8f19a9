package operator

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

func TestReconcilingAnUnchangedTenantWritesNothing(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.05", "")).Name)
	before := resourceVersions(t, kec)

	for range 3 {
		if _, err := reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Name: kec.Name}}); err != nil {
			t.Fatalf("reconcile: %v", err)
		}
	}
	after := resourceVersions(t, kec)
	for obj, rv := range before {
		if after[obj] != rv {
			t.Errorf("%s changed: resourceVersion %s -> %s", obj, rv, after[obj])
		}
	}
}

func TestAnUnchangedTenantIsCheckedWithItsCredentialsHourlyNotAtEveryResync(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.29", "")).Name)
	db, err := env.Postgres.Connect(ctx, kec.Status.DatabaseName)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	count := func() (n int) {
		t.Helper()
		if err := db.QueryRow(ctx, `SELECT count(*) FROM kelurahan`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := count()
	// Drift only the tenant's own connection would see: a kelurahan row gone.
	if _, err := db.Exec(ctx, `DELETE FROM kelurahan WHERE code = (SELECT min(code) FROM kelurahan)`); err != nil {
		t.Fatal(err)
	}
	resync := func() {
		t.Helper()
		if _, err := reconciler.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Name: kec.Name}}); err != nil {
			t.Fatalf("reconcile: %v", err)
		}
	}
	resync()
	if got := count(); got != want-1 {
		t.Fatalf("a resync within the hour connected and wrote the kelurahan: %d rows", got)
	}
	// An hour on, the next resync connects and heals it.
	reconciler.verified.mu.Lock()
	last := reconciler.verified.m[get(t, kec.Name).UID]
	last.at = last.at.Add(-verifyEvery)
	reconciler.verified.m[get(t, kec.Name).UID] = last
	reconciler.verified.mu.Unlock()
	resync()
	if got := count(); got != want {
		t.Fatalf("after an hour: %d kelurahan, want %d", got, want)
	}
}

func TestDeletedOwnedObjectsAndSecretAreRestored(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.06", "")).Name)
	ns := kec.Status.Namespace
	oldURL := tenantURL(t, kec)

	owned := []client.Object{
		&corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: quotaName, Namespace: ns}},
		&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: limitRangeName, Namespace: ns}},
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: networkPolicyName, Namespace: ns}},
		&rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: credentialsReaderName, Namespace: ns}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: credentialsSecretName, Namespace: ns}},
	}
	uids := map[string]string{}
	for _, obj := range owned {
		mustGet(t, ns, obj.GetName(), obj)
		uids[fmt.Sprintf("%T", obj)] = string(obj.GetUID())
		if err := k8s.Delete(ctx, obj); err != nil {
			t.Fatalf("deleting %T: %v", obj, err)
		}
	}
	for _, obj := range owned {
		eventually(t, fmt.Sprintf("%T re-created", obj), func() error {
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
				return err
			}
			if string(obj.GetUID()) == uids[fmt.Sprintf("%T", obj)] {
				return fmt.Errorf("still the deleted object")
			}
			return nil
		})
	}

	kec = waitReady(t, kec.Name)
	newURL := tenantURL(t, kec)
	if newURL == oldURL {
		t.Fatal("the re-created Secret kept the old password")
	}
	eventually(t, "the new password works", func() error {
		c, err := connect(ctx, newURL)
		if err == nil {
			c.Close(ctx)
		}
		return err
	})
	if c, err := connect(ctx, oldURL); err == nil {
		c.Close(ctx)
		t.Fatal("the old password still works")
	} else if !isPgCode(err, "28P01") {
		t.Fatalf("want invalid_password (28P01) for the old password, got %v", err)
	}
}

// A tenant made before the platform's ClusterRole had a Role of its own for
// the API, and a binding to it; a binding's roleRef cannot change, so the
// operator replaces the binding and deletes the Role.
func TestABindingToTheOldPerNamespaceRoleIsReplaced(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.01", "")).Name)
	ns := kec.Status.Namespace
	owner := metav1.NewControllerRef(kec, slrtv1.GroupVersion.WithKind("Kecamatan"))
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: credentialsReaderName, Namespace: ns, OwnerReferences: []metav1.OwnerReference{*owner}},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"},
			ResourceNames: []string{credentialsSecretName}, Verbs: []string{"get", "watch"}}},
	}
	if err := k8s.Create(ctx, role); err != nil {
		t.Fatal(err)
	}
	// The operator puts a deleted binding back at once: delete and create
	// until the old kind of binding is the one in place.
	binding := &rbacv1.RoleBinding{}
	mustGet(t, ns, credentialsReaderName, binding)
	for tries := 0; ; tries++ {
		if err := k8s.Delete(ctx, binding); client.IgnoreNotFound(err) != nil {
			t.Fatal(err)
		}
		old := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: credentialsReaderName, Namespace: ns, OwnerReferences: []metav1.OwnerReference{*owner},
				Labels: binding.Labels},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: credentialsReaderName},
			Subjects: binding.Subjects,
		}
		err := k8s.Create(ctx, old)
		if err == nil {
			break
		}
		if !apierrors.IsAlreadyExists(err) || tries == 20 {
			t.Fatal(err)
		}
		mustGet(t, ns, credentialsReaderName, binding)
	}
	// A pass (here for an annotation) finds it.
	patch := []byte(`{"metadata":{"annotations":{"test.slrt.id/nudge":"1"}}}`)
	if err := k8s.Patch(ctx, &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: kec.Name}}, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the binding refers to the ClusterRole and the Role is gone", func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(binding), binding); err != nil {
			return err
		}
		if binding.RoleRef.Kind != "ClusterRole" {
			return fmt.Errorf("binding to %+v", binding.RoleRef)
		}
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(role), &rbacv1.Role{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("the Role: %v", err)
		}
		return nil
	})
	if kec := waitReady(t, kec.Name); !metav1.IsControlledBy(binding, kec) {
		t.Fatalf("the new binding is not the Kecamatan's: %+v", binding.OwnerReferences)
	}
}

// The operator's cache keeps no managed fields, yet an object edited by
// hand is brought back with an update that leaves the API server's record
// of who set which field in place.
func TestAnEditedObjectIsRestoredFromACacheWithoutManagedFields(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.30", "")).Name)
	quota := &corev1.ResourceQuota{}
	mustGet(t, kec.Status.Namespace, quotaName, quota)
	want := quota.Spec.Hard[corev1.ResourceRequestsMemory]
	quota.Spec.Hard[corev1.ResourceRequestsMemory] = resource.MustParse("1Gi")
	if err := k8s.Update(ctx, quota, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the quota restored", func() error {
		mustGet(t, kec.Status.Namespace, quotaName, quota)
		if got := quota.Spec.Hard[corev1.ResourceRequestsMemory]; got.Cmp(want) != 0 {
			return fmt.Errorf("requests.memory %s, want %s", got.String(), want.String())
		}
		return nil
	})
	if len(quota.ManagedFields) == 0 {
		t.Error("the restoring update wiped the quota's managed fields")
	}

	cached := &corev1.ResourceQuota{}
	if err := reconciler.Get(ctx, client.ObjectKeyFromObject(quota), cached); err != nil {
		t.Fatal(err)
	}
	cachedKec := &slrtv1.Kecamatan{}
	if err := reconciler.Get(ctx, client.ObjectKeyFromObject(kec), cachedKec); err != nil {
		t.Fatal(err)
	}
	if len(cached.ManagedFields) != 0 || len(cachedKec.ManagedFields) != 0 {
		t.Errorf("the operator's cache keeps managed fields: quota %d entries, Kecamatan %d",
			len(cached.ManagedFields), len(cachedKec.ManagedFields))
	}
}

func TestSuspendDisablesLoginAndResumeRestoresIt(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.07", "")).Name)
	url := tenantURL(t, kec)
	open, err := connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close(ctx)

	setSuspended(t, kec.Name, true)
	kec = waitCondition(t, kec.Name, slrtv1.ConditionReady, metav1.ConditionFalse, reasonSuspended)
	if c := findCondition(kec, slrtv1.ConditionDatabaseReady); c.Reason != reasonLoginDisabled {
		t.Errorf("DatabaseReady while suspended: %s %s", c.Reason, c.Message)
	}
	if c, err := connect(ctx, url); err == nil {
		c.Close(ctx)
		t.Fatal("a suspended tenant's credentials still connect")
	} else if !isPgCode(err, "28000") {
		t.Fatalf("want invalid_authorization_specification (28000), got %v", err)
	}
	if err := open.Ping(ctx); err == nil {
		t.Error("a session opened before the suspension is still alive")
	}

	setSuspended(t, kec.Name, false)
	waitReady(t, kec.Name)
	c, err := connect(ctx, url)
	if err != nil {
		t.Fatalf("login not restored after resuming: %v", err)
	}
	c.Close(ctx)
}

func TestDeletionWithRetainKeepsTheDatabase(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.08", slrtv1.ReclaimRetain)).Name)
	deleteAndWaitGone(t, kec)

	admin := adminConn(t)
	var exists, canLogin bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, kec.Status.DatabaseName).Scan(&exists); err != nil || !exists {
		t.Fatalf("database %s gone under Retain (%v)", kec.Status.DatabaseName, err)
	}
	if err := admin.QueryRow(ctx, `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, kec.Status.DatabaseName).Scan(&canLogin); err != nil || canLogin {
		t.Fatalf("retained role can log in: %v %v", canLogin, err)
	}
	assertNamespaceDeleted(t, kec.Status.Namespace)
	assertEvent(t, kec, "DatabaseRetained")
}

func TestDeletionWithDeleteDropsTheDatabase(t *testing.T) {
	ctx := context.Background()
	kec := waitReady(t, create(t, newKecamatan("32.73.09", slrtv1.ReclaimDelete)).Name)
	deleteAndWaitGone(t, kec)

	admin := adminConn(t)
	var databases, roles int
	if err := admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_database WHERE datname = $1),
		(SELECT count(*) FROM pg_roles WHERE rolname = $1)`, kec.Status.DatabaseName).Scan(&databases, &roles); err != nil {
		t.Fatal(err)
	}
	if databases != 0 || roles != 0 {
		t.Fatalf("after Delete: %d databases, %d roles named %s", databases, roles, kec.Status.DatabaseName)
	}
	assertNamespaceDeleted(t, kec.Status.Namespace)
	assertEvent(t, kec, "DatabaseDeleted")
}

func TestAPIServerRefusesMalformedAndChangedCodes(t *testing.T) {
	ctx := context.Background()
	for _, code := range []string{"32.73.3", "3273.03", "32.73.03.1001", "32-73-03", ""} {
		kec := newKecamatan("32.73.10", "")
		kec.Name = "bad-" + strings.NewReplacer(".", "-").Replace(code) + "x"
		kec.Spec.Code = code
		if err := k8s.Create(ctx, kec); !apierrors.IsInvalid(err) {
			t.Errorf("code %q: want Invalid, got %v", code, err)
		}
	}
	foreign := newKecamatan("32.73.11", "")
	foreign.Spec.Kelurahan = []slrtv1.KelurahanSpec{{Code: "32.73.12.1001", Name: "Elsewhere"}}
	if err := k8s.Create(ctx, foreign); !apierrors.IsInvalid(err) {
		t.Errorf("kelurahan of another kecamatan: want Invalid, got %v", err)
	}

	// A patch, not an update: the operator writes the object meanwhile (its
	// finalizer), and the CEL rule, not an optimistic lock, must refuse this.
	kec := create(t, newKecamatan("32.73.11", ""))
	err := k8s.Patch(ctx, kec, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"code":"32.73.12"}}`)))
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "code is immutable") {
		t.Fatalf("changing the code: want Invalid 'code is immutable', got %v", err)
	}
}

func TestUnknownKecamatanCodeSaysWhatToDo(t *testing.T) {
	kec := create(t, newKecamatan("32.73.99", ""))
	kec = waitCondition(t, kec.Name, slrtv1.ConditionReady, metav1.ConditionFalse, reasonKelurahanUnknown)
	if c := findCondition(kec, slrtv1.ConditionSchemaReady); !strings.Contains(c.Message, "spec.kelurahan") {
		t.Errorf("message does not say what to do: %q", c.Message)
	}

	// Listing the kelurahan in the spec is the way out.
	patch := []byte(`{"spec":{"kelurahan":[{"code":"32.73.99.1001","name":"Percobaan"}]}}`)
	if err := k8s.Patch(context.Background(), kec, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatal(err)
	}
	if kec = waitReady(t, kec.Name); kec.Status.KelurahanCount != 1 {
		t.Fatalf("kelurahan count %d, want 1", kec.Status.KelurahanCount)
	}
}

func TestSecondKecamatanWithTheSameCodeIsRefused(t *testing.T) {
	first := waitReady(t, create(t, newKecamatan("32.73.13", "")).Name)
	dup := newKecamatan("32.73.13", "")
	dup.Name = "duplicate-of-" + first.Name
	create(t, dup)
	got := waitCondition(t, dup.Name, slrtv1.ConditionReady, metav1.ConditionFalse, reasonNamespaceConflict)
	if c := findCondition(got, slrtv1.ConditionNamespaceReady); !strings.Contains(c.Message, "slrt-32-73-13") {
		t.Errorf("message does not name the namespace: %q", c.Message)
	}
	// Deleting the duplicate leaves the first tenant's namespace and data alone.
	deleteAndWaitGone(t, got)
	first = waitReady(t, first.Name)
	ns := &corev1.Namespace{}
	if mustGet(t, "", first.Status.Namespace, ns); !ns.DeletionTimestamp.IsZero() {
		t.Fatal("deleting the duplicate deleted the first tenant's namespace")
	}
	if c, err := connect(context.Background(), tenantURL(t, first)); err != nil {
		t.Fatalf("the first tenant lost its database: %v", err)
	} else {
		c.Close(context.Background())
	}
}
