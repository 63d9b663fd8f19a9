package operator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/localpg"
	"github.com/slrt-id/slrt/internal/tenantbackup"
)

// load writes and reads a tenant the way the API does: each write goes to
// the server the credentials Secret names at that moment (the API's pools
// follow the Secret), a write refused as read-only or cut by a lost
// connection is tried again, and only a committed write counts.
type load struct {
	stop            chan struct{}
	done            sync.WaitGroup
	acked, refused  atomic.Int64
	readsWhilePause atomic.Int64
	pausedNow       atomic.Bool
	mu              sync.Mutex
	ackedStreets    []string
}

func startLoad(t *testing.T, kecName string) *load {
	t.Helper()
	l := &load{stop: make(chan struct{})}
	uri := func() string {
		kec := &slrtv1.Kecamatan{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: kecName}, kec); err != nil {
			return ""
		}
		s := &corev1.Secret{}
		if err := k8s.Get(context.Background(), client.ObjectKey{Namespace: kec.Status.Namespace, Name: kec.Status.CredentialsSecret}, s); err != nil {
			return ""
		}
		return string(s.Data[slrtv1.CredentialsKeyURI])
	}
	l.done.Add(2)
	go func() { // the writer
		defer l.done.Done()
		ctx := context.Background()
		var conn *pgx.Conn
		for n := 0; ; {
			select {
			case <-l.stop:
				if conn != nil {
					conn.Close(ctx)
				}
				return
			default:
			}
			if conn == nil {
				var err error
				if conn, err = connect(ctx, uri()); err != nil {
					conn = nil
					time.Sleep(20 * time.Millisecond)
					continue
				}
			}
			street := fmt.Sprintf("load-%d", n)
			_, err := conn.Exec(ctx, `INSERT INTO house (kelurahan_code, rt, rw, street) SELECT min(code), '001', '001', $1 FROM kelurahan`, street)
			var pgErr *pgconn.PgError
			switch {
			case err == nil:
				l.acked.Add(1)
				l.pausedNow.Store(false)
				l.mu.Lock()
				l.ackedStreets = append(l.ackedStreets, street)
				l.mu.Unlock()
				n++
			case errors.As(err, &pgErr) && pgErr.Code == "25006": // read-only: the API's 503
				l.refused.Add(1)
				l.pausedNow.Store(true)
				conn.Close(ctx) // the next try may find the Secret switched
				conn = nil
				time.Sleep(100 * time.Millisecond)
			default: // lost: not committed, tried again on a new connection
				conn.Close(ctx)
				conn = nil
				time.Sleep(20 * time.Millisecond)
			}
		}
	}()
	go func() { // the reader, on a connection of its own while it lasts
		defer l.done.Done()
		ctx := context.Background()
		var conn *pgx.Conn
		for {
			select {
			case <-l.stop:
				if conn != nil {
					conn.Close(ctx)
				}
				return
			case <-time.After(20 * time.Millisecond):
			}
			if conn == nil {
				var err error
				if conn, err = connect(ctx, uri()); err != nil {
					conn = nil
					continue
				}
			}
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM house`).Scan(&n); err != nil {
				conn.Close(ctx)
				conn = nil
			} else if l.pausedNow.Load() {
				l.readsWhilePause.Add(1)
			}
		}
	}()
	return l
}

func (l *load) end() {
	close(l.stop)
	l.done.Wait()
}

// asSuperuser connects to database name on pg, whatever its role's login.
func asSuperuser(pg *localpg.Server, name string) tenantbackup.Conn {
	return tenantbackup.Conn{Host: pg.Host, Port: pg.Port, User: pg.User, Password: pg.Password, Database: name, SSLMode: "disable"}
}

func waitMoving(t *testing.T, name, reason string) *slrtv1.Kecamatan {
	t.Helper()
	return waitCondition(t, name, slrtv1.ConditionMoving, metav1.ConditionFalse, reason)
}

func TestMovingATenantBetweenServers(t *testing.T) {
	ctx := context.Background()
	moves := map[string]string{"test": "move"}
	a := startServer(t, "move-a", moves, slrtv1.ServerCapacity{})
	b := startServer(t, "move-b", moves, slrtv1.ServerCapacity{})
	kec := newKecamatan("32.73.28", slrtv1.ReclaimRetain)
	kec.Spec.Database.Server = "move-a"
	kec.Spec.Database.ServerSelector = &metav1.LabelSelector{MatchLabels: moves}
	kec = waitReady(t, create(t, kec).Name)
	seedRegistry(t, tenantURL(t, kec), 1, 200)
	name := kec.DatabaseName()

	t.Run("under a steady load, no acknowledged write is lost and reads go on", func(t *testing.T) {
		l := startLoad(t, kec.Name)
		eventually(t, "writes flowing", func() error {
			if l.acked.Load() < 20 {
				return errors.New("not yet")
			}
			return nil
		})
		patchKecamatan(t, kec.Name, `{"spec":{"database":{"server":"move-b"}}}`)
		moved := waitMoving(t, kec.Name, reasonMoved)
		eventually(t, "writes flowing on the new server", func() error {
			if l.pausedNow.Load() {
				return errors.New("still refused")
			}
			return nil
		})
		time.Sleep(200 * time.Millisecond)
		l.end()

		if moved.Status.Server != "move-b" || moved.Status.Move != nil || !moved.IsReady() {
			t.Fatalf("after the move: server %q, move %+v, ready %t", moved.Status.Server, moved.Status.Move, moved.IsReady())
		}
		if uri := tenantURL(t, moved); !strings.Contains(uri, fmt.Sprintf(":%d/", b.pg.Port)) {
			t.Errorf("the credentials Secret does not point at move-b: %s", strings.Split(uri, "@")[1])
		}
		conn, err := connect(ctx, tenantURL(t, moved))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var stored []string
		rows, _ := conn.Query(ctx, `SELECT street FROM house WHERE street LIKE 'load-%' ORDER BY id`)
		stored, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		l.mu.Lock()
		acked := append([]string(nil), l.ackedStreets...)
		l.mu.Unlock()
		if strings.Join(stored, ",") != strings.Join(acked, ",") {
			t.Fatalf("%d writes acknowledged, %d on the new server (refused while paused: %d)", len(acked), len(stored), l.refused.Load())
		}
		if l.refused.Load() == 0 || l.readsWhilePause.Load() == 0 {
			t.Errorf("writes refused while paused: %d, reads done meanwhile: %d; the load did not see the pause", l.refused.Load(), l.readsWhilePause.Load())
		}
		t.Logf("%d writes acknowledged and all on the new server; %d refused while paused (retried); %d reads while writes were paused",
			len(acked), l.refused.Load(), l.readsWhilePause.Load())

		// Retain: the old copy stays, its login off.
		if _, err := asSuperuser(a.pg, name).Fingerprints(ctx); err != nil {
			t.Errorf("the old copy: %v", err)
		}
		if _, err := connect(ctx, strings.Replace(tenantURL(t, moved), fmt.Sprintf(":%d/", b.pg.Port), fmt.Sprintf(":%d/", a.pg.Port), 1)); err == nil {
			t.Error("the tenant's role still logs in on the old server")
		}
		assertEvent(t, moved, reasonMoved)
	})

	t.Run("a copy that differs from the database fails loudly and changes nothing", func(t *testing.T) {
		reconciler.beforeMoveRename = func(copy tenantbackup.Conn) {
			c, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", copy.User, copy.Password, copy.Host, copy.Port, copy.Database))
			if err == nil {
				_, _ = c.Exec(ctx, `DELETE FROM house WHERE id IN (SELECT max(id) FROM house)`)
				c.Close(ctx)
			}
		}
		t.Cleanup(func() { reconciler.beforeMoveRename = nil })
		patchKecamatan(t, kec.Name, `{"spec":{"database":{"server":"move-a"}}}`)
		failed := waitMoving(t, kec.Name, reasonMoveFailed)
		msg := meta.FindStatusCondition(failed.Status.Conditions, slrtv1.ConditionMoving).Message
		if !strings.Contains(msg, "public.house has") {
			t.Errorf("the condition does not name the table that differs: %s", msg)
		}
		if failed.Status.Server != "move-b" || !failed.IsReady() {
			t.Errorf("after a failed move: server %q, ready %t", failed.Status.Server, failed.IsReady())
		}
		seedRegistry(t, tenantURL(t, failed), 500, 1) // writable again where it was
		assertEvent(t, failed, reasonMoveFailed)
	})

	t.Run("stopped after each step as by a crash, the move converges", func(t *testing.T) {
		reconciler.beforeMoveRename = nil
		stopped := map[string]bool{}
		var mu sync.Mutex
		reconciler.afterMoveStep = func(kecamatan, step string) error {
			mu.Lock()
			defer mu.Unlock()
			if kecamatan != kec.Name || stopped[step] {
				return nil
			}
			stopped[step] = true
			return fmt.Errorf("operator stopped after %s (test)", step)
		}
		t.Cleanup(func() { reconciler.afterMoveStep = nil })
		// A changed spec tries the failed move again.
		patchKecamatan(t, kec.Name, `{"spec":{"displayName":"Kecamatan 32.73.28 (dipindah)"}}`)
		moved := waitMoving(t, kec.Name, reasonMoved)
		mu.Lock()
		if len(stopped) != 3 {
			t.Errorf("stopped after %v, want after each of the three steps", stopped)
		}
		mu.Unlock()
		if moved.Status.Server != "move-a" {
			t.Fatalf("server %q after the move back", moved.Status.Server)
		}
		// Nothing wrote since the pause: the old copy equals the new one.
		old, err := asSuperuser(b.pg, name).Fingerprints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now, err := asSuperuser(a.pg, name).Fingerprints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := tenantbackup.Compare(old, now); len(d) > 0 {
			t.Fatalf("the moved database differs from the old copy: %v", d)
		}
		seedRegistry(t, tenantURL(t, moved), 600, 1)
	})

	t.Run("draining its server moves it to one placement picks, dropping the old copy", func(t *testing.T) {
		reconciler.afterMoveStep = nil
		// Named no more: it stays where it is until its server drains.
		patchKecamatan(t, kec.Name, `{"spec":{"database":{"server":null,"reclaimPolicy":"Delete"}}}`)
		waitReady(t, kec.Name)
		if k := get(t, kec.Name); k.Status.Server != "move-a" || k.Status.Move != nil {
			t.Fatalf("unnamed, the tenant moved: server %q, move %+v", k.Status.Server, k.Status.Move)
		}
		patchServer(t, "move-a", `{"spec":{"draining":true}}`)
		eventually(t, "moved off the draining server", func() error {
			k := get(t, kec.Name)
			if c := meta.FindStatusCondition(k.Status.Conditions, slrtv1.ConditionMoving); k.Status.Server != "move-b" || c == nil || c.Reason != reasonMoved {
				return fmt.Errorf("server %q, move %+v", k.Status.Server, k.Status.Move)
			}
			return nil
		})
		var exists bool
		c, err := a.pg.Connect(ctx, "postgres")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if err := c.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || exists {
			t.Errorf("reclaimPolicy Delete kept the old copy on move-a (%v)", err)
		}
		seedRegistry(t, tenantURL(t, get(t, kec.Name)), 700, 1)
		patchServer(t, "move-a", `{"spec":{"draining":false}}`)
	})
}
