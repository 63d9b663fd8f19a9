package operator

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

func TestKecamatanBecomesReadyWithIsolatedDatabase(t *testing.T) {
	ctx := context.Background()
	kec := create(t, newKecamatan("32.73.20", ""))
	kec = waitReady(t, kec.Name)

	for _, c := range conditionTypes {
		if cond := findCondition(kec, c); cond == nil || cond.Status != "True" {
			t.Errorf("condition %s: %+v", c, cond)
		}
	}
	if kec.Status.Namespace != "slrt-32-73-20" || kec.Status.DatabaseName != "slrt_32_73_20" ||
		kec.Status.CredentialsSecret != credentialsSecretName || kec.Status.KelurahanCount != 4 ||
		kec.Status.SchemaVersion < 1 || kec.Status.ObservedGeneration != kec.Generation {
		t.Errorf("status: %+v", kec.Status)
	}
	if kec.Spec.Database.ReclaimPolicy != slrtv1.ReclaimRetain {
		t.Errorf("defaults not applied: %+v", kec.Spec.Database)
	}
	if placed := findCondition(kec, slrtv1.ConditionPlaced); kec.Status.Server != defaultServer || placed.Reason != "NamedInSpec" {
		t.Errorf("placement: server %q, %+v", kec.Status.Server, placed)
	}

	ns := &corev1.Namespace{}
	mustGet(t, "", kec.Status.Namespace, ns)
	if ns.Labels[slrtv1.CodeLabel] != "32.73.20" {
		t.Errorf("namespace labels: %v", ns.Labels)
	}
	quota := &corev1.ResourceQuota{}
	mustGet(t, ns.Name, quotaName, quota)
	if q := quota.Spec.Hard[corev1.ResourceRequestsMemory]; q.String() != "4Gi" {
		t.Errorf("quota requests.memory = %s, want the 4Gi default", q.String())
	}
	mustGet(t, ns.Name, limitRangeName, &corev1.LimitRange{})
	policy := &networkingv1.NetworkPolicy{}
	mustGet(t, ns.Name, networkPolicyName, policy)
	if len(policy.Spec.PolicyTypes) != 2 || len(policy.Spec.Ingress) != 1 ||
		policy.Spec.Ingress[0].From[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != platformNamespace {
		t.Errorf("network policy admits more than the platform: %+v", policy.Spec)
	}
	binding := &rbacv1.RoleBinding{}
	mustGet(t, ns.Name, credentialsReaderName, binding)
	if binding.Subjects[0].Name != "slrt-api" || binding.Subjects[0].Namespace != platformNamespace ||
		binding.RoleRef.Kind != "ClusterRole" || binding.RoleRef.Name != DefaultCredentialsReaderRole {
		t.Errorf("credentials reader binding: %+v to %+v", binding.Subjects, binding.RoleRef)
	}

	conn, err := connect(ctx, tenantURL(t, kec))
	if err != nil {
		t.Fatalf("tenant credentials do not connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	var first string
	if err := conn.QueryRow(ctx, `SELECT count(*), min(code) FROM kelurahan`).Scan(&n, &first); err != nil || n != 4 || first != "32.73.20.1001" {
		t.Fatalf("kelurahan rows: %d from %s, %v", n, first, err)
	}

	// Another tenant's credentials reach their own database and not this one.
	other := waitReady(t, create(t, newKecamatan("32.73.21", "")).Name)
	otherURL := tenantURL(t, other)
	crossed := replaceDatabase(t, otherURL, kec.Status.DatabaseName)
	if c, err := connect(ctx, crossed); err == nil {
		c.Close(ctx)
		t.Fatal("the credentials of 32.73.21 connected to the database of 32.73.20")
	} else if !isPgCode(err, "42501") {
		t.Fatalf("want permission denied (42501), got %v", err)
	}
	if c, err := connect(ctx, otherURL); err != nil {
		t.Fatalf("32.73.21 cannot reach its own database: %v", err)
	} else {
		c.Close(ctx)
	}
}

// The three pilot kecamatan, applied from config/samples as city IT would
// with the sample database server, become Ready with their kelurahan: from
// the reference data, or as listed; the sample backup completes.
func TestPilotSamplesBecomeReady(t *testing.T) {
	want := map[string]int32{"babakan-ciparay": 6, "bojongloa-kaler": 5, "bandung-kulon": 8}
	files, err := filepath.Glob(filepath.Join(env.Root, "config", "samples", "*.yaml"))
	var backup *slrtv1.KecamatanBackup
	if err != nil || len(files) != len(want)+2 {
		t.Fatalf("samples: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Base(f) {
		case "database-server.yaml":
			applyServerSample(t, data)
			continue
		case "kecamatan-backup.yaml":
			backup = &slrtv1.KecamatanBackup{}
			if err := yaml.UnmarshalStrict(data, backup); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			continue
		}
		kec := &slrtv1.Kecamatan{}
		if err := yaml.UnmarshalStrict(data, kec); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		create(t, kec)
	}
	for name, count := range want {
		if kec := waitReady(t, name); kec.Status.KelurahanCount != count {
			t.Errorf("%s: %d kelurahan, want %d", name, kec.Status.KelurahanCount, count)
		}
	}
	waitCondition(t, "babakan-ciparay", slrtv1.ConditionBackupScheduled, metav1.ConditionTrue, reasonBackupScheduled)
	if err := k8s.Create(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	waitBackup(t, backup.Name, slrtv1.BackupCompleted)
}

// applyServerSample applies the sample DatabaseServer over the suite's
// "default", which names the same admin Secret.
func applyServerSample(t *testing.T, data []byte) {
	t.Helper()
	sample := &slrtv1.DatabaseServer{}
	if err := yaml.UnmarshalStrict(data, sample); err != nil {
		t.Fatalf("database-server.yaml: %v", err)
	}
	if sample.Name != defaultServer || sample.Spec.SecretName != adminSecretName {
		t.Fatalf("database-server.yaml names %s with Secret %s", sample.Name, sample.Spec.SecretName)
	}
	ds := &slrtv1.DatabaseServer{}
	mustGet(t, "", defaultServer, ds)
	before := ds.DeepCopy()
	ds.Labels, ds.Spec = sample.Labels, sample.Spec
	if err := k8s.Patch(context.Background(), ds, client.MergeFrom(before)); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t testing.TB, namespace, name string, obj client.Object) {
	t.Helper()
	if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: namespace, Name: name}, obj); err != nil {
		t.Fatalf("getting %T %s/%s: %v", obj, namespace, name, err)
	}
}

// A kecamatan anywhere in Indonesia gets its desa and kelurahan from the
// national reference data: Bakongan, in Kabupaten Aceh Selatan, has 7 desa.
func TestAKecamatanOutsideBandungGetsItsDesa(t *testing.T) {
	kec := create(t, newKecamatan("11.01.01", ""))
	if kec = waitReady(t, kec.Name); kec.Status.KelurahanCount != 7 {
		t.Errorf("Bakongan: %d desa, want 7", kec.Status.KelurahanCount)
	}
}
