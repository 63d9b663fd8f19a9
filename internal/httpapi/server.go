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
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/telemetry"
	"github.com/slrt-id/slrt/internal/tenant"
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
	// NIKHasher keys the cross-kecamatan NIK index (the key is a Secret's).
	NIKHasher *nik.Hasher
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
	kube    client.Client // creates and patches Kecamatan for the admin API
	cfg     Config
	rules   map[string]Rule
	web     map[string]bool
	auth    *authCache
	metrics *instruments
	// nikHasher hashes NIKs for the cross-kecamatan index.
	nikHasher *nik.Hasher
	// referralGauges hold the last count of open and overdue referrals.
	referralGauges referralGauges
}

// New makes the API server.
func New(st *store.Store, az *authz.Authorizer, tenants *tenant.Registry, kube client.Client, cfg Config) *Server {
	return &Server{store: st, authz: az, tenants: tenants, kube: kube, cfg: cfg, auth: newAuthCache(), metrics: newInstruments(),
		nikHasher: cfg.NIKHasher}
}

// SetReadiness sets the check behind /readyz.
func (s *Server) SetReadiness(ready func(context.Context) error) { s.cfg.Ready = ready }

// Handler returns the router with every route of the API.
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
	rt := &routes{Router: r, s: s, rules: map[string]Rule{}, web: map[string]bool{}}

	rt.handle("GET", "/healthz", public, s.healthz)
	rt.handle("GET", "/readyz", public, s.readyz)
	rt.handle("GET", "/openapi.json", public, serveOpenAPI)

	// One budget of sign-in attempts per address, through the API and the
	// web app's form alike.
	loginLimit := httprate.LimitBy(s.cfg.LoginPerIPPerMinute, time.Minute, clientIP,
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			if wantsHTML(r) {
				webLoginThrottled(w, r)
				return
			}
			problem(w, r, http.StatusTooManyRequests, "Too many login attempts from this address; wait a minute.")
		}))
	rt.handle("POST", "/api/v1/session", public, s.sessionCreate, loginLimit)

	// Public tracking by the code on the letter: status and dates only.
	trackLimit := httprate.LimitBy(s.cfg.TrackPerIPPerMinute, time.Minute, clientIP,
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			problem(w, r, http.StatusTooManyRequests, "Terlalu banyak permintaan; tunggu sebentar. / Too many lookups from this address; wait a minute.")
		}))
	rt.handle("GET", "/api/v1/lacak/{trackingCode}", public, s.trackingShow, trackLimit)
	rt.handle("GET", "/lacak/{trackingCode}", public, s.trackingPageShow, trackLimit)
	rt.handle("DELETE", "/api/v1/session", self, s.sessionDelete)

	rt.handle("GET", "/api/v1/me", self, s.meShow)
	rt.handle("GET", "/api/v1/me/tokens", self, s.tokenList)
	rt.handle("POST", "/api/v1/me/tokens", self, s.tokenCreate)
	rt.handle("DELETE", "/api/v1/me/tokens/{id}", self, s.tokenRevoke)

	rt.handle("GET", "/api/v1/kecamatan/{code}/kelurahan", inTenant("kelurahan", "read"), s.kelurahanList)
	rt.handle("GET", "/api/v1/kecamatan/{code}/kelurahan/{kelurahan}", inKelurahan("kelurahan", "read"), s.kelurahanShow)

	// The social registry of a kecamatan. Searching is a POST so that a NIK
	// never travels in a URL.
	rt.handle("POST", "/api/v1/kecamatan/{code}/keluarga", inTenant("penduduk", "write"), s.householdCreate)
	rt.handle("GET", "/api/v1/kecamatan/{code}/keluarga/{id}", inTenant("penduduk", "read"), s.householdShow)
	rt.handle("PATCH", "/api/v1/kecamatan/{code}/keluarga/{id}", inTenant("penduduk", "write"), s.householdUpdate)
	rt.handle("POST", "/api/v1/kecamatan/{code}/penduduk", inTenant("penduduk", "write"), s.personCreate)
	rt.handle("POST", "/api/v1/kecamatan/{code}/penduduk/cari", inTenant("penduduk", "read"), s.personSearch)
	rt.handle("GET", "/api/v1/kecamatan/{code}/penduduk/{id}", inTenant("penduduk", "read"), s.personShow)
	rt.handle("PATCH", "/api/v1/kecamatan/{code}/penduduk/{id}", inTenant("penduduk", "write"), s.personUpdate)
	// DTKS/BNBA extracts in and out: bodies streamed, not held to the JSON
	// limits and validator.
	rt.handleBulk("POST", "/api/v1/kecamatan/{code}/impor", inTenant("penduduk", "import"), s.registryImport)
	rt.handleBulk("GET", "/api/v1/kecamatan/{code}/ekspor", inTenant("penduduk", "export"), s.registryExport)

	// Complaints (keluhan) and their case files.
	rt.handle("POST", "/api/v1/kecamatan/{code}/keluhan", inTenant("keluhan", "write"), s.complaintCreate)
	rt.handle("GET", "/api/v1/kecamatan/{code}/keluhan", inTenant("keluhan", "read"), s.complaintList)
	rt.handle("GET", "/api/v1/kecamatan/{code}/keluhan/{id}", inTenant("keluhan", "read"), s.complaintShow)
	rt.handle("PUT", "/api/v1/kecamatan/{code}/keluhan/{id}/asesmen", inTenant("keluhan", "write"), s.complaintAssess)
	rt.handle("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/tindak-lanjut", inTenant("keluhan", "write"), s.followUpCreate)
	rt.handle("POST", "/api/v1/kecamatan/{code}/keluhan/{id}/tutup", inTenant("keluhan", "close"), s.complaintClose)

	// Referrals (rujukan), from the Puskesos side.
	rt.handle("POST", "/api/v1/kecamatan/{code}/rujukan", inTenant("rujukan", "write"), s.referralCreate)
	rt.handle("GET", "/api/v1/kecamatan/{code}/rujukan", inTenant("rujukan", "read"), s.referralList)
	rt.handle("GET", "/api/v1/kecamatan/{code}/rujukan/terlambat", inTenant("rujukan", "read"), s.referralOverdue)
	rt.handle("GET", "/api/v1/kecamatan/{code}/rujukan/{id}", inTenant("rujukan", "read"), s.referralShow)
	rt.handle("GET", "/api/v1/kecamatan/{code}/rujukan/{id}/surat", inTenant("rujukan", "read"), s.referralLetter)
	rt.handle("POST", "/api/v1/kecamatan/{code}/rujukan/{id}/status", inTenant("rujukan", "write"), s.referralTransition)
	rt.handle("GET", "/api/v1/rujukan/terlambat", anywhere("rujukan_kota", "read"), s.cityOverdue)

	// Monitoring: counts for a date range, as JSON, CSV or XLSX.
	rt.handle("GET", "/api/v1/kecamatan/{code}/laporan", inTenant("laporan", "read"), s.kecamatanReport)
	rt.handle("GET", "/api/v1/laporan", anywhere("laporan_kota", "read"), s.cityReport)

	// The receiving agency's inbox, across every kecamatan.
	rt.handle("GET", "/api/v1/instansi/{agency}/rujukan", inAgency("rujukan_inbox", "read"), s.inboxList)
	rt.handle("GET", "/api/v1/instansi/{agency}/rujukan/{code}/{id}", inAgency("rujukan_inbox", "read"), s.inboxShow)
	rt.handle("POST", "/api/v1/instansi/{agency}/rujukan/{code}/{id}/status", inAgency("rujukan_inbox", "write"), s.inboxTransition)

	// What Dinas Sosial keeps for the city: readable by all staff.
	rt.handle("GET", "/api/v1/layanan", self, s.catalogueShow)
	rt.handle("PUT", "/api/v1/layanan/{service}", anywhere("katalog", "write"), s.servicePut)
	rt.handle("GET", "/api/v1/kategori-keluhan", self, s.categoryList)
	rt.handle("PUT", "/api/v1/kategori-keluhan/{category}", anywhere("katalog", "write"), s.categoryPut)
	rt.handle("GET", "/api/v1/hari-libur", self, s.holidayList)
	rt.handle("PUT", "/api/v1/hari-libur/{date}", anywhere("katalog", "write"), s.holidayPut)
	rt.handle("DELETE", "/api/v1/hari-libur/{date}", anywhere("katalog", "write"), s.holidayDelete)

	rt.handle("GET", "/api/v1/admin/kecamatan", anywhere("tenant", "read"), s.adminKecamatanList)
	rt.handle("POST", "/api/v1/admin/kecamatan", anywhere("tenant", "write"), s.adminKecamatanCreate)
	rt.handle("PATCH", "/api/v1/admin/kecamatan/{code}", anywhere("tenant", "write"), s.adminKecamatanUpdate)
	rt.handle("GET", "/api/v1/admin/accounts", anywhere("account", "read"), s.adminAccountList)
	rt.handle("POST", "/api/v1/admin/accounts", anywhere("account", "write"), s.adminAccountCreate)
	rt.handle("PATCH", "/api/v1/admin/accounts/{username}", anywhere("account", "write"), s.adminAccountUpdate)
	rt.handle("GET", "/api/v1/admin/grants", anywhere("grant", "read"), s.adminGrantList)
	rt.handle("POST", "/api/v1/admin/grants", anywhere("grant", "write"), s.adminGrantCreate)
	rt.handle("DELETE", "/api/v1/admin/grants/{id}", anywhere("grant", "write"), s.adminGrantDelete)
	rt.handle("GET", "/api/v1/admin/accounts/{username}/tokens", anywhere("token", "read"), s.adminTokenList)
	rt.handle("DELETE", "/api/v1/admin/tokens/{id}", anywhere("token", "write"), s.adminTokenRevoke)

	rt.handle("GET", "/api/v1/audit", anywhere("audit", "read"), s.auditList)

	// The web app for staff (docs/web.md): pages over the same packages,
	// under the same rules.
	rt.handleWeb("GET", "/static/app.css", public, serveStylesheet)
	rt.handleWeb("GET", "/masuk", public, s.webLoginForm)
	rt.handleWeb("POST", "/masuk", public, s.webLogin, loginLimit)
	rt.handleWeb("POST", "/keluar", self, s.webLogout)
	rt.handleWeb("GET", "/", self, s.webHome)
	rt.handleWeb("GET", "/kecamatan/{code}/keluarga/baru", inTenant("penduduk", "write"), s.webRegisterForm)
	rt.handleWeb("POST", "/kecamatan/{code}/keluarga", inTenant("penduduk", "write"), s.webRegister)
	rt.handleWeb("GET", "/kecamatan/{code}/keluhan", inTenant("keluhan", "read"), s.webComplaintList)
	rt.handleWeb("POST", "/kecamatan/{code}/keluhan", inTenant("keluhan", "write"), s.webComplaintCreate)
	rt.handleWeb("GET", "/kecamatan/{code}/keluhan/baru", inTenant("keluhan", "write"), s.webComplaintNew)
	rt.handleWeb("POST", "/kecamatan/{code}/keluhan/baru", inTenant("keluhan", "write"), s.webResidentSearch)
	rt.handleWeb("GET", "/kecamatan/{code}/keluhan/{id}", inTenant("keluhan", "read"), s.webComplaintShow)
	rt.handleWeb("POST", "/kecamatan/{code}/keluhan/{id}/rujukan", inTenant("rujukan", "write"), s.webReferralCreate)
	rt.handleWeb("POST", "/kecamatan/{code}/keluhan/{id}/asesmen", inTenant("keluhan", "write"), s.webAssess)
	rt.handleWeb("POST", "/kecamatan/{code}/keluhan/{id}/tindak-lanjut", inTenant("keluhan", "write"), s.webFollowUp)
	rt.handleWeb("POST", "/kecamatan/{code}/keluhan/{id}/tutup", inTenant("keluhan", "close"), s.webClose)
	rt.handleWeb("POST", "/kecamatan/{code}/rujukan/{id}/kirim", inTenant("rujukan", "write"), s.webReferralSend)
	rt.handleWeb("POST", "/kecamatan/{code}/rujukan/{id}/batal", inTenant("rujukan", "write"), s.webReferralCancel)
	rt.handleWeb("GET", "/kecamatan/{code}/laporan", inTenant("laporan", "read"), s.webKecamatanReport)
	rt.handleWeb("GET", "/laporan", anywhere("laporan_kota", "read"), s.webCityReport)
	rt.handleWeb("GET", "/instansi/{agency}/rujukan", inAgency("rujukan_inbox", "read"), s.webInbox)
	rt.handleWeb("GET", "/instansi/{agency}/rujukan/{code}/{id}", inAgency("rujukan_inbox", "read"), s.webInboxShow)
	rt.handleWeb("POST", "/instansi/{agency}/rujukan/{code}/{id}/status", inAgency("rujukan_inbox", "write"), s.webInboxTransition)

	s.rules, s.web = rt.rules, rt.web
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
		info := &requestInfo{}
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

// requestInfo carries what inner handlers learn back to logRequests.
type requestInfo struct {
	tenant string
}

type requestInfoKey struct{}

// noteTenant records the request's tenant for its metrics and span.
func noteTenant(ctx context.Context, code string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.tenant = code
	}
	trace.SpanFromContext(ctx).SetAttributes(attrTenant.String(code))
}
