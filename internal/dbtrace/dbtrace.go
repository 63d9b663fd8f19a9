// Package dbtrace traces the SQL of a database pool: every statement is
// measured (otelpgx's db.client.operation.duration), and a statement is a span
// only when it tells a trace something: it was slow or it failed.
//
// A span for each quick statement of a request cost the cheapest read a tenth
// of its throughput with every request traced, and told nothing the request's
// own span did not: its time is within the request's. The threshold is the
// operator's to choose; zero makes every statement a span, as otelpgx alone does.
package dbtrace

import (
	"context"
	"errors"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// DefaultSpansFrom is the threshold slrt-api starts with: a statement of the
// API's usual reads takes a few hundred microseconds.
const DefaultSpansFrom = time.Millisecond

var tracer = otel.Tracer("github.com/slrt-id/slrt/internal/dbtrace")

// Tracer is a pgx.QueryTracer. Make it with New.
type Tracer struct {
	metrics   *otelpgx.Tracer
	spansFrom time.Duration
	attrs     []attribute.KeyValue
}

// New traces statements that take spansFrom or longer, or fail; attrs are
// added to each such span (the tenant, on a tenant's pool).
func New(spansFrom time.Duration, attrs ...attribute.KeyValue) *Tracer {
	return &Tracer{
		// Given a context whose span does not record, otelpgx measures the
		// statement for its metrics and makes no span.
		metrics:   otelpgx.NewTracer(otelpgx.WithDisableConnectionDetailsInAttributes()),
		spansFrom: spansFrom,
		attrs:     append([]attribute.KeyValue{semconv.DBSystemNamePostgreSQL}, attrs...),
	}
}

type statementKey struct{}

// statement is what the span made at the end needs from the start.
type statement struct {
	start  time.Time
	sql    string
	parent trace.Span
}

// TraceQueryStart is called by pgx before Query, QueryRow and Exec.
func (t *Tracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return t.metrics.TraceQueryStart(ctx, conn, data)
	}
	ctx = context.WithValue(ctx, statementKey{}, &statement{start: time.Now(), sql: data.SQL, parent: parent})
	return t.metrics.TraceQueryStart(trace.ContextWithSpanContext(ctx, parent.SpanContext()), conn, data)
}

// TraceQueryEnd is called by pgx after Query, QueryRow and Exec.
func (t *Tracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	t.metrics.TraceQueryEnd(ctx, conn, data)
	s, _ := ctx.Value(statementKey{}).(*statement)
	if s == nil {
		return
	}
	end := time.Now()
	failed := data.Err != nil && !errors.Is(data.Err, pgx.ErrNoRows)
	if end.Sub(s.start) < t.spansFrom && !failed {
		return
	}
	op := otelpgx.SQLOperationName(ctx, s.sql)
	attrs := make([]attribute.KeyValue, 0, len(t.attrs)+3)
	attrs = append(attrs, t.attrs...)
	attrs = append(attrs, semconv.DBQueryText(s.sql), semconv.DBOperationName(op))
	_, span := tracer.Start(trace.ContextWithSpan(ctx, s.parent), op,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(s.start), trace.WithAttributes(attrs...))
	if failed {
		span.RecordError(data.Err)
		span.SetStatus(codes.Error, data.Err.Error())
		var pgErr *pgconn.PgError
		if errors.As(data.Err, &pgErr) {
			span.SetAttributes(otelpgx.SQLStateKey.String(pgErr.Code))
		}
	} else {
		span.SetAttributes(otelpgx.RowsAffectedKey.Int64(data.CommandTag.RowsAffected()))
	}
	span.End(trace.WithTimestamp(end))
}
