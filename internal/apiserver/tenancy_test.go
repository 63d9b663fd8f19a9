package apiserver_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

type kelurahanPage struct {
	Items []registry.Kelurahan `json:"items"`
}

func TestCallersNeverReachAnotherTenantsRows(t *testing.T) {
	var page kelurahanPage
	do(t, "petugas", "GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].Code != "32.73.03.1001" {
		t.Errorf("a petugas sees only their own kelurahan, got %+v", page.Items)
	}
	do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil).json(t, &page)
	if len(page.Items) != 6 {
		t.Errorf("the supervisor sees the 6 kelurahan of the kecamatan, got %d", len(page.Items))
	}

	// Tampering: a kelurahan of another kecamatan under this kecamatan's URL,
	// or the other way round, reaches nothing.
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.03/kelurahan/32.73.04.1001", nil), http.StatusNotFound)
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.04/kelurahan/32.73.03.1001", nil), http.StatusNotFound)
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil), http.StatusForbidden)
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.3/kelurahan", nil), http.StatusNotFound)
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.99/kelurahan", nil), http.StatusNotFound)

	// Dinsos reads the other tenant through its own database.
	do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil).json(t, &page)
	if len(page.Items) != 5 || page.Items[0].Code != "32.73.04.1001" {
		t.Errorf("Bojongloa Kaler's kelurahan: %+v", page.Items)
	}
}

func TestSuspendedAndProvisioningTenantsAnswerClearly(t *testing.T) {
	ctx := context.Background()
	expectStatus(t, do(t, "admin", "PATCH", "/api/v1/admin/kecamatan/32.73.04", map[string]any{"suspended": true}), http.StatusOK)
	waitStatus(t, "dinsos", "/api/v1/kecamatan/32.73.04/kelurahan", http.StatusLocked)
	// The other tenant is untouched.
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil), http.StatusOK)

	expectStatus(t, do(t, "admin", "PATCH", "/api/v1/admin/kecamatan/32.73.04", map[string]any{"suspended": false}), http.StatusOK)
	waitStatus(t, "dinsos", "/api/v1/kecamatan/32.73.04/kelurahan", http.StatusOK)

	// A tenant placed on a server the operator does not know never becomes
	// Ready: the API says so, with the operator's reason.
	kec := &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: "kec-32-73-06"}, Spec: slrtv1.KecamatanSpec{
		Code: "32.73.06", DisplayName: "Astanaanyar", Database: slrtv1.DatabaseSpec{Server: "elsewhere"}}}
	if err := platform.Admin.Create(ctx, kec); err != nil {
		t.Fatal(err)
	}
	var resp *response
	if err := waitFor(30*time.Second, func() error {
		resp = do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.06/kelurahan", nil)
		if resp.status != http.StatusServiceUnavailable || !strings.Contains(string(resp.body), "UnknownDatabaseServer") {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("want 503 naming the operator's reason, got %d: %s", resp.status, resp.body)
	}
}

func TestOneTenantDatabaseDownOthersKeepServing(t *testing.T) {
	ctx := context.Background()
	admin := adminConn(t)
	if _, err := admin.Exec(ctx, `ALTER DATABASE slrt_32_73_04 WITH ALLOW_CONNECTIONS false`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(ctx, `ALTER DATABASE slrt_32_73_04 WITH ALLOW_CONNECTIONS true`) })
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'slrt_32_73_04'`); err != nil {
		t.Fatal(err)
	}

	resp := do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil)
	expectStatus(t, resp, http.StatusServiceUnavailable)
	if resp.header.Get("Content-Type") != "application/problem+json" || resp.header.Get("Retry-After") == "" {
		t.Errorf("503 without problem+json or Retry-After: %v", resp.header)
	}
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil), http.StatusOK)

	if _, err := admin.Exec(ctx, `ALTER DATABASE slrt_32_73_04 WITH ALLOW_CONNECTIONS true`); err != nil {
		t.Fatal(err)
	}
	// Serving again without a restart. Not at once: when the terminated
	// connections include the operator's (a reconcile that was running),
	// the kecamatan is NotReady until the operator's next pass.
	waitStatus(t, "dinsos", "/api/v1/kecamatan/32.73.04/kelurahan", http.StatusOK)
}

// Deleting a tenant's credentials Secret makes the operator rotate the
// password; the API's pool picks the new one up without a restart.
func TestPoolFollowsCredentialRotation(t *testing.T) {
	ctx := context.Background()
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil), http.StatusOK)

	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "slrt-32-73-03", Name: "slrt-database"}}
	before := &corev1.Secret{}
	if err := platform.Admin.Get(ctx, keyOf(secret), before); err != nil {
		t.Fatal(err)
	}
	if err := platform.Admin.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(30*time.Second, func() error {
		after := &corev1.Secret{}
		if err := platform.Admin.Get(ctx, keyOf(secret), after); err != nil {
			return err
		}
		if string(after.Data["password"]) == string(before.Data["password"]) {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := platform.WaitReady(ctx, "kec-32-73-03"); err != nil {
		t.Fatal(err)
	}
	// Open connections survive a password change; end them so that the pool
	// must log in again, with the new password.
	if _, err := adminConn(t).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'slrt_32_73_03'`); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, "dinsos", "/api/v1/kecamatan/32.73.03/kelurahan", http.StatusOK)
}

func waitStatus(t *testing.T, who, path string, want int) {
	t.Helper()
	var last *response
	if err := waitFor(30*time.Second, func() error {
		last = do(t, who, "GET", path, nil)
		if last.status != want {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("GET %s as %s: status %d, want %d: %s", path, who, last.status, want, last.body)
	}
}

// A tenant database that restarted (its connections ended) serves the
// next reads without an error: the first read that meets a dead pooled
// connection drops the others and runs again on a fresh one, although pgx
// hands out connections used in the last second unchecked.
func TestReadsSurviveATenantDatabaseRestart(t *testing.T) {
	ctx := context.Background()
	// Several connections in the pool, all used a moment ago.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil)
		}()
	}
	wg.Wait()
	if _, err := adminConn(t).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'slrt_32_73_04' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if resp := do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil); resp.status != http.StatusOK {
			t.Errorf("read %d after the restart: %d %s", i+1, resp.status, resp.body)
		}
	}
}

// While a kecamatan's database is moved to another server its writes are
// paused: reads answer as before, a write answers 503 with Retry-After and
// changes nothing, and the same write succeeds once the move is done.
func TestAWriteWhileTheKecamatanIsMovedAnswers503(t *testing.T) {
	ctx := context.Background()
	kec := &slrtv1.Kecamatan{}
	if err := platform.Admin.Get(ctx, client.ObjectKey{Name: "kec-32-73-04"}, kec); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{}
	if err := platform.Admin.Get(ctx, client.ObjectKey{Namespace: kec.Status.Namespace, Name: kec.Status.CredentialsSecret}, secret); err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(string(secret.Data[slrtv1.CredentialsKeyPort]))
	db := tenantbackup.Conn{Host: string(secret.Data[slrtv1.CredentialsKeyHost]), Port: port,
		User: string(secret.Data[slrtv1.CredentialsKeyUsername]), Password: string(secret.Data[slrtv1.CredentialsKeyPassword]),
		Database: kec.Status.DatabaseName, SSLMode: string(secret.Data[slrtv1.CredentialsKeySSLMode])}
	if err := db.PauseWrites(ctx, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.PauseWrites(ctx, false) })

	expectStatus(t, do(t, "petugas-bk", "GET", kec32("/kelurahan"), nil), http.StatusOK)
	house := map[string]any{"noKK": newKK(), "house": map[string]any{"kelurahan": "32.73.04.1001", "rt": "001", "rw": "002", "street": "Jl. Pindah 1"}}
	refused := do(t, "petugas-bk", "POST", kec32("/keluarga"), house, "Idempotency-Key", "moved-1")
	expectStatus(t, refused, http.StatusServiceUnavailable)
	if refused.header.Get("Retry-After") != "5" || !strings.Contains(string(refused.body), "being moved") {
		t.Errorf("the refusal: Retry-After %q, %s", refused.header.Get("Retry-After"), refused.body)
	}
	if err := db.PauseWrites(ctx, false); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, do(t, "petugas-bk", "POST", kec32("/keluarga"), house, "Idempotency-Key", "moved-1"), http.StatusCreated)
}

func kec32(path string) string { return kec("32.73.04") + path }
