package dbtrace_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slrt-id/slrt/internal/dbtrace"
	"github.com/slrt-id/slrt/internal/testenv"
)

var env *testenv.Env

// recorder takes the spans of the test running: the tracer is bound to the
// global provider once, so each test swaps what the provider sends to.
var recorder atomic.Pointer[tracetest.SpanRecorder]

func TestMain(m *testing.M) {
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(forward{})))
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true}, &env))
}

type forward struct{}

func (forward) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	recorder.Load().OnStart(ctx, s)
}
func (forward) OnEnd(s sdktrace.ReadOnlySpan)        { recorder.Load().OnEnd(s) }
func (forward) Shutdown(ctx context.Context) error   { return nil }
func (forward) ForceFlush(ctx context.Context) error { return nil }

// traced connects with the tracer and returns what spans it and a request
// span above it end with.
func traced(t *testing.T, spansFrom time.Duration) (*pgx.Conn, *tracetest.SpanRecorder) {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	recorder.Store(spans)

	cfg, err := pgx.ParseConfig(env.Postgres.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = dbtrace.New(spansFrom, attribute.String("slrt.tenant", "32.73.03"))
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn, spans
}

// inRequest runs fn under a recording span, as a traced request does.
func inRequest(fn func(ctx context.Context)) {
	ctx, span := otel.Tracer("test").Start(context.Background(), "GET /api/v1/kelurahan")
	fn(ctx)
	span.End()
}

func named(spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	for _, s := range spans {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

func TestAQuickStatementIsNoSpanAndASlowOneIsOne(t *testing.T) {
	conn, spans := traced(t, 50*time.Millisecond)
	inRequest(func(ctx context.Context) {
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "SELECT pg_sleep(0.06)"); err != nil {
			t.Fatal(err)
		}
	})
	ended := spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("want the request's span and the slow statement's, got %d spans", len(ended))
	}
	slow, request := named(ended, "SELECT"), named(ended, "GET /api/v1/kelurahan")
	if slow == nil || request == nil {
		t.Fatalf("spans %v, %v", ended[0].Name(), ended[1].Name())
	}
	if attr(slow, "db.query.text") != "SELECT pg_sleep(0.06)" || attr(slow, "slrt.tenant") != "32.73.03" ||
		attr(slow, "db.system.name") != "postgresql" {
		t.Errorf("the slow statement's span has attributes %v", slow.Attributes())
	}
	if slow.Parent().SpanID() != request.SpanContext().SpanID() {
		t.Error("the slow statement's span is not the request's child")
	}
	if took := slow.EndTime().Sub(slow.StartTime()); took < 60*time.Millisecond {
		t.Errorf("the span covers %v of a statement that slept 60 ms", took)
	}
}

func TestAFailedStatementIsASpanWithItsError(t *testing.T) {
	conn, spans := traced(t, time.Hour)
	inRequest(func(ctx context.Context) {
		if _, err := conn.Exec(ctx, "SELECT 1/0"); err == nil {
			t.Fatal("division by zero did not fail")
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT 1 WHERE false").Scan(&n); err != pgx.ErrNoRows {
			t.Fatalf("want no rows, got %v", err)
		}
	})
	failed := named(spans.Ended(), "SELECT")
	if failed == nil || len(spans.Ended()) != 2 {
		t.Fatalf("want the request's span and the failed statement's (not the one finding no rows), got %d", len(spans.Ended()))
	}
	if failed.Status().Code != codes.Error || attr(failed, "pgx.sql_state") != "22012" {
		t.Errorf("the failed statement's span: status %v, attributes %v", failed.Status(), failed.Attributes())
	}
}

func TestZeroMakesEveryStatementASpan(t *testing.T) {
	conn, spans := traced(t, 0)
	inRequest(func(ctx context.Context) {
		for range 3 {
			if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
				t.Fatal(err)
			}
		}
	})
	if n := len(spans.Ended()); n != 4 {
		t.Errorf("want the request's span and three statements', got %d spans", n)
	}
}

func TestAStatementOutsideATracedRequestIsNoSpan(t *testing.T) {
	conn, spans := traced(t, 0)
	if _, err := conn.Exec(context.Background(), "SELECT 1/0"); err == nil {
		t.Fatal("division by zero did not fail")
	}
	if n := len(spans.Ended()); n != 0 {
		t.Errorf("%d spans without a request", n)
	}
}
