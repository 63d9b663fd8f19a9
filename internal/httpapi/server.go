// Package httpapi is the shared HTTP API of the SLRT platform: one chi router
// for every tenant. A request is authenticated (session cookie or API token),
// authorised by Casbin in the domain its URL names, routed to its tenant's
// database, and answered in JSON, with errors as problem+json.
package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/oidcsignin"
	"github.com/slrt-id/slrt/internal/store"
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
	// OIDC is the city's identity provider staff may sign in with; nil:
	// passwords only.
	OIDC *oidcsignin.Provider
	// PasswordSignIn allows signing in with a password; off, staff sign in
	// only through OIDC.
	PasswordSignIn bool
	// Ready reports whether the API can serve (control database reachable,
	// tenant cache synced), for /readyz.
	Ready func(context.Context) error
}

// DefaultConfig returns the defaults documented in docs/api.md.
func DefaultConfig() Config {
	return Config{
		SessionTTL:          12 * time.Hour,
		SecureCookies:       true,
		PasswordSignIn:      true,
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
	s := &Server{store: st, authz: az, tenants: tenants, kube: kube, app: app, cfg: cfg, auth: newAuthCache(), metrics: newInstruments()}
	if app != nil {
		app.OnCredentialsChanged(s.auth.flush)
	}
	return s
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
	// One middleware observes every request (id, server span, panic, metrics,
	// log line), then the caller is identified. The client address is the
	// connection's own: X-Forwarded-For is not trusted, since any client
	// can send it.
	r.Use(s.observe, s.authenticate)
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

// IsPage reports whether a route ("METHOD pattern") is a page of the web
// app, which openapi.json does not describe.
func (s *Server) IsPage(route string) bool { return s.pages[route] }

// Rules returns the authorisation Rule of every route, keyed "METHOD
// pattern": the authorisation matrix test walks the router against it.
func (s *Server) Rules() map[string]Rule { return s.rules }
