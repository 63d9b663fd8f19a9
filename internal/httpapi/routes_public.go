package httpapi

import (
	"net/http"
	"time"

	"github.com/go-chi/httprate"
)

// publicRoutes are what anyone may call: health, the API's description,
// signing in, and the public tracking of a referral by the code on its
// letter (status and dates only; the web app serves the same as a page).
func (s *Server) publicRoutes(rt *Routes) {
	rt.API("GET", "/healthz", Public, s.healthz)
	rt.API("GET", "/readyz", Public, s.readyz)
	rt.API("GET", "/openapi.json", Public, serveOpenAPI)
	rt.API("POST", "/api/v1/session", Public, s.sessionCreate, rt.LoginLimit())
	rt.API("GET", "/api/v1/session/oidc", Public, s.sessionOIDCShow)
	rt.API("POST", "/api/v1/session/oidc", Public, s.sessionOIDCCreate, rt.LoginLimit())
	rt.API("GET", "/api/v1/lacak/{trackingCode}", Public, s.trackingShow, rt.TrackLimit())
}

// loginLimit is one budget of sign-in attempts per client address.
func (s *Server) loginLimit() Middleware {
	return httprate.LimitBy(s.cfg.LoginPerIPPerMinute, time.Minute, clientIP,
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			if pages := pagesFor(r); pages != nil && wantsHTML(r) {
				pages.LoginThrottled(w, r)
				return
			}
			problem(w, r, http.StatusTooManyRequests, "Too many login attempts from this address; wait a minute.")
		}))
}

// trackLimit throttles public tracking lookups per client address, so that
// tracking codes cannot be guessed.
func (s *Server) trackLimit() Middleware {
	return httprate.LimitBy(s.cfg.TrackPerIPPerMinute, time.Minute, clientIP,
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			problem(w, r, http.StatusTooManyRequests, "Terlalu banyak permintaan; tunggu sebentar. / Too many lookups from this address; wait a minute.")
		}))
}
