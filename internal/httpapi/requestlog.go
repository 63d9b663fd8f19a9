package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/slrt-id/slrt/internal/telemetry"
)

// clientIP keys the login rate limit by the connection's address.
func clientIP(r *http.Request) (string, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host), nil
}

// exchange is one request and its answer, made once by observe: the
// request id, the answer's status, and what authentication, authorisation
// and the handlers learn on the way (the caller, the resolved Request, the
// tenant). The layers below fill it in place instead of each copying the
// request with a context of its own: the chain costs a request copy, not
// seven (docs/benchmarks.md).
type exchange struct {
	http.ResponseWriter
	status  int
	written int64
	id      string
	tenant  string
	pages   Pages
	// principal is the signed-in caller, nil while anonymous.
	principal *Principal
	// request is what authorisation resolved, nil before it.
	request *Request
}

type exchangeKey struct{}

// exchangeOf returns the request's exchange, nil outside observe (a test
// calling a handler directly).
func exchangeOf(ctx context.Context) *exchange {
	x, _ := ctx.Value(exchangeKey{}).(*exchange)
	return x
}

func (x *exchange) WriteHeader(status int) {
	if x.status == 0 {
		x.status = status
	}
	x.ResponseWriter.WriteHeader(status)
}

func (x *exchange) Write(b []byte) (int, error) {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	n, err := x.ResponseWriter.Write(b)
	x.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines of streamed exports).
func (x *exchange) Unwrap() http.ResponseWriter { return x.ResponseWriter }

// Flush sends what is buffered: streamed answers flush as they go.
func (x *exchange) Flush() {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	_ = http.NewResponseController(x.ResponseWriter).Flush()
}

// Status is the answer's status, 0 before it began.
func (x *exchange) Status() int { return x.status }

// BytesWritten is how much of the body was sent.
func (x *exchange) BytesWritten() int { return int(x.written) }

// RequestID returns the id observe gave the request (it is in logs, the
// audit log and problem documents), or "".
func RequestID(ctx context.Context) string {
	if x := exchangeOf(ctx); x != nil {
		return x.id
	}
	return ""
}

// requestIDs numbers requests after a prefix random to the process, so
// that ids of replicas do not collide.
var requestIDs = struct {
	prefix string
	n      atomic.Uint64
}{prefix: func() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.EncodeToString(b[:]) + "-"
}()}

func newRequestID() string {
	return requestIDs.prefix + strconv.FormatUint(requestIDs.n.Add(1), 10)
}

// observe is the one middleware every request passes first: it gives the
// request its id and exchange, starts its server span when spans are
// recorded, answers a panic with 500, and at the end records the HTTP
// metrics and writes the log line. The clock is read twice, at the start
// and the end; what a route's series and span need is made once per
// route, not per request (seriesCache).
func (s *Server) observe(next http.Handler) http.Handler {
	tracing := telemetry.TracingEnabled()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		x := &exchange{ResponseWriter: w, id: r.Header.Get("X-Request-Id"), pages: s.errorPages}
		if x.id == "" || len(x.id) > 64 {
			x.id = newRequestID()
		}
		ctx := r.Context()
		var span trace.Span
		if tracing {
			// Continue the caller's trace (W3C traceparent).
			ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(r.Header))
			ctx, span = tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(semconv.HTTPRequestMethodKey.String(methodOf(r.Method))))
		}
		ctx = context.WithValue(ctx, exchangeKey{}, x)
		r = r.WithContext(ctx)
		method := s.metrics.method(r.Method)
		s.metrics.active.Add(ctx, 1, method)
		defer func() {
			s.metrics.active.Add(ctx, -1, method)
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // the server's own way to drop a connection
				}
				slog.ErrorContext(ctx, "request panicked", "request_id", x.id, "panic", p, "stack", string(debug.Stack()))
				if x.status == 0 {
					problem(x, r, http.StatusInternalServerError, "An unexpected error; it has been logged.")
				}
				x.status = http.StatusInternalServerError
			}
			elapsed := time.Since(start)
			status := x.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			// The route pattern, never the raw path: paths can hold identifiers.
			route := "unmatched"
			if rc := chi.RouteContext(ctx); rc != nil && rc.RoutePattern() != "" {
				route = rc.RoutePattern()
			}
			series := s.metrics.series(r.Method, route, status, x.tenant)
			if span != nil {
				span.SetName(series.spanName)
				span.SetAttributes(series.route, semconv.HTTPResponseStatusCode(status))
				if status >= 500 {
					span.SetStatus(codes.Error, http.StatusText(status))
				}
				span.End()
			}
			s.metrics.requestDuration.Record(ctx, elapsed.Seconds(), series.attrs)
			slog.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", status), slog.Int64("duration_ms", elapsed.Milliseconds()),
				slog.Int64("duration_us", elapsed.Microseconds()), slog.String("request_id", x.id), slog.String("tenant", x.tenant))
		}()
		next.ServeHTTP(x, r)
	})
}

// noteTenant records the request's tenant for its metrics, log line and
// span.
func noteTenant(ctx context.Context, code string) {
	if x := exchangeOf(ctx); x != nil {
		x.tenant = code
	}
	mark(ctx, attrTenant.String(code))
}

// mark sets an attribute on the server span when spans are recorded: a
// no-op span's SetAttributes still allocates its arguments.
func mark(ctx context.Context, kv attribute.KeyValue) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(kv)
	}
}

// pagesFor returns the web app's pages, or nil without the web app.
func pagesFor(r *http.Request) Pages {
	if x := exchangeOf(r.Context()); x != nil {
		return x.pages
	}
	return nil
}

// methods are the request methods the metrics name; any other is
// "_OTHER", so that a client inventing methods cannot add series.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions}

func methodOf(m string) string {
	for _, known := range methods {
		if m == known {
			return m
		}
	}
	return "_OTHER"
}

// seriesKey names one series of the request duration histogram.
type seriesKey struct {
	method, route, tenant string
	status                int
}

// series is what a request's metrics and span need, made once per method,
// route, status and tenant: building an attribute set (sorting, hashing)
// per request cost more than recording it.
type series struct {
	attrs    metric.MeasurementOption
	route    attribute.KeyValue
	spanName string
}

// seriesCache holds every series seen; it is as bounded as the histogram's
// own series (routes x statuses x tenants).
type seriesCache struct {
	mu sync.RWMutex
	m  map[seriesKey]*series
	// byMethod are the active-requests counter's attributes.
	byMethod map[string]metric.AddOption
}

func (c *seriesCache) series(method, route string, status int, tenant string) *series {
	method = methodOf(method)
	key := seriesKey{method: method, route: route, tenant: tenant, status: status}
	c.mu.RLock()
	s := c.m[key]
	c.mu.RUnlock()
	if s != nil {
		return s
	}
	s = &series{
		attrs: metric.WithAttributeSet(attribute.NewSet(semconv.HTTPRequestMethodKey.String(method),
			semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status), attrTenant.String(tenant))),
		route:    semconv.HTTPRoute(route),
		spanName: method + " " + route,
	}
	c.mu.Lock()
	if len(c.m) < maxSeries {
		c.m[key] = s
	}
	c.mu.Unlock()
	return s
}

// maxSeries bounds the cache should something unforeseen multiply the
// keys; past it, series are made per request, as before the cache.
const maxSeries = 100_000

func (c *seriesCache) method(m string) metric.AddOption { return c.byMethod[methodOf(m)] }

func newSeriesCache() *seriesCache {
	byMethod := map[string]metric.AddOption{}
	for _, m := range append(methods, "_OTHER") {
		byMethod[m] = metric.WithAttributeSet(attribute.NewSet(semconv.HTTPRequestMethodKey.String(m)))
	}
	return &seriesCache{m: map[seriesKey]*series{}, byMethod: byMethod}
}
