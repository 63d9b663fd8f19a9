package usecase

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"golang.org/x/sync/errgroup"

	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/tenant"
)

// Unavailable names a kecamatan a cross-kecamatan view could not read, and
// why; the rest of the view is still served.
type Unavailable struct {
	Kecamatan string `json:"kecamatan"`
	Reason    string `json:"reason"`
}

const (
	// fanOutConcurrency bounds the tenant databases one request reads at
	// once, so that a city view does not take every pool at the same time.
	fanOutConcurrency = 8
	// fanOutTimeout bounds the wait for one tenant: a database that does not
	// answer is named, not waited for.
	fanOutTimeout = 5 * time.Second
)

// fanOut runs fn on every serving kecamatan selected by want (nil: all),
// with bounded concurrency, and returns those it could not read. fn may run
// concurrently: it must guard what it shares.
func (a *App) fanOut(ctx context.Context, want func(code string) bool, fn func(ctx context.Context, code string, cn conn) error) ([]Unavailable, error) {
	ctx, span := tracer.Start(ctx, "fan-out")
	defer span.End()
	all, err := a.tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	var (
		mu          sync.Mutex
		unavailable []Unavailable
		seen        = map[string]bool{}
		g           errgroup.Group
	)
	g.SetLimit(fanOutConcurrency)
	for _, k := range all {
		code := k.Spec.Code
		if seen[code] || (want != nil && !want(code)) {
			continue
		}
		seen[code] = true
		g.Go(func() error {
			if reason := a.readTenant(ctx, code, fn); reason != "" {
				mu.Lock()
				unavailable = append(unavailable, Unavailable{Kecamatan: code, Reason: reason})
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait()
	span.SetAttributes(attribute.Int("slrt.fanout.tenants", len(seen)), attribute.Int("slrt.fanout.unavailable", len(unavailable)))
	if len(unavailable) > 0 {
		span.SetStatus(codes.Error, "some kecamatan unavailable")
	}
	slices.SortFunc(unavailable, func(a, b Unavailable) int { return strings.Compare(a.Kecamatan, b.Kecamatan) })
	return unavailable, nil
}

// gather runs read on every serving kecamatan selected by want, as fanOut
// does, and returns what they read together, with those it could not.
func gather[T any](ctx context.Context, a *App, want func(code string) bool,
	read func(ctx context.Context, code string, cn conn) ([]T, error)) ([]T, []Unavailable, error) {
	var mu sync.Mutex
	var items []T
	unavailable, err := a.fanOut(ctx, want, func(ctx context.Context, code string, cn conn) error {
		got, err := read(ctx, code, cn)
		if err != nil {
			return err
		}
		mu.Lock()
		items = append(items, got...)
		mu.Unlock()
		return nil
	})
	return items, unavailable, err
}

// readTenant runs fn on one tenant and returns why it could not, or "".
// Reasons are fixed words: an error's text can carry anything.
func (a *App) readTenant(ctx context.Context, code string, fn func(ctx context.Context, code string, cn conn) error) string {
	ctx, cancel := context.WithTimeout(ctx, fanOutTimeout)
	defer cancel()
	t, err := a.tenants.Lookup(ctx, code)
	var nse *tenant.NotServingError
	switch {
	case errors.As(err, &nse) && nse.Suspended:
		return "suspended"
	case errors.As(err, &nse):
		return "provisioning"
	case err != nil:
		return "unknown"
	}
	cn, err := a.tenants.Acquire(ctx, t)
	if err != nil {
		slog.WarnContext(ctx, "fan-out: tenant database unreachable", "tenant", code, "error", err)
		return "unreachable"
	}
	defer cn.Release()
	if err := fn(ctx, code, cn); err != nil {
		slog.WarnContext(ctx, "fan-out: tenant query failed", "tenant", code, "error", err)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "timeout"
		}
		if pgadmin.IsUnreachable(err) {
			return "unreachable"
		}
		return "error"
	}
	return ""
}

// Across is a page of a list read across kecamatan.
type Across[T any] struct {
	Items []T `json:"items"`
	// NextCursor continues the list after this page.
	NextCursor string `json:"nextCursor,omitempty"`
	// Unavailable names the kecamatan whose items are missing from this
	// page because their database did not answer.
	Unavailable []Unavailable `json:"unavailable"`
}

// orNone is an empty list rather than none, for JSON answers.
func orNone(u []Unavailable) []Unavailable {
	if u == nil {
		return []Unavailable{}
	}
	return u
}
