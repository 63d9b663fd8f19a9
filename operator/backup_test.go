package operator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/robfig/cron/v3"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

// seedRegistry writes houses and households into a tenant database (the
// triggers add their history and targeting rows), rounds rows at a time.
func seedRegistry(t *testing.T, url string, from, n int) {
	t.Helper()
	ctx := context.Background()
	_, err := openTenant(t, url).Exec(ctx, `
		WITH houses AS (
			INSERT INTO house (kelurahan_code, rt, rw, street, latitude, floor_area_m2)
			SELECT (SELECT min(code) FROM kelurahan), '001', '002', 'Jl. Contoh ' || i, -6.9 - i / 10000.0, 36.5
			  FROM generate_series($1::int, $2::int) i
			RETURNING id)
		INSERT INTO household (no_kk, house_id, kelurahan_code, desil, programmes, monthly_income)
		SELECT lpad((3273000000000000 + id)::text, 16, '0'), id, (SELECT min(code) FROM kelurahan), 1 + id % 10, '{PKH}', id * 1000
		  FROM houses`, from, from+n-1)
	if err != nil {
		t.Fatalf("seeding the registry: %v", err)
	}
}

// fingerprint reads every table of a tenant database in one snapshot.
func fingerprint(t *testing.T, url string) []tenantbackup.Table {
	t.Helper()
	ctx := context.Background()
	tx, err := openTenant(t, url).BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	tables, err := tenantbackup.Fingerprint(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// openTenant connects to a tenant database for the rest of the test.
func openTenant(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func backupTables(b *slrtv1.KecamatanBackup) []tenantbackup.Table {
	out := make([]tenantbackup.Table, len(b.Status.Tables))
	for i, tb := range b.Status.Tables {
		out[i] = tenantbackup.Table{Name: tb.Name, Rows: tb.Rows, Checksum: tb.Checksum}
	}
	return out
}

func createBackup(t *testing.T, name, kecamatan string) {
	t.Helper()
	b := &slrtv1.KecamatanBackup{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: slrtv1.KecamatanBackupSpec{Kecamatan: kecamatan}}
	if err := k8s.Create(context.Background(), b); err != nil {
		t.Fatalf("creating backup %s: %v", name, err)
	}
}

func waitBackup(t *testing.T, name string, phase slrtv1.BackupPhase) *slrtv1.KecamatanBackup {
	t.Helper()
	b := &slrtv1.KecamatanBackup{}
	eventually(t, "backup "+name+" "+string(phase), func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, b); err != nil {
			return err
		}
		if b.Status.Phase != phase {
			return fmt.Errorf("phase %q: %v", b.Status.Phase, b.Status.Conditions)
		}
		return nil
	})
	return b
}

// dropDatabase loses a tenant's database, as a broken disk or a wrong
// command would.
func dropDatabase(t *testing.T, name string) {
	t.Helper()
	if _, err := adminConn(t).Exec(context.Background(), `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
}

func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	var exists bool
	err := adminConn(t).QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	return exists
}

// finishNamespaceDeletion does what the namespace controller, which envtest
// does not run, does for a terminating namespace: it deletes what is in it
// and lets it go, so that a Kecamatan with the same code can have it again.
func finishNamespaceDeletion(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	for _, kind := range []client.Object{
		&corev1.Secret{}, &corev1.ResourceQuota{}, &corev1.LimitRange{},
		&networkingv1.NetworkPolicy{}, &rbacv1.RoleBinding{},
	} {
		if err := k8s.DeleteAllOf(ctx, kind, client.InNamespace(name)); err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	cs, err := kubernetes.NewForConfig(env.Kube.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return
	} else if err != nil {
		t.Fatal(err)
	}
	ns.Spec.Finalizers = nil
	if _, err := cs.CoreV1().Namespaces().Finalize(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "namespace "+name+" gone", func() error {
		if _, err := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there (%v)", err)
		}
		return nil
	})
}

func TestABackupRestoresTheTenantItWasTakenFrom(t *testing.T) {
	kec := create(t, newKecamatan("32.73.25", slrtv1.ReclaimDelete))
	kec = waitReady(t, kec.Name)
	url := tenantURL(t, kec)
	seedRegistry(t, url, 1, 300)
	atBackup := fingerprint(t, url)

	createBackup(t, "coblong-first", kec.Name)
	first := waitBackup(t, "coblong-first", slrtv1.BackupCompleted)
	if diffs := tenantbackup.Compare(atBackup, backupTables(first)); len(diffs) > 0 {
		t.Fatalf("the backup's fingerprints differ from the database: %v", diffs)
	}
	if first.Status.Code != "32.73.25" || first.Status.Size.Value() == 0 || first.Labels[slrtv1.CodeLabel] != "32.73.25" {
		t.Fatalf("backup status %+v, labels %v", first.Status, first.Labels)
	}
	if _, err := os.Stat(filepath.Join(reconciler.Config.Backups.Dir, first.Status.File)); err != nil {
		t.Fatalf("the dump file: %v", err)
	}
	// Written after the backup: a restore must not bring these back.
	seedRegistry(t, url, 301, 50)

	t.Run("a lost database is restored into the same Kecamatan", func(t *testing.T) {
		dropDatabase(t, kec.DatabaseName())
		// Noticed on the next pass: never an empty database in its place.
		patchKecamatan(t, kec.Name, `{"metadata":{"annotations":{"test/touch":"lost"}}}`)
		lost := waitCondition(t, kec.Name, slrtv1.ConditionDatabaseReady, metav1.ConditionFalse, reasonDatabaseLost)
		if databaseExists(t, kec.DatabaseName()) {
			t.Fatal("an empty database was made in place of the lost one")
		}
		assertEvent(t, lost, reasonDatabaseLost)
		patchKecamatan(t, kec.Name, `{"spec":{"database":{"restoreFrom":"coblong-first"}}}`)
		eventually(t, "restored", func() error {
			if k := get(t, kec.Name); k.Status.RestoredFrom != "coblong-first" || !k.IsReady() {
				return fmt.Errorf("restoredFrom %q, ready %t", k.Status.RestoredFrom, k.IsReady())
			}
			return nil
		})
		if diffs := tenantbackup.Compare(atBackup, fingerprint(t, url)); len(diffs) > 0 {
			t.Fatalf("the restored database differs from the backup: %v", diffs)
		}
		assertEvent(t, kec, reasonRestored)
	})

	t.Run("a backup restored into a new Kecamatan equals the original", func(t *testing.T) {
		deleteAndWaitGone(t, kec)
		finishNamespaceDeletion(t, kec.NamespaceName())
		if databaseExists(t, kec.DatabaseName()) {
			t.Fatal("reclaimPolicy Delete left the database")
		}
		again := newKecamatan("32.73.25", slrtv1.ReclaimDelete)
		again.Name = "coblong-restored"
		again.Spec.Database.RestoreFrom = "coblong-first"
		create(t, again)
		again = waitReady(t, again.Name)
		if diffs := tenantbackup.Compare(atBackup, fingerprint(t, tenantURL(t, again))); len(diffs) > 0 {
			t.Fatalf("the restored database differs from the backup: %v", diffs)
		}
		// The tenant works on: its role owns what was restored.
		seedRegistry(t, tenantURL(t, again), 400, 5)
	})

	t.Run("a backup that does not match its fingerprints is not restored", func(t *testing.T) {
		createBackup(t, "coblong-second", "coblong-restored")
		second := waitBackup(t, "coblong-second", slrtv1.BackupCompleted)
		tampered := []byte(`{"status":{"tables":[{"name":"public.household","rows":1,"checksum":"x"}]}}`)
		if err := k8s.Status().Patch(context.Background(), second, client.RawPatch(types.MergePatchType, tampered)); err != nil {
			t.Fatal(err)
		}
		// Named while the database exists, it is not used: only when the
		// database is lost (and the next pass notices).
		patchKecamatan(t, "coblong-restored", `{"spec":{"database":{"restoreFrom":"coblong-second"}}}`)
		dropDatabase(t, kec.DatabaseName())
		patchKecamatan(t, "coblong-restored", `{"metadata":{"annotations":{"test/touch":"lost"}}}`)
		failed := waitCondition(t, "coblong-restored", slrtv1.ConditionDatabaseReady, metav1.ConditionFalse, reasonRestoreFailed)
		msg := findCondition(failed, slrtv1.ConditionDatabaseReady).Message
		if !strings.Contains(msg, "public.household has") || !strings.Contains(msg, "is not in the backup") {
			t.Errorf("the condition does not name the tables that differ: %s", msg)
		}
		if databaseExists(t, kec.DatabaseName()) || databaseExists(t, restoringName(kec.DatabaseName())) {
			t.Error("a database differing from its backup was kept")
		}
		// Named again, the good backup brings the tenant back.
		patchKecamatan(t, "coblong-restored", `{"spec":{"database":{"restoreFrom":"coblong-first"}}}`)
		waitReady(t, "coblong-restored")
	})

	t.Run("deleting a backup deletes its file", func(t *testing.T) {
		b := waitBackup(t, "coblong-second", slrtv1.BackupCompleted)
		path := filepath.Join(reconciler.Config.Backups.Dir, b.Status.File)
		if err := k8s.Delete(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		eventually(t, "file removed", func() error {
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("still there (%v)", err)
			}
			return nil
		})
	})

	t.Run("a backup of another kecamatan is refused", func(t *testing.T) {
		other := newKecamatan("32.73.26", slrtv1.ReclaimDelete)
		other.Spec.Database.RestoreFrom = "coblong-first"
		create(t, other)
		k := waitCondition(t, other.Name, slrtv1.ConditionDatabaseReady, metav1.ConditionFalse, reasonBackupOfAnotherTenant)
		deleteAndWaitGone(t, k)
	})
}

func TestScheduledBackupsAreTakenAndTheOldestLetGo(t *testing.T) {
	kec := newKecamatan("32.73.27", slrtv1.ReclaimDelete)
	kec.Spec.Backup = &slrtv1.BackupSpec{Schedule: "@every 2s", Keep: 2}
	kec = waitReady(t, create(t, kec).Name)
	waitCondition(t, kec.Name, slrtv1.ConditionBackupScheduled, metav1.ConditionTrue, reasonBackupScheduled)

	seen := map[string]string{} // backup name -> its file
	eventually(t, "backups taken and the oldest deleted", func() error {
		var list slrtv1.KecamatanBackupList
		if err := k8s.List(context.Background(), &list, client.MatchingLabels{slrtv1.ScheduledByLabel: kec.Name}); err != nil {
			return err
		}
		completed := 0
		for _, b := range list.Items {
			if b.Status.Phase == slrtv1.BackupCompleted {
				completed++
				seen[b.Name] = b.Status.File
			}
		}
		if len(seen) < 4 {
			return fmt.Errorf("%d backups completed so far", len(seen))
		}
		if completed > 2 {
			return fmt.Errorf("%d completed backups kept, want 2", completed)
		}
		return nil
	})
	var gone int
	for name, file := range seen {
		err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, &slrtv1.KecamatanBackup{})
		if apierrors.IsNotFound(err) {
			gone++
			if _, err := os.Stat(filepath.Join(reconciler.Config.Backups.Dir, file)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the file of deleted backup %s is still there (%v)", name, err)
			}
		}
	}
	if gone == 0 {
		t.Error("no scheduled backup was deleted")
	}

	patchKecamatan(t, kec.Name, `{"spec":{"backup":{"schedule":"every day at two"}}}`)
	waitCondition(t, kec.Name, slrtv1.ConditionBackupScheduled, metav1.ConditionFalse, reasonInvalidSchedule)
	patchKecamatan(t, kec.Name, `{"spec":{"backup":null}}`)
	eventually(t, "the schedule's condition removed", func() error {
		if c := findCondition(get(t, kec.Name), slrtv1.ConditionBackupScheduled); c != nil {
			return fmt.Errorf("still %s", c.Reason)
		}
		return nil
	})
}

func TestLastSlot(t *testing.T) {
	daily, err := cron.ParseStandard("CRON_TZ=Asia/Jakarta 0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	wib := time.FixedZone("WIB", 7*3600)
	created := time.Date(2026, 12, 1, 10, 0, 0, 0, wib)
	for _, c := range []struct {
		now  time.Time
		want time.Time
	}{
		{time.Date(2026, 12, 2, 1, 59, 0, 0, wib), time.Time{}},                             // before the first slot
		{time.Date(2026, 12, 2, 2, 0, 0, 0, wib), time.Date(2026, 12, 2, 2, 0, 0, 0, wib)},  // at it
		{time.Date(2026, 12, 9, 12, 0, 0, 0, wib), time.Date(2026, 12, 9, 2, 0, 0, 0, wib)}, // days missed: only the latest
	} {
		got, due := lastSlot(daily, created, c.now)
		if due != !c.want.IsZero() || !got.Equal(c.want) {
			t.Errorf("at %s: got %s (due %t), want %s", c.now, got, due, c.want)
		}
	}
	// A frequent schedule after a long pause still ends on the latest slot.
	every, _ := cron.ParseStandard("@every 1s")
	now := created.Add(72 * time.Hour)
	if got, _ := lastSlot(every, created, now); now.Sub(got) > time.Second {
		t.Errorf("every second, three days on: got %s, want within a second of %s", got, now)
	}
}

func TestExpiredKeepsTheNewestCompleted(t *testing.T) {
	b := func(name string, phase slrtv1.BackupPhase) slrtv1.KecamatanBackup {
		return slrtv1.KecamatanBackup{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: slrtv1.KecamatanBackupStatus{Phase: phase}}
	}
	// Newest first.
	backups := []slrtv1.KecamatanBackup{
		b("running", slrtv1.BackupRunning), b("failed-new", slrtv1.BackupFailed),
		b("c1", slrtv1.BackupCompleted), b("c2", slrtv1.BackupCompleted),
		b("failed-old", slrtv1.BackupFailed), b("c3", slrtv1.BackupCompleted), b("pending-old", slrtv1.BackupPending),
	}
	var got []string
	for _, e := range expired(backups, 2) {
		got = append(got, e.Name)
	}
	if strings.Join(got, ",") != "failed-old,c3" {
		t.Errorf("expired %v, want failed-old,c3", got)
	}
}
