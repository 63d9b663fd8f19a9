package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/slrt-id/slrt/internal/store"
)

// auditList queries the audit log, newest first, with filters: username,
// tenant, action, outcome, from and to (RFC 3339), cursor (an id), limit.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := store.AuditFilter{Username: q.Get("username"), Tenant: q.Get("tenant"), Action: q.Get("action"),
		Outcome: q.Get("outcome"), Limit: limit + 1}
	var errs []FieldError
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if raw := q.Get(t.name); raw != "" {
			v, err := time.Parse(time.RFC3339, raw)
			if err != nil {
				errs = append(errs, FieldError{Field: t.name, Code: "audit.time", Message: "an RFC 3339 time"})
			}
			*t.dst = v
		}
	}
	if raw := q.Get("cursor"); raw != "" {
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			errs = append(errs, FieldError{Field: "cursor", Code: "page.cursor", Message: "a cursor from a previous page"})
		}
		f.Before = v
	}
	if len(errs) > 0 {
		invalid(w, r, errs...)
		return
	}
	entries, err := s.app.AuditLog(r.Context(), f)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(entries, limit, func(e *store.AuditEntry) string { return strconv.FormatInt(e.ID, 10) }))
}

// auditReads answers who read or changed a resident's records, in every
// kecamatan holding the NIK sent in the body (never in the address). The
// lookup is audited, without the NIK.
func (s *Server) auditReads(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NIK string `json:"nik"`
	}
	if !decodeJSON(w, r, &in) {
		return
	}
	out, err := s.app.ReadsOfPerson(r.Context(), &RequestOf(r).Caller, in.NIK)
	if err == nil {
		err = s.Audit(r)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
