// Package apibench measures the API as it runs in production: telemetry set
// up from an empty environment (metrics on, tracing no-op), against a real
// PostgreSQL and control plane with the operator running.
package apibench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/testenv"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// BenchmarkPlatformOverhead loads the same read two ways in one run: through
// the full chain (token authentication against the control database, Casbin,
// tenant routing, OpenAPI validation, audit of denials) and through a bare
// chi handler running the same query on the same tenant pool. It reports
// both throughputs and their ratio.
//
//	go test ./test/apibench -run '^$' -bench PlatformOverhead -benchtime 1x
func BenchmarkPlatformOverhead(b *testing.B) {
	ctx := context.Background()
	t, err := app.Tenants.Lookup(ctx, "32.73.03")
	if err != nil {
		b.Fatal(err)
	}
	bare := chi.NewRouter()
	bare.Get("/bare/kelurahan", func(w http.ResponseWriter, r *http.Request) {
		conn, err := app.Tenants.Acquire(r.Context(), t)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer conn.Release()
		rows, err := conn.Query(r.Context(), `SELECT code, name FROM kelurahan ORDER BY code`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[registry.Kelurahan])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(httpapi.Page[registry.Kelurahan]{Items: items})
	})
	bareSrv := httptest.NewServer(bare)
	defer bareSrv.Close()

	header := http.Header{"Authorization": {"Bearer " + supervisorToken}}
	targets := map[string]vegeta.Target{
		"bare": {Method: "GET", URL: bareSrv.URL + "/bare/kelurahan"},
		"full": {Method: "GET", URL: api.URL + "/api/v1/kecamatan/32.73.03/kelurahan", Header: header},
	}
	best := bestOfAlternating(b, targets, "bare", "full")
	reportAgainst(b, best["bare"], best["full"], "bare", "full")
}

// BenchmarkMemoryWith30TenantPools opens a pool to each of Kota Bandung's 30
// kecamatan through the API's registry and reports the Go heap they hold.
//
//	go test ./test/apibench -run '^$' -bench MemoryWith30 -benchtime 1x
func BenchmarkMemoryWith30TenantPools(b *testing.B) {
	ctx := context.Background()
	var codes []string
	for _, k := range wilayah.Default().Children("32.73") {
		codes = append(codes, k.Code)
		if _, err := app.Tenants.Kecamatan(ctx, k.Code); err == nil {
			continue
		}
		if _, err := platform.Onboard(ctx, k.Code, k.Name); err != nil {
			b.Fatal(err)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	open := 0
	for _, code := range codes {
		deadline := time.Now().Add(30 * time.Second)
		for {
			t, err := app.Tenants.Lookup(ctx, code)
			if err == nil {
				conn, err := app.Tenants.Acquire(ctx, t)
				if err != nil {
					b.Fatal(err)
				}
				conn.Release()
				open++
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s: %v", code, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(open), "pools")
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "MiB-heap-in-use")
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/float64(open)/1024, "KiB-heap/pool")
}

// bestOfAlternating loads each target for 3 s, in turn, twice (so that
// neither always runs on a warmer or colder machine), and keeps each one's
// best round.
func bestOfAlternating(b *testing.B, targets map[string]vegeta.Target, order ...string) map[string]*vegeta.Metrics {
	targeters := map[string]vegeta.Targeter{}
	for name, t := range targets {
		targeters[name] = vegeta.NewStaticTargeter(t)
	}
	return bestOfAlternatingTargets(b, targeters, order...)
}

// bestOfAlternatingTargets is bestOfAlternating for targets made one by one.
func bestOfAlternatingTargets(b *testing.B, targets map[string]vegeta.Targeter, order ...string) map[string]*vegeta.Metrics {
	best := map[string]*vegeta.Metrics{}
	for range 2 {
		for _, name := range order {
			m := testenv.LoadTargets(b, name, targets[name], 3*time.Second)
			if best[name] == nil || m.Throughput > best[name].Throughput {
				best[name] = m
			}
		}
	}
	return best
}

// reportAgainst reports two loads' throughputs, their ratio and latencies,
// named by their kinds (bare and full, api and web).
func reportAgainst(b *testing.B, base, other *vegeta.Metrics, baseName, otherName string) {
	b.ReportMetric(base.Throughput, "req/s-"+baseName)
	b.ReportMetric(other.Throughput, "req/s-"+otherName)
	b.ReportMetric(base.Throughput/other.Throughput, "x-"+baseName+"-throughput")
	b.ReportMetric(float64(base.Latencies.P50.Microseconds()), "µs-p50-"+baseName)
	b.ReportMetric(float64(other.Latencies.P50.Microseconds()), "µs-p50-"+otherName)
	b.ReportMetric(float64(other.Latencies.P99.Microseconds()), "µs-p99-"+otherName)
}
