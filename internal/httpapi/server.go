// Package httpapi is the shared HTTP API of the SLRT platform: one chi router
// for every tenant. A request is authenticated (session cookie or API token),
// authorised by Casbin in the domain its URL names, routed to its tenant's
// database, and answered in JSON, with errors as problem+json.
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
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/telemetry"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/usecase"
)

// Config tunes the API.
type Config struct {
	// SessionTTL is how long a browser session lasts.
	SessionTTL time.Duration
	// SecureCookies marks cookies Secure (off only for plain-HTTP development).
	SecureCookies bool
	// LoginMaxFailures locks an account after that many failed logins in a row...
	LoginMaxFailures int
	// ...for LoginLockout.
	LoginLockout time.Duration
	// LoginPerIPPerMinute throttles login attempts from one client address.
	LoginPerIPPerMinute int
	// MaxTokenTTL caps an API token's lifetime.
	MaxTokenTTL time.Duration
	// RequestTimeout bounds a request's work...
	RequestTimeout time.Duration
	// ...and BulkTimeout that of an import or export.
	BulkTimeout time.Duration
	// CityName heads letters, e.g. "Kota Bandung".
	CityName string
	// PublicURL is where residents reach the platform (the QR code on a
	// letter points there); empty: the address each request came to.
	PublicURL string
	// TrackPerIPPerMinute throttles public tracking lookups per client
	// address, so that tracking codes cannot be guessed.
	TrackPerIPPerMinute int
	// ReferralMetricsEvery is how often the open and overdue referral
	// gauges are recounted.
	ReferralMetricsEvery time.Duration
	// Ready reports whether the API can serve (control database reachable,
	// tenant cache synced), for /readyz.
	Ready func(context.Context) error
}

// DefaultConfig returns the defaults documented in docs/api.md.
func DefaultConfig() Config {
	return Config{
		SessionTTL:          12 * time.Hour,
		SecureCookies:       true,
		LoginMaxFailures:    5,
		LoginLockout:        15 * time.Minute,
		LoginPerIPPerMinute: 20,
		MaxTokenTTL:         365 * 24 * time.Hour,
		RequestTimeout:      30 * time.Second,
		BulkTimeout:         10 * time.Minute,

		ReferralMetricsEvery: time.Minute,
		CityName:             "Kota Bandung",
		TrackPerIPPerMinute:  30,
	}
}

// Server holds what the handlers need.
type Server struct {
	store   *store.Store
	authz   *authz.Authorizer
	tenants *tenant.Registry
	app     *usecase.App
	kube    client.Client // creates and patches Kecamatan for the admin API
	cfg     Config
	rules   map[string]Rule
	pages   map[string]bool
	auth    *authCache
	metrics *instruments
	// errorPages answers browsers; nil without the web app.
	errorPages Pages
	// surfaces mount further routes: the web app's pages.
	surfaces []func(*Routes)
}

// Pages are the web app's answers to a browser that the HTTP layer gives
// on its behalf, so that this package needs no import of the web app.
type Pages interface {
	// ErrorPage answers a browser with an error as a page: a sign-in for
	// 401, else the error in its language with the fields at fault.
	ErrorPage(w http.ResponseWriter, r *http.Request, status int, detail string, fields []FieldError)
	// LoginThrottled answers a browser that tried to sign in too often.
	LoginThrottled(w http.ResponseWriter, r *http.Request)
}

// New makes the HTTP server over the use cases of app.
func New(st *store.Store, az *authz.Authorizer, tenants *tenant.Registry, kube client.Client, app *usecase.App, cfg Config) *Server {
	return &Server{store: st, authz: az, tenants: tenants, kube: kube, app: app, cfg: cfg, auth: newAuthCache(), metrics: newInstruments()}
}

// SetReadiness sets the check behind /readyz.
func (s *Server) SetReadiness(ready func(context.Context) error) { s.cfg.Ready = ready }

// SetPages makes errors pages for browsers.
func (s *Server) SetPages(p Pages) { s.errorPages = p }

// Mount adds a surface whose routes Handler registers beside the API's.
func (s *Server) Mount(surface func(*Routes)) { s.surfaces = append(s.surfaces, surface) }

// Handler returns the router with the public routes, the API's, and those
// of each surface mounted (the web app's).
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	if telemetry.TracingEnabled() {
		// Server spans, continuing the caller's trace. Not otelhttp: it
		// builds a dozen attributes and wraps every body whatever is
		// recorded, and cost a third of the tracing overhead
		// (docs/benchmarks.md); logRequests names the span by route and
		// records the status.
		r.Use(serverSpans)
	}
	// The client address is the connection's own: X-Forwarded-For is not
	// trusted, since any client can send it.
	r.Use(middleware.RequestID, s.logRequests, middleware.Recoverer, s.authenticate)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { problem(w, r, http.StatusNotFound, "No such resource.") })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		problem(w, r, http.StatusMethodNotAllowed, "Method not allowed here.")
	})
	rt := &Routes{router: r, s: s, rules: map[string]Rule{}, pages: map[string]bool{}, loginLimit: s.loginLimit(), trackLimit: s.trackLimit()}
	s.publicRoutes(rt)
	s.apiRoutes(rt)
	for _, surface := range s.surfaces {
		surface(rt)
	}
	s.rules, s.pages = rt.rules, rt.pages
	return r
}

// Rules returns the authorisation Rule of every route, keyed "METHOD
// pattern": the authorisation matrix test walks the router against it.
func (s *Server) Rules() map[string]Rule { return s.rules }

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
