package httpapi

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/auditlog"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// auditWrites records every write with its outcome. The entry is made
// before the handler runs and travels in its context: a write to a
// kecamatan's database stages it in the same transaction (auditlog), and
// it is shipped to the audit log here; a request that wrote nothing there
// (refused, failed, or a write to the control database) has its entry
// written here.
func (s *Server) auditWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pending := auditlog.New(*s.entryOf(r, chi.URLParam(r, "code"), ""))
		next.ServeHTTP(w, r.WithContext(auditlog.With(r.Context(), pending)))
		status := 0
		if x := exchangeOf(r.Context()); x != nil {
			status = x.status
		}
		ctx, cancel := auditContext(r)
		defer cancel()
		if code := pending.StagedIn(); code != "" {
			s.app.ShipAudit(ctx, code, pending.Entry("success"))
			return
		}
		outcome := "success"
		switch {
		case status == http.StatusForbidden || status == http.StatusUnauthorized:
			outcome = "denied"
		case status >= 400:
			outcome = "failure"
		}
		_ = s.keep(ctx, r, pending.Entry(outcome))
	})
}

// auditContext bounds an audit write without the request's own deadline
// or cancellation: a cancelled request still happened.
func auditContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
}

// audit appends an entry for the request.
func (s *Server) audit(r *http.Request, tenantCode, outcome string) error {
	ctx, cancel := auditContext(r)
	defer cancel()
	return s.keep(ctx, r, s.entryOf(r, tenantCode, outcome))
}

// keep writes e to the audit log or, when the control database cannot
// take it, to the outbox of the request's kecamatan, whence it is shipped
// later. Only when both fail is the entry lost, and the caller told.
func (s *Server) keep(ctx context.Context, r *http.Request, e *store.AuditEntry) error {
	err := s.store.AppendAudit(ctx, e)
	if err == nil {
		return nil
	}
	if rq := RequestOf(r); rq.Tenant != nil && s.app.StageAudit(ctx, &rq.Caller, e) == nil {
		return nil
	}
	logAuditFailure(r, err)
	return err
}

// entryOf is the request's audit entry. The object is the route pattern
// with its parameters, never a request body.
func (s *Server) entryOf(r *http.Request, tenantCode, outcome string) *store.AuditEntry {
	rctx := chi.RouteContext(r.Context())
	e := &store.AuditEntry{
		RequestID: RequestID(r.Context()),
		Tenant:    tenantCode,
		Kelurahan: chi.URLParam(r, "kelurahan"),
		Action:    r.Method + " " + rctx.RoutePattern(),
		Object:    objectOf(rctx),
		Outcome:   outcome,
		Purpose:   r.Header.Get("X-Purpose"),
		ClientIP:  r.RemoteAddr,
		EntryID:   auditlog.NewID(),
	}
	if p := principalFrom(r.Context()); p != nil {
		id := p.Account.ID
		e.AccountID, e.Username = &id, p.Account.Username
		e.Roles = usecase.RolesString(s.authz.Grants(id))
	}
	return e
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
// by the request, before the record is answered: staff can be asked why
// they opened it. An error means the entry could not be kept anywhere;
// the record must not be shown (answer it with Fail: 503).
func (s *Server) Audit(r *http.Request) error {
	return s.audit(r, RequestOf(r).Kecamatan(), "success")
}
