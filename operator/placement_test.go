package operator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/localpg"
	"github.com/slrt-id/slrt/internal/testenv"
)

func TestASlowSizeReadingIsRepeatedLessOften(t *testing.T) {
	for took, want := range map[time.Duration]time.Duration{
		50 * time.Millisecond: serverCheckInterval, // a few hundred databases
		3 * time.Second:       5 * time.Minute,     // thousands, on a busy server
		time.Minute:           time.Hour,           // timed out: an hour at most
	} {
		if got := nextSizeReading(took); got != want {
			t.Errorf("after a reading of %v the next waits %v, want %v", took, got, want)
		}
	}
}

func TestPickPolicy(t *testing.T) {
	server := func(name string, tenants *int32, draining bool, region string) slrtv1.DatabaseServer {
		return slrtv1.DatabaseServer{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"region": region}},
			Spec:       slrtv1.DatabaseServerSpec{Capacity: slrtv1.ServerCapacity{Tenants: tenants}, Draining: draining},
		}
	}
	full := server("a-full", ptr.To[int32](2), false, "jabar")
	draining := server("b-draining", nil, true, "jabar")
	busy := server("c-busy", nil, false, "jabar")
	quiet := server("d-quiet", ptr.To[int32](10), false, "jabar")
	elsewhere := server("e-elsewhere", nil, false, "sumatera")
	unreachable := server("f-unreachable", nil, false, "jabar")
	unreachable.Status.Conditions = []metav1.Condition{{Type: slrtv1.ConditionReachable, Status: metav1.ConditionFalse}}
	big := server("g-big", ptr.To[int32](10), false, "jabar")
	big.Spec.Capacity.Storage = resource.NewQuantity(1<<30, resource.BinarySI)
	big.Status.SizeUsed = resource.NewQuantity(2<<30, resource.BinarySI)
	all := []slrtv1.DatabaseServer{elsewhere, quiet, busy, draining, full, unreachable, big}
	counts := map[string]int32{"a-full": 2, "c-busy": 5, "d-quiet": 1, "e-elsewhere": 0}
	jabar := labels.SelectorFromSet(labels.Set{"region": "jabar"})

	d := pick(all, serverUse{tenants: counts}, jabar)
	if d.chosen != "d-quiet" || d.fitting != 2 {
		t.Fatalf("chose %q of %d fitting, want d-quiet of 2 (c-busy holds more)", d.chosen, d.fitting)
	}
	msg := d.message()
	for _, want := range []string{
		"Placed on server d-quiet (1 tenants of 10 before this one)", "region=jabar",
		"a-full (full: 2 of 2 tenants)", "b-draining (draining)", "e-elsewhere (labels do not match the selector)",
		"f-unreachable (unreachable)", "g-big (full: 2Gi used of 1Gi)",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}

	// Without a selector the least-loaded server anywhere wins.
	if d := pick(all, serverUse{tenants: counts}, labels.Everything()); d.chosen != "e-elsewhere" {
		t.Errorf("without a selector chose %q, want e-elsewhere (no tenants)", d.chosen)
	}
	// Ties go to the server using fewer bytes, then to the first by name.
	x, y := server("x", nil, false, "jabar"), server("y", nil, false, "jabar")
	x.Status.SizeUsed = resource.NewQuantity(500, resource.BinarySI)
	if d := pick([]slrtv1.DatabaseServer{x, y}, serverUse{}, jabar); d.chosen != "y" {
		t.Errorf("tie chose %q, want y (fewer bytes)", d.chosen)
	}
	y.Status.SizeUsed = x.Status.SizeUsed
	if d := pick([]slrtv1.DatabaseServer{y, x}, serverUse{}, jabar); d.chosen != "x" {
		t.Errorf("full tie chose %q, want x (first by name)", d.chosen)
	}

	// A size read when the server held 4 tenants counts, for each of the
	// 2 placed since, the average of that reading: 600 of 800 read, 900
	// estimated, so the server is full before its next reading says so.
	h := server("h-read-earlier", nil, false, "jabar")
	h.Spec.Capacity.Storage = resource.NewQuantity(800, resource.BinarySI)
	h.Status.SizeUsed = resource.NewQuantity(600, resource.BinarySI)
	if d := pick([]slrtv1.DatabaseServer{h}, serverUse{tenants: map[string]int32{"h-read-earlier": 4}, sizedWith: map[string]int32{"h-read-earlier": 4}}, jabar); d.chosen != "h-read-earlier" {
		t.Errorf("a server with room by its last reading was passed over: %s", d.message())
	}
	later := serverUse{tenants: map[string]int32{"h-read-earlier": 6}, sizedWith: map[string]int32{"h-read-earlier": 4}}
	if d := pick([]slrtv1.DatabaseServer{h}, later, jabar); d.chosen != "" || !strings.Contains(d.message(), "h-read-earlier (full: 900 used of 800)") {
		t.Errorf("two tenants after the reading: chose %q: %s", d.chosen, d.message())
	}

	// Nothing fits: the message says what was passed over and what to do,
	// naming at most maxSkippedListed servers.
	var many []slrtv1.DatabaseServer
	for i := range 14 {
		many = append(many, server(fmt.Sprintf("s%02d", i), nil, true, "jabar"))
	}
	none := pick(many, serverUse{}, jabar)
	if none.chosen != "" {
		t.Fatalf("chose %q among draining servers", none.chosen)
	}
	msg = none.message()
	if !strings.Contains(msg, "No DatabaseServer can take this tenant") || !strings.Contains(msg, "s09 (draining) and 4 more") ||
		strings.Contains(msg, "s10") || !strings.Contains(msg, "Add a DatabaseServer") {
		t.Errorf("message: %s", msg)
	}
}

// placementServer is a PostgreSQL server started for one test and offered to
// the operator as a DatabaseServer.
type placementServer struct {
	name string
	pg   *localpg.Server
}

func startServer(t *testing.T, name string, lbls map[string]string, capacity slrtv1.ServerCapacity) placementServer {
	t.Helper()
	ctx := context.Background()
	pg, stop, err := localpg.OpenTemp("slrt-" + name + "-*")
	if err != nil {
		t.Fatalf("starting PostgreSQL for %s: %v", name, err)
	}
	t.Cleanup(stop)
	secret := adminSecret(&testenv.Postgres{Server: pg})
	secret.Name = name + "-admin"
	if err := k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	ds := &slrtv1.DatabaseServer{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls},
		Spec:       slrtv1.DatabaseServerSpec{SecretName: secret.Name, Capacity: capacity},
	}
	if err := k8s.Create(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// Runs before the server stops (cleanups run last first): the tenants
	// on it are gone by then, so the server may go.
	t.Cleanup(func() {
		_ = k8s.Delete(ctx, ds)
		_ = k8s.Delete(ctx, secret)
	})
	return placementServer{name, pg}
}

func TestPlacementAcrossServers(t *testing.T) {
	ctx := context.Background()
	jabar := map[string]string{"region": "jawa-barat", "test": "placement"}
	a := startServer(t, "place-a", jabar, slrtv1.ServerCapacity{Tenants: ptr.To[int32](1)})
	b := startServer(t, "place-b", jabar, slrtv1.ServerCapacity{Tenants: ptr.To[int32](2)})
	c := startServer(t, "place-c", map[string]string{"region": "sumatera", "test": "placement"}, slrtv1.ServerCapacity{})

	// Each server reports itself: reachable, its version and address.
	for _, s := range []placementServer{a, b, c} {
		ds := waitServer(t, s.name, func(ds *slrtv1.DatabaseServer) error {
			if !meta.IsStatusConditionTrue(ds.Status.Conditions, slrtv1.ConditionReachable) || ds.Status.Version == "" || ds.Status.SizeUsed == nil {
				return fmt.Errorf("status %+v", ds.Status)
			}
			return nil
		})
		if ds.Status.Address != net.JoinHostPort(s.pg.Host, strconv.Itoa(s.pg.Port)) || !controllerutil.ContainsFinalizer(ds, ServerFinalizer) {
			t.Errorf("%s: address %q, finalizers %v", s.name, ds.Status.Address, ds.Finalizers)
		}
	}

	// Three tenants for Jawa Barat: place-a takes one (its capacity), place-b
	// two, place-c none (another region).
	// (The suite's own server, which the pilot sample labels jawa-barat too,
	// lacks the test label.)
	selector := &metav1.LabelSelector{MatchLabels: map[string]string{"region": "jawa-barat", "test": "placement"}}
	var tenants []*slrtv1.Kecamatan
	for _, code := range []string{"32.77.01", "32.77.02", "32.77.03"} {
		kec := newKecamatan(code, slrtv1.ReclaimDelete)
		kec.Spec.Database.Server, kec.Spec.Database.ServerSelector = "", selector
		tenants = append(tenants, create(t, kec))
	}
	placed := map[string]int{}
	for _, kec := range tenants {
		got := waitReady(t, kec.Name)
		cond := findCondition(got, slrtv1.ConditionPlaced)
		if cond.Reason != reasonPlacedByPolicy || !strings.Contains(cond.Message, "region=jawa-barat") {
			t.Errorf("%s Placed: %+v", kec.Name, cond)
		}
		placed[got.Status.Server]++
		// The tenant's database is on the server it was placed on.
		if want := serverOf(t, a, b, c, got.Status.Server); !strings.Contains(tenantURL(t, got), net.JoinHostPort(want.Host, strconv.Itoa(want.Port))) {
			t.Errorf("%s placed on %s but its credentials point elsewhere", kec.Name, got.Status.Server)
		}
		conn, err := connect(ctx, tenantURL(t, got))
		if err != nil {
			t.Fatalf("%s: %v", kec.Name, err)
		}
		_ = conn.Close(ctx)
	}
	if placed["place-a"] != 1 || placed["place-b"] != 2 || len(placed) != 2 {
		t.Fatalf("placed %v, want place-a 1 and place-b 2", placed)
	}
	for name, n := range map[string]int32{"place-a": 1, "place-b": 2, "place-c": 0} {
		waitServer(t, name, func(ds *slrtv1.DatabaseServer) error {
			if ds.Status.Tenants != n {
				return fmt.Errorf("tenants %d, want %d", ds.Status.Tenants, n)
			}
			return nil
		})
	}

	// A fourth finds every Jawa Barat server full: it waits, saying why.
	fourth := newKecamatan("32.04.05", slrtv1.ReclaimDelete)
	fourth.Spec.Database.Server, fourth.Spec.Database.ServerSelector = "", selector
	create(t, fourth)
	waiting := waitCondition(t, fourth.Name, slrtv1.ConditionPlaced, metav1.ConditionFalse, reasonNoServerFits)
	msg := findCondition(waiting, slrtv1.ConditionPlaced).Message
	for _, want := range []string{"place-a (full: 1 of 1 tenants)", "place-b (full: 2 of 2 tenants)", "place-c (labels do not match the selector)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("NoServerFits message lacks %q: %s", want, msg)
		}
	}
	if waiting.Status.Server != "" || findCondition(waiting, slrtv1.ConditionReady).Status != metav1.ConditionFalse {
		t.Errorf("a tenant with no server: %+v", waiting.Status)
	}

	// place-b drains and place-a grows: the waiting tenant goes to place-a,
	// never to the draining server, as soon as the change is seen.
	patchServer(t, "place-b", `{"spec":{"draining":true}}`)
	patchServer(t, "place-a", `{"spec":{"capacity":{"tenants":5}}}`)
	if got := waitReady(t, fourth.Name); got.Status.Server != "place-a" {
		t.Errorf("fourth placed on %s, want place-a (place-b drains)", got.Status.Server)
	}

	// A server holding tenants is not deleted until they are gone; one
	// holding none goes at once.
	if err := k8s.Delete(ctx, &slrtv1.DatabaseServer{ObjectMeta: metav1.ObjectMeta{Name: "place-b"}}); err != nil {
		t.Fatal(err)
	}
	waitServer(t, "place-b", func(ds *slrtv1.DatabaseServer) error {
		if !meta.IsStatusConditionTrue(ds.Status.Conditions, reasonServerInUse) {
			return errors.New("no InUse condition yet")
		}
		return nil
	})
	if err := k8s.Delete(ctx, &slrtv1.DatabaseServer{ObjectMeta: metav1.ObjectMeta{Name: "place-c"}}); err != nil {
		t.Fatal(err)
	}
	waitServerGone(t, "place-c")
	for _, kec := range append(tenants, fourth) {
		deleteAndWaitGone(t, kec)
	}
	waitServerGone(t, "place-b")
}

func serverOf(t *testing.T, a, b, c placementServer, name string) *localpg.Server {
	t.Helper()
	for _, s := range []placementServer{a, b, c} {
		if s.name == name {
			return s.pg
		}
	}
	t.Fatalf("placed on unknown server %q", name)
	return nil
}

func waitServer(t testing.TB, name string, check func(*slrtv1.DatabaseServer) error) *slrtv1.DatabaseServer {
	t.Helper()
	ds := &slrtv1.DatabaseServer{}
	eventually(t, "DatabaseServer "+name, func() error {
		if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, ds); err != nil {
			return err
		}
		return check(ds)
	})
	return ds
}

func waitServerGone(t testing.TB, name string) {
	t.Helper()
	eventually(t, "DatabaseServer "+name+" gone", func() error {
		err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, &slrtv1.DatabaseServer{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})
}

func patchServer(t testing.TB, name, patch string) {
	t.Helper()
	ds := &slrtv1.DatabaseServer{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := k8s.Patch(context.Background(), ds, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatalf("patching DatabaseServer %s: %v", name, err)
	}
}

func patchKecamatan(t testing.TB, name, patch string) {
	t.Helper()
	kec := &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := k8s.Patch(context.Background(), kec, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatalf("patching Kecamatan %s: %v", name, err)
	}
}

// A server that answers again wakes the tenants waiting for one; its other
// status writes (a new size, a tenant count) do not.
func TestAServerReachableAgainWakesWaitingTenants(t *testing.T) {
	server := func(status metav1.ConditionStatus, tenants int32) *slrtv1.DatabaseServer {
		ds := &slrtv1.DatabaseServer{Status: slrtv1.DatabaseServerStatus{Tenants: tenants}}
		meta.SetStatusCondition(&ds.Status.Conditions, metav1.Condition{Type: slrtv1.ConditionReachable, Status: status, Reason: "Test"})
		return ds
	}
	pred := reachableAgain()
	for _, tc := range []struct {
		name     string
		old, new *slrtv1.DatabaseServer
		want     bool
	}{
		{"answers again", server(metav1.ConditionFalse, 3), server(metav1.ConditionTrue, 3), true},
		{"first reading", &slrtv1.DatabaseServer{}, server(metav1.ConditionTrue, 0), true},
		{"a tenant more", server(metav1.ConditionTrue, 3), server(metav1.ConditionTrue, 4), false},
		{"stops answering", server(metav1.ConditionTrue, 3), server(metav1.ConditionFalse, 3), false},
	} {
		if got := pred.Update(event.UpdateEvent{ObjectOld: tc.old, ObjectNew: tc.new}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The count per server follows the cache's events (a pure unit test of the
// handler; TestPlacementAcrossServers proves placement through it), and
// decisions the cache has not caught up with count where they were made.
func TestTenantsPerServerFollowTheCacheAndTheOperatorsOwnDecisions(t *testing.T) {
	kec := func(uid, server string) *slrtv1.Kecamatan {
		return &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{UID: types.UID(uid)}, Status: slrtv1.KecamatanStatus{Server: server}}
	}
	held := newHeldCounts()
	held.synced = func() bool { return true }
	events := held.handler()
	events.OnAdd(kec("a", "one"), true)
	events.OnAdd(kec("b", "one"), true)
	events.OnAdd(kec("c", ""), false)
	events.OnAdd(kec("d", "two"), false)
	events.OnUpdate(kec("d", "two"), kec("d", "three")) // moved
	events.OnDelete(kec("b", "one"))
	l := newLedger()
	l.held = held
	l.decided[types.UID("c")] = placement{server: "two"} // placed; the cache does not show it yet
	counts, err := l.counts(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int32{"one": 1, "two": 1, "three": 1}; !maps.Equal(counts, want) {
		t.Fatalf("counts %v, want %v", counts, want)
	}
	events.OnUpdate(kec("c", ""), kec("c", "two")) // the cache catches up
	if counts, _ = l.counts(context.Background(), nil); counts["two"] != 1 || len(l.decided) != 0 {
		t.Fatalf("after the cache caught up: counts %v, decisions %v; want two once and no decision kept", counts, l.decided)
	}
}

// An operator that stopped after making a tenant's namespace, before the
// status recorded the placement, finds the placement on the namespace: the
// tenant stays where its database is, even when the policy would now place
// it nowhere.
func TestAPlacementTheStatusLostIsFoundOnTheNamespace(t *testing.T) {
	ctx := context.Background()
	kec := create(t, &slrtv1.Kecamatan{
		ObjectMeta: metav1.ObjectMeta{Name: "kec-32-73-16"},
		Spec: slrtv1.KecamatanSpec{Code: "32.73.16", DisplayName: "Kecamatan 32.73.16",
			Database: slrtv1.DatabaseSpec{ReclaimPolicy: slrtv1.ReclaimDelete}},
	})
	kec = waitCondition(t, kec.Name, slrtv1.ConditionPlaced, metav1.ConditionTrue, reasonPlacedByPolicy)
	kec = waitReady(t, kec.Name)
	placed := kec.Status.Server
	ns := &corev1.Namespace{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: kec.Status.Namespace}, ns); err != nil {
		t.Fatal(err)
	}
	if ns.Annotations[serverAnnotation] != placed {
		t.Fatalf("namespace says %q; the status %q", ns.Annotations[serverAnnotation], placed)
	}

	// The operator forgets its decision; the policy now fits no server.
	reconciler.ledger.forget(kec.UID)
	kec.Spec.Database.ServerSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"region": "nowhere"}}
	if err := k8s.Update(ctx, kec); err != nil {
		t.Fatal(err)
	}
	// The status write of the first pass never happened.
	lost := kec.DeepCopy()
	lost.Status.Server = ""
	meta.RemoveStatusCondition(&lost.Status.Conditions, slrtv1.ConditionPlaced)
	if err := k8s.Status().Patch(ctx, lost, client.MergeFrom(kec)); err != nil {
		t.Fatal(err)
	}
	// A pass, as the restarted operator's first.
	eventually(t, "a pass after the lost status", func() error {
		kec := get(t, lost.Name)
		if kec.Status.Server != "" {
			return nil
		}
		metav1.SetMetaDataAnnotation(&kec.ObjectMeta, "test.slrt.id/nudge", kec.ResourceVersion)
		if err := k8s.Update(ctx, kec); err != nil && !apierrors.IsConflict(err) {
			return err
		}
		return errors.New("not placed again yet")
	})
	kec = waitCondition(t, lost.Name, slrtv1.ConditionPlaced, metav1.ConditionTrue, reasonPlacementRecovered)
	if kec.Status.Server != placed || !kec.IsReady() {
		t.Fatalf("placed on %q (Ready %v); want %s, Ready", kec.Status.Server, kec.IsReady(), placed)
	}

	// Deleted with its placement lost again (the first pass's status write
	// lost to the deletion's): its database goes all the same.
	reconciler.ledger.forget(kec.UID)
	lost = kec.DeepCopy()
	lost.Status.Server = ""
	if err := k8s.Status().Patch(ctx, lost, client.MergeFrom(kec)); err != nil {
		t.Fatal(err)
	}
	if err := k8s.Delete(ctx, lost); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the Kecamatan gone", func() error {
		err := k8s.Get(ctx, client.ObjectKeyFromObject(lost), &slrtv1.Kecamatan{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})
	srv, err := reconciler.server(ctx, placed)
	if err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := srv.admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, lost.DatabaseName()).Scan(&exists); err != nil || exists {
		t.Fatalf("database %s on %s after the deletion: exists %v, %v", lost.DatabaseName(), placed, exists, err)
	}
}
