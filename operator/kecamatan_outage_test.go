package operator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// While PostgreSQL is down, new tenants wait with a reason naming the
// database, a Delete-policy deletion waits, a Retain-policy deletion goes
// ahead; once it is back, everything converges with no one's help.
func TestPostgresOutageIsAConditionAndHeals(t *testing.T) {
	if env.Postgres.External() {
		t.Skip("stops PostgreSQL, which an external server cannot be")
	}
	ctx := context.Background()
	toDrop := waitReady(t, create(t, newKecamatan("32.73.14", slrtv1.ReclaimDelete)).Name)
	toKeep := waitReady(t, create(t, newKecamatan("32.73.22", slrtv1.ReclaimRetain)).Name)

	if err := env.Postgres.Stop(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = env.Postgres.Start()
		}
	})

	fresh := create(t, newKecamatan("32.73.23", ""))
	got := waitCondition(t, fresh.Name, slrtv1.ConditionReady, metav1.ConditionFalse, reasonDatabaseUnreachable)
	if c := findCondition(got, slrtv1.ConditionDatabaseReady); c.Reason != reasonDatabaseUnreachable ||
		!strings.Contains(c.Message, "slrt_32_73_23") {
		t.Errorf("DatabaseReady should name the database: %s %q", c.Reason, c.Message)
	}
	assertEvent(t, got, reasonDatabaseUnreachable)

	if err := k8s.Delete(ctx, toDrop); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, toDrop.Name, slrtv1.ConditionReady, metav1.ConditionFalse, reasonDeletionBlocked)
	deleteAndWaitGone(t, toKeep)
	assertEvent(t, toKeep, "DatabaseRetainedUnchecked")

	if err := env.Postgres.Start(); err != nil {
		t.Fatal(err)
	}
	restarted = true
	waitReady(t, fresh.Name)
	eventually(t, "the Delete-policy tenant finishes deleting", func() error {
		err := k8s.Get(ctx, client.ObjectKey{Name: toDrop.Name}, &slrtv1.Kecamatan{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return errors.Join(err, fmt.Errorf("still there"))
	})
	var dbs int
	if err := adminConn(t).QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, toDrop.Status.DatabaseName).Scan(&dbs); err != nil || dbs != 0 {
		t.Fatalf("database %s: %d left (%v)", toDrop.Status.DatabaseName, dbs, err)
	}
}
