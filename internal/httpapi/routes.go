package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/pgadmin"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/tenant"
)

// Scope says where a route's permission is checked.
type Scope int

const (
	// ScopePublic needs no caller.
	ScopePublic Scope = iota
	// ScopeSelf needs a caller and acts on the caller's own things.
	ScopeSelf
	// ScopeTenant checks the permission in the kecamatan {code}, or in the
	// kelurahan under it the caller holds it in (rows are filtered to those).
	ScopeTenant
	// ScopeKelurahan checks the permission in the kelurahan {kelurahan}.
	ScopeKelurahan
	// ScopeAgency checks the permission in the agency {agency}; a {code} in
	// the path names the tenant to read.
	ScopeAgency
	// ScopeAnywhere checks the permission in any domain the caller holds a
	// grant in; the handler checks the specific domain of what it touches.
	ScopeAnywhere
)

// Rule is a route's authorisation rule.
type Rule struct {
	Scope  Scope
	Object string
	Action string
}

var (
	public = Rule{Scope: ScopePublic}
	self   = Rule{Scope: ScopeSelf}
)

func inTenant(obj, act string) Rule    { return Rule{ScopeTenant, obj, act} }
func inKelurahan(obj, act string) Rule { return Rule{ScopeKelurahan, obj, act} }
func anywhere(obj, act string) Rule    { return Rule{ScopeAnywhere, obj, act} }
func inAgency(obj, act string) Rule    { return Rule{ScopeAgency, obj, act} }

// routes registers each route with its Rule, so that no route exists
// without one.
type routes struct {
	chi.Router
	s     *Server
	rules map[string]Rule
	// web marks the web app's pages, which openapi.json does not describe.
	web map[string]bool
}

func (rt *routes) handle(method, pattern string, ru Rule, h http.HandlerFunc, mw ...func(http.Handler) http.Handler) {
	rt.add(method, pattern, ru, h, append([]func(http.Handler) http.Handler{middleware.Timeout(rt.s.cfg.RequestTimeout)}, mw...), validateRequest)
}

// handleWeb registers a page of the web app: the same rules, a ?lang=
// choice kept in a cookie, and forms refused when a browser says they come
// from another site (with the session's CSRF token on top).
func (rt *routes) handleWeb(method, pattern string, ru Rule, h http.HandlerFunc, mw ...func(http.Handler) http.Handler) {
	rt.web[method+" "+pattern] = true
	before := []func(http.Handler) http.Handler{middleware.Timeout(rt.s.cfg.RequestTimeout), rt.s.chooseLanguage}
	if method != http.MethodGet {
		before = append(before, crossOrigin.Handler)
	}
	rt.add(method, pattern, ru, h, append(before, mw...))
}

// handleBulk registers a route whose body or answer is a file streamed
// through: a longer deadline, and its handler checks its own input.
func (rt *routes) handleBulk(method, pattern string, ru Rule, h http.HandlerFunc) {
	rt.add(method, pattern, ru, h, []func(http.Handler) http.Handler{middleware.Timeout(rt.s.cfg.BulkTimeout)})
}

func (rt *routes) add(method, pattern string, ru Rule, h http.HandlerFunc, before []func(http.Handler) http.Handler, after ...func(http.Handler) http.Handler) {
	rt.rules[method+" "+pattern] = ru
	chain := append(append(before, rt.s.authorize(ru)), after...)
	if method != http.MethodGet {
		chain = append(chain, rt.s.auditWrites)
	}
	rt.With(chain...).Method(method, pattern, h)
}

type tenantKey struct{}
type domainsKey struct{}

// tenantFrom returns the tenant the request was routed to.
func tenantFrom(ctx context.Context) *tenant.Tenant {
	t, _ := ctx.Value(tenantKey{}).(*tenant.Tenant)
	return t
}

// allowedDomains returns where, inside the tenant, the caller may act: the
// kecamatan code itself, or the kelurahan codes it holds the permission in.
func allowedDomains(ctx context.Context) []string {
	d, _ := ctx.Value(domainsKey{}).([]string)
	return d
}

// authorize enforces a route's Rule, then resolves its tenant.
func (s *Server) authorize(ru Rule) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ru.Scope == ScopePublic {
				next.ServeHTTP(w, r)
				return
			}
			ctx, ok := s.decide(w, r, ru)
			if !ok {
				return
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// decide checks the rule and resolves the tenant, in a span of its own. It
// returns the request's context with the tenant added, or false when it has
// answered the request.
func (s *Server) decide(w http.ResponseWriter, r *http.Request, ru Rule) (context.Context, bool) {
	reqCtx := r.Context()
	spanCtx, span := tracer.Start(reqCtx, "authorize")
	defer span.End()
	r = r.WithContext(spanCtx)
	p := principalFrom(reqCtx)
	if p == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="slrt"`)
		problem(w, r, http.StatusUnauthorized, "Sign in first: a session cookie or an API token.")
		return nil, false
	}
	id := p.Account.ID
	switch ru.Scope {
	case ScopeSelf:
	case ScopeAnywhere:
		allowed := s.authz.AllowedAnywhere(id, ru.Object, ru.Action)
		s.metrics.decided(spanCtx, allowed)
		if !allowed {
			s.deny(w, r, "")
			return nil, false
		}
	case ScopeAgency:
		domain := authz.AgencyPrefix + chi.URLParam(r, "agency")
		if authz.DomainLevel(domain) != authz.LevelAgency {
			problem(w, r, http.StatusNotFound, "No such agency.")
			return nil, false
		}
		allowed := s.authz.Allowed(id, domain, ru.Object, ru.Action)
		s.metrics.decided(spanCtx, allowed)
		if !allowed {
			s.deny(w, r, "")
			return nil, false
		}
		if code := chi.URLParam(r, "code"); code != "" {
			if authz.DomainLevel(code) != authz.LevelKecamatan {
				problem(w, r, http.StatusNotFound, "No such kecamatan.")
				return nil, false
			}
			noteTenant(reqCtx, code)
			t, err := s.tenants.Lookup(spanCtx, code)
			if err != nil {
				tenantProblem(w, r, err)
				return nil, false
			}
			reqCtx = context.WithValue(reqCtx, tenantKey{}, t)
		}
	case ScopeTenant, ScopeKelurahan:
		code := chi.URLParam(r, "code")
		if authz.DomainLevel(code) != authz.LevelKecamatan {
			problem(w, r, http.StatusNotFound, "No such kecamatan.")
			return nil, false
		}
		span.SetAttributes(attrTenant.String(code))
		noteTenant(reqCtx, code)
		var domains []string
		if ru.Scope == ScopeTenant {
			domains = s.authz.AllowedWithin(id, code, ru.Object, ru.Action)
		} else {
			kel := chi.URLParam(r, "kelurahan")
			if authz.DomainLevel(kel) != authz.LevelKelurahan || !authz.Covers(code, kel) {
				problem(w, r, http.StatusNotFound, "No such kelurahan in this kecamatan.")
				return nil, false
			}
			if s.authz.Allowed(id, kel, ru.Object, ru.Action) {
				domains = []string{kel}
			}
		}
		s.metrics.decided(spanCtx, len(domains) > 0)
		if len(domains) == 0 {
			s.deny(w, r, code)
			return nil, false
		}
		t, err := s.tenants.Lookup(spanCtx, code)
		if err != nil {
			tenantProblem(w, r, err)
			return nil, false
		}
		reqCtx = context.WithValue(reqCtx, tenantKey{}, t)
		reqCtx = context.WithValue(reqCtx, domainsKey{}, domains)
	}
	return reqCtx, true
}

// deny answers 403 and records the refusal in the audit log.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, tenantCode string) {
	s.audit(r, tenantCode, "denied")
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

// withTenantDB runs fn on a connection to the request's tenant database;
// an unreachable database is a 503 for this tenant alone. When the
// connection turns out dead (the server restarted or failed over), the
// tenant's pool drops its other connections, and a read that has written
// nothing yet is run once more on a fresh one.
func (s *Server) withTenantDB(w http.ResponseWriter, r *http.Request, fn func(conn tenantConn) error) {
	t := tenantFrom(r.Context())
	for attempt := 1; ; attempt++ {
		conn, err := s.tenants.Acquire(r.Context(), t)
		if err != nil {
			if errors.Is(err, tenant.ErrBudgetExhausted) {
				tenantProblem(w, r, err)
				return
			}
			w.Header().Set("Retry-After", "30")
			problem(w, r, http.StatusServiceUnavailable, "The database of this kecamatan cannot be reached; other kecamatan are not affected.")
			return
		}
		err = fn(conn)
		conn.Release()
		switch {
		case err == nil:
			return
		case !pgadmin.IsUnreachable(err):
			serverError(w, r, err)
			return
		case r.Context().Err() == nil: // the connection died, not the request
			s.tenants.Reset(t)
			if attempt == 1 && r.Method == http.MethodGet && !written(w) {
				continue
			}
		}
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "The database of this kecamatan went away; try again.")
		return
	}
}

// written reports whether a response has begun (or might have: a writer
// that cannot tell counts as written).
func written(w http.ResponseWriter) bool {
	ww, ok := w.(middleware.WrapResponseWriter)
	return !ok || ww.Status() != 0 || ww.BytesWritten() != 0
}

// auditWrites records every write with its outcome.
func (s *Server) auditWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		outcome := "success"
		switch {
		case ww.Status() == http.StatusForbidden || ww.Status() == http.StatusUnauthorized:
			outcome = "denied"
		case ww.Status() >= 400:
			outcome = "failure"
		}
		s.audit(r, chi.URLParam(r, "code"), outcome)
	})
}

// audit appends an entry for the request. The object is the route pattern
// with its parameters, never a request body.
func (s *Server) audit(r *http.Request, tenantCode, outcome string) {
	rctx := chi.RouteContext(r.Context())
	e := &store.AuditEntry{
		RequestID: middleware.GetReqID(r.Context()),
		Tenant:    tenantCode,
		Kelurahan: chi.URLParam(r, "kelurahan"),
		Action:    r.Method + " " + rctx.RoutePattern(),
		Object:    objectOf(rctx),
		Outcome:   outcome,
		Purpose:   r.Header.Get("X-Purpose"),
		ClientIP:  r.RemoteAddr,
	}
	if p := principalFrom(r.Context()); p != nil {
		id := p.Account.ID
		e.AccountID, e.Username = &id, p.Account.Username
		e.Roles = rolesString(s.authz.Grants(id))
	}
	// The audit write must not depend on the request's own deadline or
	// cancellation: a cancelled request still happened.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
	defer cancel()
	if err := s.store.AppendAudit(ctx, e); err != nil {
		logAuditFailure(r, err)
	}
}

func objectOf(rctx *chi.Context) string {
	out := ""
	for i, k := range rctx.URLParams.Keys {
		if k == "*" {
			continue
		}
		if out != "" {
			out += ","
		}
		out += k + "=" + rctx.URLParams.Values[i]
	}
	return out
}

func parseID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		problem(w, r, http.StatusNotFound, "No such id.")
		return 0, false
	}
	return id, true
}
