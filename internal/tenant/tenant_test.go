package tenant

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/slrt-id/slrt/internal/localpg"
)

// When a tenant's credentials Secret comes to name another port (a server
// restarted on a new address, a database moved), the open pool is retired
// at the next refresh and the next acquire connects to the new place. One
// step of the registry, with a fake Secret reader and a real PostgreSQL.
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
	secrets := fake.NewClientBuilder().WithObjects(secretFor(pg.Port)).Build()
	r := NewRegistry(nil, secrets, Options{Budget: 8, PerTenant: 2})
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
	if err := acquire(); err == nil {
		t.Fatal("the pool still reaches the old endpoint after the Secret moved")
	}
	if err := secrets.Update(ctx, secretFor(pg.Port)); err != nil {
		t.Fatal(err)
	}
	r.sweep(ctx)
	if err := acquire(); err != nil {
		t.Fatalf("the pool did not follow the Secret back: %v", err)
	}
	r.closeAll()
}
