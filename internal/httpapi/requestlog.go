package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.21.0"
	"go.opentelemetry.io/otel/trace"
)

// clientIP keys the login rate limit by the connection's address.
func clientIP(r *http.Request) (string, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return httprate.CanonicalizeIP(host), nil
}

// logRequests logs each request, records the HTTP server metrics, and names
// the request's span by route.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		method := semconv.HTTPRequestMethodKey.String(r.Method)
		s.metrics.active.Add(r.Context(), 1, metric.WithAttributes(method))
		info := &requestInfo{pages: s.errorPages}
		next.ServeHTTP(ww, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		s.metrics.active.Add(r.Context(), -1, metric.WithAttributes(method))
		elapsed := time.Since(start)
		// The route pattern, never the raw path: paths can hold identifiers.
		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		span := trace.SpanFromContext(r.Context())
		if span.IsRecording() {
			span.SetName(r.Method + " " + route)
			span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(ww.Status()))
			if ww.Status() >= 500 {
				span.SetStatus(codes.Error, http.StatusText(ww.Status()))
			}
		}
		s.metrics.requestDuration.Record(r.Context(), elapsed.Seconds(), metric.WithAttributes(
			method, semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(ww.Status()), attrTenant.String(info.tenant)))
		slog.InfoContext(r.Context(), "request", "method", r.Method, "route", route, "status", ww.Status(),
			"duration_ms", elapsed.Milliseconds(), "request_id", middleware.GetReqID(r.Context()))
	})
}

// requestInfo carries what inner handlers learn back to logRequests, and
// the web app's pages down to error answers.
type requestInfo struct {
	tenant string
	pages  Pages
}

type requestInfoKey struct{}

// noteTenant records the request's tenant for its metrics and span.
func noteTenant(ctx context.Context, code string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.tenant = code
	}
	trace.SpanFromContext(ctx).SetAttributes(attrTenant.String(code))
}

// pagesFor returns the web app's pages, or nil without the web app.
func pagesFor(r *http.Request) Pages {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return info.pages
	}
	return nil
}
