package apiserver_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/tenant"
)

// Pools open once however many first requests arrive together, and all
// pools together stay within the connection budget: an idle pool gives way
// to a new tenant, a busy one does not.
func TestTenantPoolsStayWithinTheBudget(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kecCache := kecamatanCache(ctx, t)
	reg := tenant.NewRegistry(kecCache, platform.Admin, tenant.Options{Budget: 4, PerTenant: 2, IdleAfter: time.Hour})
	// The test's own cache may see a kecamatan just onboarded a moment
	// after the operator made it Ready.
	lookup := func(code string) *tenant.Tenant {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			tn, err := reg.Lookup(ctx, code)
			if err == nil {
				return tn
			}
			if time.Now().After(deadline) {
				t.Fatal(err)
			}
		}
	}
	if _, err := platform.Onboard(ctx, "32.73.07", "Bojongloa Kidul"); err != nil {
		t.Fatal(err)
	}
	ciparay, kaler, kidul := lookup("32.73.03"), lookup("32.73.04"), lookup("32.73.07")

	// 20 first requests at once: one pool, at most its size in connections.
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := reg.Acquire(ctx, ciparay)
			if err != nil {
				t.Error(err)
				return
			}
			time.Sleep(5 * time.Millisecond)
			conn.Release()
		}()
	}
	wg.Wait()
	if st := reg.Stats(); len(st) != 1 || st["32.73.03"].TotalConns() > 2 {
		t.Fatalf("after concurrent first requests: %d pools, %+v", len(st), st)
	}

	// Two busy pools fill the budget of 4: a third tenant must wait.
	hold := func(tn *tenant.Tenant) *pgxpool.Conn {
		c, err := reg.Acquire(ctx, tn)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := hold(ciparay), hold(kaler)
	if _, err := reg.Acquire(ctx, kidul); !errors.Is(err, tenant.ErrBudgetExhausted) {
		t.Fatalf("a third pool beyond the budget: want ErrBudgetExhausted, got %v", err)
	}
	// Once one is idle, it gives way.
	a.Release()
	c := hold(kidul)
	c.Release()
	b.Release()
	st := reg.Stats()
	if _, ok := st["32.73.03"]; ok || len(st) != 2 {
		t.Fatalf("the idle pool should have been closed for the new tenant: %v", keys(st))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The API's Kecamatan cache holds no managed fields: the API server keeps
// them on every object, the API never reads them, and with a whole country
// known they were an eighth of the API's heap.
func TestTheKecamatanCacheHoldsNoManagedFields(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg := tenant.NewRegistry(kecamatanCache(ctx, t), platform.Admin, tenant.Options{})
	cached, err := reg.List(ctx)
	if err != nil || len(cached) == 0 {
		t.Fatalf("no Kecamatan in the cache: %v", err)
	}
	stored := &slrtv1.Kecamatan{}
	if err := platform.Admin.Get(ctx, client.ObjectKeyFromObject(&cached[0]), stored); err != nil {
		t.Fatal(err)
	}
	if len(stored.ManagedFields) == 0 {
		t.Fatal("the API server keeps no managed fields on a Kecamatan: nothing to prove")
	}
	for _, kec := range cached {
		if len(kec.ManagedFields) != 0 {
			t.Errorf("%s carries %d managed field entries in the API's cache", kec.Spec.Code, len(kec.ManagedFields))
		}
	}
}

// A pool nobody uses for IdleAfter is closed; the next request opens it again.
func TestIdleTenantPoolsAreClosed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kecCache := kecamatanCache(ctx, t)
	reg := tenant.NewRegistry(kecCache, platform.Admin, tenant.Options{Budget: 4, PerTenant: 2,
		IdleAfter: 200 * time.Millisecond, RefreshEvery: 50 * time.Millisecond})
	go reg.Run(ctx)
	tn, err := reg.Lookup(ctx, "32.73.03")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := reg.Acquire(ctx, tn)
	if err != nil {
		t.Fatal(err)
	}
	conn.Release()
	if len(reg.Stats()) != 1 {
		t.Fatal("no pool after a request")
	}
	if err := waitFor(10*time.Second, func() error {
		if len(reg.Stats()) != 0 {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatal("the idle pool was not closed")
	}
	conn, err = reg.Acquire(ctx, tn)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	conn.Release()
}

// kecamatanCache starts a Kecamatan informer indexed by code, as the API's,
// until ctx ends.
func kecamatanCache(ctx context.Context, t *testing.T) cache.Cache {
	t.Helper()
	c, err := tenant.NewKecamatanCache(ctx, env.Kube.Config, platform.Scheme)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		t.Fatal("cache did not sync")
	}
	return c
}
