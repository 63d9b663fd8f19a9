package telemetry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// cpuTime is the CPU the process has used, on every core: an export runs
// beside the request, so wall time per request would not show it.
func cpuTime() time.Duration {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkRequestSpans is what tracing adds to the cheapest request, in
// parts: the two spans such a request records (the server span and one SQL
// query's, with the attributes the API and otelpgx set) made by the SDK with
// nowhere to go, then batched into an exporter that discards them, then
// batched and exported by OTLP/HTTP to a receiver in this process, as
// production sends them to a collector. It reports the CPU each costs per
// request, exports included (the receiver's share is small: it reads and
// discards the bytes).
//
//	go test ./internal/telemetry -run '^$' -bench RequestSpans
func BenchmarkRequestSpans(b *testing.B) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer receiver.Close()
	otlp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(receiver.URL), otlptracehttp.WithInsecure())
	if err != nil {
		b.Fatal(err)
	}
	// Blocking on a full queue: every span is exported, none dropped, so
	// that the export's cost is all counted.
	blocking := append(batchSizing(), sdktrace.WithBlocking())
	for _, c := range []struct {
		name string
		opts []sdktrace.TracerProviderOption
	}{
		{"sdk-only", nil},
		{"batched-discarded", []sdktrace.TracerProviderOption{sdktrace.WithBatcher(tracetest.NewNoopExporter(), blocking...)}},
		{"batched-otlp-http", []sdktrace.TracerProviderOption{sdktrace.WithBatcher(otlp, blocking...)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(c.opts...)
			defer func() { _ = tp.Shutdown(context.Background()) }()
			tracer := tp.Tracer("bench")
			server := []attribute.KeyValue{attribute.String("http.request.method", "GET")}
			end := []attribute.KeyValue{attribute.String("http.route", "/api/v1/kecamatan/{code}/kelurahan"),
				attribute.Int("http.response.status_code", 200), attribute.String("slrt.tenant", "32.73.03"),
				attribute.String("slrt.auth.via", "token"), attribute.String("slrt.authz.decision", "allow")}
			query := []attribute.KeyValue{attribute.String("slrt.tenant", "32.73.03"),
				attribute.String("db.query.text", "SELECT code, name FROM kelurahan ORDER BY code"),
				attribute.String("db.operation.name", "SELECT")}
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				ctx, span := tracer.Start(context.Background(), "GET", trace.WithSpanKind(trace.SpanKindServer),
					trace.WithAttributes(server...))
				_, q := tracer.Start(ctx, "query SELECT", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(query...))
				q.SetAttributes(attribute.Int64("pgx.rows_affected", 6))
				q.End()
				span.SetName("GET /api/v1/kecamatan/{code}/kelurahan")
				span.SetAttributes(end...)
				span.End()
			}
			// The exports still queued are part of the cost.
			_ = tp.ForceFlush(context.Background())
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/request")
		})
	}
}
