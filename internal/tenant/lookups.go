package tenant

import (
	"fmt"
	"sync"

	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// lookups remembers Lookup's answers until the Kecamatan cache changes:
// listing the cache by index on every request cost more than deciding the
// request's authorisation (docs/benchmarks.md). Any change to any Kecamatan
// forgets every answer; changes are rare (a reconcile's status, city IT's
// edits), lookups are per request.
type lookups struct {
	mu sync.RWMutex
	// on is set once the informer's events reach forget: without them
	// nothing may be remembered.
	on  bool
	gen uint64
	m   map[string]lookup
}

type lookup struct {
	t   *Tenant
	err error
}

func (l *lookups) get(code string) (lookup, uint64, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	v, ok := l.m[code]
	return v, l.gen, ok && l.on
}

// put remembers an answer made at generation gen, unless the cache
// changed since.
func (l *lookups) put(code string, gen uint64, v lookup) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on && gen == l.gen {
		l.m[code] = v
	}
}

func (l *lookups) forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.gen++
	clear(l.m)
}

// Follow makes Lookup remember its answers, forgotten whenever informer
// (the Kecamatan cache's) sees a change.
func (r *Registry) Follow(informer cache.Informer) error {
	forget := r.lookups.forget
	_, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { forget() },
		UpdateFunc: func(any, any) { forget() },
		DeleteFunc: func(any) { forget() },
	})
	if err != nil {
		return fmt.Errorf("while following Kecamatan changes: %w", err)
	}
	r.lookups.mu.Lock()
	r.lookups.on, r.lookups.m = true, map[string]lookup{}
	r.lookups.gen++
	r.lookups.mu.Unlock()
	return nil
}
