package operator

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// BenchmarkProvisionCity provisions all 30 kecamatan of Kota Bandung from the
// reference data, as city IT would by applying 30 Kecamatan at once, and
// reports the time until all are Ready. The baseline, measured in the same
// run on the same server, is the SQL floor: creating 30 roles and databases
// directly, one after another, with no Kubernetes, no schema and no checks.
//
//	go test ./operator -run '^$' -bench ProvisionCity -benchtime 1x
func BenchmarkProvisionCity(b *testing.B) {
	if b.N != 1 {
		b.Skip("provisions each kecamatan once: run with -benchtime 1x")
	}
	ctx := context.Background()
	var existing slrtv1.KecamatanList
	if err := k8s.List(ctx, &existing); err != nil || len(existing.Items) > 0 {
		b.Fatalf("needs an empty cluster (run benchmarks alone, with -run '^$'): %d Kecamatan, %v", len(existing.Items), err)
	}
	baseline := sqlFloor(b, 30)

	b.ResetTimer()
	start := time.Now()
	var names []string
	for _, area := range reconciler.Reference.Children("32.73") {
		kec := &slrtv1.Kecamatan{
			ObjectMeta: metav1.ObjectMeta{Name: "bench-" + area.Code},
			Spec:       slrtv1.KecamatanSpec{Code: area.Code, DisplayName: area.Name},
		}
		kec.Name = "bench-" + kec.CodeSlug()
		if err := k8s.Create(ctx, kec); err != nil {
			b.Fatal(err)
		}
		names = append(names, kec.Name)
	}
	readyAt := map[string]time.Duration{}
	for len(readyAt) < len(names) {
		var list slrtv1.KecamatanList
		if err := k8s.List(ctx, &list); err != nil {
			b.Fatal(err)
		}
		for i := range list.Items {
			if _, seen := readyAt[list.Items[i].Name]; !seen && list.Items[i].IsReady() {
				readyAt[list.Items[i].Name] = time.Since(start)
			}
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("only %d of %d Ready after 5 minutes", len(readyAt), len(names))
		}
		time.Sleep(20 * time.Millisecond)
	}
	total := time.Since(start)
	b.StopTimer()

	var each []time.Duration
	for _, d := range readyAt {
		each = append(each, d)
	}
	sort.Slice(each, func(i, j int) bool { return each[i] < each[j] })
	b.ReportMetric(total.Seconds(), "s-all-ready")
	b.ReportMetric(total.Seconds()/float64(len(names)), "s/tenant")
	b.ReportMetric(each[len(each)/2].Seconds(), "s-median-ready")
	b.ReportMetric(baseline.Seconds(), "s-sql-floor")
	b.ReportMetric(total.Seconds()/baseline.Seconds(), "x-sql-floor")
}

// sqlFloor times creating n roles and databases by hand, then drops them.
func sqlFloor(b *testing.B, n int) time.Duration {
	b.Helper()
	ctx := context.Background()
	admin, err := env.Postgres.Connect(ctx, "postgres")
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	exec := func(sql string) {
		if _, err := admin.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for i := range n {
		name := pgx.Identifier{fmt.Sprintf("floor_%02d", i)}.Sanitize()
		exec("CREATE ROLE " + name + " LOGIN PASSWORD 'floor-password'")
		exec("CREATE DATABASE " + name + " OWNER " + name + " TEMPLATE template0")
		exec("REVOKE ALL ON DATABASE " + name + " FROM PUBLIC")
	}
	elapsed := time.Since(start)
	for i := range n {
		name := pgx.Identifier{fmt.Sprintf("floor_%02d", i)}.Sanitize()
		exec("DROP DATABASE " + name)
		exec("DROP ROLE " + name)
	}
	return elapsed
}

// BenchmarkSteadyStateReconcile measures one pass over a Ready tenant that
// needs nothing (every step checks and writes nothing): the 10-minute
// resync, which checks the role and database over the admin connection, and
// the hourly pass, which also connects with the tenant's credentials and
// checks its schema and kelurahan. Baseline: merely opening and closing one
// connection to the tenant database, which a pass that proves the
// credentials work must do.
//
//	go test ./operator -run '^$' -bench SteadyState
func BenchmarkSteadyStateReconcile(b *testing.B) {
	ctx := context.Background()
	kec := &slrtv1.Kecamatan{
		ObjectMeta: metav1.ObjectMeta{Name: "bench-steady"},
		Spec: slrtv1.KecamatanSpec{Code: "32.74.01", DisplayName: "Steady",
			Kelurahan: []slrtv1.KelurahanSpec{{Code: "32.74.01.1001", Name: "Tetap"}}},
	}
	if err := k8s.Get(ctx, client.ObjectKeyFromObject(kec), kec); err != nil {
		create(b, kec) // the benchmark function runs more than once
	}
	kec = waitReady(b, kec.Name)
	url := tenantURL(b, kec)
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(kec)}

	for _, hourly := range []bool{false, true} {
		name := "resync"
		if hourly {
			name = "hourly"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if hourly {
					reconciler.verified.forget(kec)
				}
				if _, err := reconciler.Reconcile(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			perReconcile := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			start := time.Now()
			for range b.N {
				conn, err := pgx.Connect(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				_ = conn.Close(ctx)
			}
			perConnect := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			b.ReportMetric(perConnect, "baseline-connect-ns/op")
			b.ReportMetric(perReconcile/perConnect, "x-baseline")
		})
	}
}
