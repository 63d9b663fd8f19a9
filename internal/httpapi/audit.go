package httpapi

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

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
		e.Roles = usecase.RolesString(s.authz.Grants(id))
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

// Audit records a read of a full record (a person, a case file, a letter)
// by the request: staff can be asked why they opened it.
func (s *Server) Audit(r *http.Request) {
	s.audit(r, RequestOf(r).Kecamatan(), "success")
}
