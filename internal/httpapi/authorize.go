package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/usecase"
)

// reach says where a route's permission is checked.
type reach int

const (
	// reachPublic needs no caller.
	reachPublic reach = iota
	// reachSelf needs a caller and acts on the caller's own things.
	reachSelf
	// reachTenant checks the permission in the kecamatan {code}, or in the
	// kelurahan under it the caller holds it in (rows are filtered to those).
	reachTenant
	// reachKelurahan checks the permission in the kelurahan {kelurahan}.
	reachKelurahan
	// reachAgency checks the permission in the agency {agency}; a {code} in
	// the path names the tenant to read.
	reachAgency
	// reachAnywhere checks the permission in any domain the caller holds a
	// grant in; the use case checks the specific domain of what it touches.
	reachAnywhere
)

// Rule is a route's authorisation rule.
type Rule struct {
	reach  reach
	object string
	action string
	// oneTime lets a caller still holding a one-time password through.
	oneTime bool
}

var (
	// Public is the rule of a route anyone may call.
	Public = Rule{reach: reachPublic}
	// Self is the rule of a route any signed-in caller may call.
	Self = Rule{reach: reachSelf}
	// OwnPassword is the rule of the few routes a caller signed in with a
	// one-time password may call: who am I, sign out, set my password.
	OwnPassword = Rule{reach: reachSelf, oneTime: true}
)

// MustChangePassword is the field error code of a request refused because
// its caller still holds a one-time password; the web app sends the
// browser to set its own.
const MustChangePassword = "password.must_change"

// InTenant checks obj/act in the kecamatan {code} or kelurahan under it.
func InTenant(obj, act string) Rule { return Rule{reach: reachTenant, object: obj, action: act} }

// inKelurahan checks obj/act in the kelurahan {kelurahan}.
func inKelurahan(obj, act string) Rule { return Rule{reach: reachKelurahan, object: obj, action: act} }

// Anywhere checks obj/act in any domain the caller holds a grant in.
func Anywhere(obj, act string) Rule { return Rule{reach: reachAnywhere, object: obj, action: act} }

// InAgency checks obj/act in the agency {agency}.
func InAgency(obj, act string) Rule { return Rule{reach: reachAgency, object: obj, action: act} }

// authorize enforces a route's Rule, then resolves the request once into a
// Request in the context.
func (s *Server) authorize(ru Rule) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rq := &Request{Caller: usecase.Caller{Now: time.Now()}}
			if ru.reach != reachPublic {
				if !s.decide(w, r, ru, rq) {
					return
				}
			}
			if x := exchangeOf(r.Context()); x != nil {
				x.request = rq
			}
			next.ServeHTTP(w, r)
		})
	}
}

// decide checks the rule and resolves the tenant into rq. It reports false
// when it has answered the request. The decision is in memory: it marks the
// server span (slrt.authz.decision) rather than making one of its own; the
// tenant's lookup is in memory too (the informer's cache).
func (s *Server) decide(w http.ResponseWriter, r *http.Request, ru Rule, rq *Request) bool {
	ctx := r.Context()
	p := principalFrom(ctx)
	if p == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="slrt"`)
		problem(w, r, http.StatusUnauthorized, "Sign in first: a session cookie or an API token.")
		return false
	}
	id := p.Account.ID
	rq.Principal, rq.Account, rq.Username = p, id, p.Account.Username
	if p.Account.MustChangePassword && !ru.oneTime {
		problem(w, r, http.StatusForbidden, "Set your own password first: this one was given for one sign-in.",
			FieldError{Field: "/password", Code: MustChangePassword, Message: "set your own password (PUT /api/v1/me/password)"})
		return false
	}
	switch ru.reach {
	case reachSelf:
	case reachAnywhere:
		allowed := s.authz.AllowedAnywhere(id, ru.object, ru.action)
		s.metrics.decided(ctx, allowed)
		if !allowed {
			s.deny(w, r, "")
			return false
		}
	case reachAgency:
		rq.Agency = chi.URLParam(r, "agency")
		domain := authz.AgencyPrefix + rq.Agency
		if authz.DomainLevel(domain) != authz.LevelAgency {
			problem(w, r, http.StatusNotFound, "No such agency.")
			return false
		}
		allowed := s.authz.Allowed(id, domain, ru.object, ru.action)
		s.metrics.decided(ctx, allowed)
		if !allowed {
			s.deny(w, r, "")
			return false
		}
		if code := chi.URLParam(r, "code"); code != "" {
			if authz.DomainLevel(code) != authz.LevelKecamatan {
				problem(w, r, http.StatusNotFound, "No such kecamatan.")
				return false
			}
			noteTenant(ctx, code)
			return s.resolveTenant(ctx, w, r, code, rq)
		}
	case reachTenant, reachKelurahan:
		code := chi.URLParam(r, "code")
		if authz.DomainLevel(code) != authz.LevelKecamatan {
			problem(w, r, http.StatusNotFound, "No such kecamatan.")
			return false
		}
		noteTenant(ctx, code)
		var domains []string
		if ru.reach == reachTenant {
			domains = s.authz.AllowedWithin(id, code, ru.object, ru.action)
		} else {
			kel := chi.URLParam(r, "kelurahan")
			if authz.DomainLevel(kel) != authz.LevelKelurahan || !authz.Covers(code, kel) {
				problem(w, r, http.StatusNotFound, "No such kelurahan in this kecamatan.")
				return false
			}
			if s.authz.Allowed(id, kel, ru.object, ru.action) {
				domains = []string{kel}
			}
		}
		s.metrics.decided(ctx, len(domains) > 0)
		if len(domains) == 0 {
			s.deny(w, r, code)
			return false
		}
		rq.Domains, rq.Scope = domains, scope(code, domains)
		return s.resolveTenant(ctx, w, r, code, rq)
	}
	return true
}

// resolveTenant finds the kecamatan code's tenant for rq, answering when
// it cannot serve.
func (s *Server) resolveTenant(ctx context.Context, w http.ResponseWriter, r *http.Request, code string, rq *Request) bool {
	t, err := s.tenants.Lookup(ctx, code)
	if err != nil {
		tenantProblem(w, r, err)
		return false
	}
	rq.Tenant = t
	return true
}

// deny answers 403 and records the refusal in the audit log.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, tenantCode string) {
	_ = s.audit(r, tenantCode, "denied")
	problem(w, r, http.StatusForbidden, "Your roles do not allow this here.")
}

// tenantProblem answers for a tenant that cannot serve.
func tenantProblem(w http.ResponseWriter, r *http.Request, err error) {
	var nse *tenant.NotServingError
	switch {
	case errors.Is(err, tenant.ErrUnknown):
		problem(w, r, http.StatusNotFound, "No such kecamatan.")
	case errors.As(err, &nse) && nse.Suspended:
		problem(w, r, http.StatusLocked, nse.Message)
	case errors.As(err, &nse):
		w.Header().Set("Retry-After", "30")
		problem(w, r, http.StatusServiceUnavailable, "The kecamatan cannot serve yet ("+nse.Reason+"): "+nse.Message)
	case errors.Is(err, tenant.ErrBudgetExhausted):
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "The platform is at its database connection budget; try again shortly.")
	default:
		serverError(w, r, err)
	}
}
