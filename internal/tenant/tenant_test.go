package tenant

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/localpg"
)

// When a tenant's credentials Secret comes to name another port (a server
// restarted on a new address, a database moved) and the operator has
// applied it (the Kecamatan's status names the Secret's version), the open
// pool is retired at the next refresh and the next acquire connects to the
// new place; until then the pool keeps what works. One step of the
// registry, with fake Kecamatan and Secret readers and a real PostgreSQL.
func TestPoolFollowsTheSecretToANewEndpoint(t *testing.T) {
	pg, closePG, err := localpg.OpenTemp("slrt-tenant-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closePG)
	closed, err := localpg.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	secretFor := func(port int) *corev1.Secret {
		s := &corev1.Secret{Data: map[string][]byte{
			"host": []byte(pg.Host), "port": []byte(fmt.Sprint(port)), "dbname": []byte("postgres"),
			"username": []byte(pg.User), "password": []byte(pg.Password),
			"uri": []byte(fmt.Sprintf("postgres://%s@%s:%d/postgres?sslmode=disable", pg.User, pg.Host, port)),
		}}
		s.Name, s.Namespace = "slrt-database", "slrt-32-73-03"
		return s
	}
	ctx := context.Background()
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), slrtv1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	secrets := fake.NewClientBuilder().WithScheme(scheme).WithObjects(secretFor(pg.Port)).Build()
	kec := &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: "kec-32-73-03"}, Spec: slrtv1.KecamatanSpec{Code: "32.73.03"}}
	kecamatan := fake.NewClientBuilder().WithScheme(scheme).WithObjects(kec).WithStatusSubresource(kec).
		WithIndex(&slrtv1.Kecamatan{}, CodeIndex, IndexByCode).Build()
	// applied records the Secret's current version in the status, as the
	// operator does once it has set the role's password from it.
	applied := func() {
		var s corev1.Secret
		if err := secrets.Get(ctx, client.ObjectKey{Namespace: "slrt-32-73-03", Name: "slrt-database"}, &s); err != nil {
			t.Fatal(err)
		}
		if err := kecamatan.Get(ctx, client.ObjectKeyFromObject(kec), kec); err != nil {
			t.Fatal(err)
		}
		kec.Status.CredentialsVersion = s.ResourceVersion
		if err := kecamatan.Status().Update(ctx, kec); err != nil {
			t.Fatal(err)
		}
	}
	applied()
	r := NewRegistry(kecamatan, secrets, Options{Budget: 8, PerTenant: 2})
	tn := &Tenant{Code: "32.73.03", Namespace: "slrt-32-73-03", Secret: "slrt-database"}
	acquire := func() error {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		conn, err := r.Acquire(ctx, tn)
		if err != nil {
			return err
		}
		defer conn.Release()
		return conn.Ping(ctx)
	}
	if err := acquire(); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Update(ctx, secretFor(closed)); err != nil {
		t.Fatal(err)
	}
	r.sweep(ctx)
	if err := acquire(); err != nil {
		t.Fatalf("the pool followed a Secret the operator has not applied: %v", err)
	}
	applied()
	r.sweep(ctx)
	if err := acquire(); err == nil {
		t.Fatal("the pool still reaches the old endpoint after the Secret moved")
	}
	if err := secrets.Update(ctx, secretFor(pg.Port)); err != nil {
		t.Fatal(err)
	}
	applied()
	r.sweep(ctx)
	if err := acquire(); err != nil {
		t.Fatalf("the pool did not follow the Secret back: %v", err)
	}
	r.closeAll()
}
