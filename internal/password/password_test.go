package password

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
)

func TestAHashChecksItsPasswordAndNoOther(t *testing.T) {
	ctx := context.Background()
	hash, err := Hash(ctx, "rahasia-kelurahan-2026")
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"rahasia-kelurahan-2026": true, "rahasia-kelurahan-2025": false} {
		if ok, err := Check(ctx, pw, hash); err != nil || ok != want {
			t.Errorf("Check(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if ok, err := Check(ctx, "", ""); ok || err != nil {
		t.Errorf("no hash matched: %v, %v", ok, err)
	}
	if Outdated(hash) {
		t.Error("a hash made now is outdated")
	}
}

func TestHashesOfTheLibrarysDefaultsStillCheckAndAreOutdated(t *testing.T) {
	old, err := argon2id.CreateHash("sandi-lama-2025", argon2id.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Check(context.Background(), "sandi-lama-2025", old); !ok || err != nil {
		t.Fatalf("an older hash no longer checks: %v, %v", ok, err)
	}
	if !Outdated(old) || !Outdated("not a hash") {
		t.Error("an older hash, or no hash, is not outdated")
	}
}

func TestNoMoreHashesRunAtOnceThanThereAreSlots(t *testing.T) {
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range cap(slots) + 3 {
		wg.Go(func() {
			_ = withSlot(context.Background(), func() error {
				n := running.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				running.Add(-1)
				return nil
			})
		})
	}
	wg.Wait()
	if got := most.Load(); got != int32(cap(slots)) {
		t.Errorf("%d hashes at once, want %d", got, cap(slots))
	}

	// A request that gives up while waiting for a slot gets its own error.
	for range cap(slots) {
		slots <- struct{}{}
	}
	defer func() {
		for range cap(slots) {
			<-slots
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := Check(ctx, "x", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v", err)
	}
}
