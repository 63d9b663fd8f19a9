package httpapi

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Routes registers each route of a surface with its authorisation Rule,
// so that no route exists without one, and every route is in the
// authorisation matrix (Server.Rules).
type Routes struct {
	router chi.Router
	s      *Server
	rules  map[string]Rule
	// pages marks the web app's pages, which openapi.json does not describe.
	pages map[string]bool
	// loginLimit is the one budget of sign-in attempts per address, through
	// the API and the web app's form alike.
	loginLimit Middleware
	// trackLimit is the budget of public tracking lookups per address.
	trackLimit Middleware
}

// Middleware is what a route may add before its handler.
type Middleware = func(http.Handler) http.Handler

// API registers a route that openapi.json describes, whose request is
// checked against it: the JSON API's, and the public tracking page (its
// address is printed on letters).
func (rt *Routes) API(method, pattern string, ru Rule, h http.HandlerFunc, mw ...Middleware) {
	rt.add(method, pattern, ru, h, append([]Middleware{middleware.Timeout(rt.s.cfg.RequestTimeout)}, mw...), validateRequest)
}

// bulk registers a route whose body or answer is a file streamed through:
// a longer deadline, and its handler checks its own input.
func (rt *Routes) bulk(method, pattern string, ru Rule, h http.HandlerFunc) {
	rt.add(method, pattern, ru, h, []Middleware{middleware.Timeout(rt.s.cfg.BulkTimeout)})
}

// Page registers a page of the web app: the same rules as the API, and a
// form refused when a browser says another site sent it (on top of the
// session's CSRF token, which authentication checks).
func (rt *Routes) Page(method, pattern string, ru Rule, h http.HandlerFunc, mw ...Middleware) {
	rt.page(rt.s.cfg.RequestTimeout, method, pattern, ru, h, mw)
}

// Upload registers a page that takes a file: a page with the bulk
// deadline.
func (rt *Routes) Upload(method, pattern string, ru Rule, h http.HandlerFunc, mw ...Middleware) {
	rt.page(rt.s.cfg.BulkTimeout, method, pattern, ru, h, mw)
}

func (rt *Routes) page(timeout time.Duration, method, pattern string, ru Rule, h http.HandlerFunc, mw []Middleware) {
	rt.pages[method+" "+pattern] = true
	before := []Middleware{middleware.Timeout(timeout)}
	if method != http.MethodGet {
		before = append(before, crossOrigin.Handler)
	}
	rt.add(method, pattern, ru, h, append(before, mw...))
}

// LoginLimit throttles sign-in attempts per client address.
func (rt *Routes) LoginLimit() Middleware { return rt.loginLimit }

// TrackLimit throttles public tracking lookups per client address.
func (rt *Routes) TrackLimit() Middleware { return rt.trackLimit }

// Server is the HTTP layer the routes belong to.
func (rt *Routes) Server() *Server { return rt.s }

func (rt *Routes) add(method, pattern string, ru Rule, h http.HandlerFunc, before []Middleware, after ...Middleware) {
	rt.rules[method+" "+pattern] = ru
	chain := append(append(before, rt.s.authorize(ru)), after...)
	if method != http.MethodGet {
		chain = append(chain, rt.s.auditWrites)
	}
	rt.router.With(chain...).Method(method, pattern, h)
}

// crossOrigin refuses a form a browser says another site sent (Sec-Fetch-Site,
// Origin): sign-in included, which has no session token yet.
var crossOrigin = func() *http.CrossOriginProtection {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem(w, r, http.StatusForbidden, "A form from another site is refused.")
	}))
	return c
}()
