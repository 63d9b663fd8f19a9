package httpapi

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/store"
)

// complaintAssess records the back office's assessment: the documents the
// resident has and the recommended service; the registry facts are read
// from the household record at that moment.
func (s *Server) complaintAssess(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var in casework.AssessmentInput
	if !decodeJSON(w, r, &in) {
		return
	}
	if in.RecommendedService != nil {
		if _, err := s.store.Service(r.Context(), *in.RecommendedService); errors.Is(err, store.ErrNotFound) {
			invalid(w, r, FieldError{Field: "/recommendedService", Code: "service.unknown", Message: "not a service of the catalogue"})
			return
		} else if err != nil {
			serverError(w, r, err)
			return
		}
	}
	if len(in.DocumentsHeld) > 0 {
		known, err := s.store.DocumentTypes(r.Context(), in.DocumentsHeld)
		if err != nil {
			serverError(w, r, err)
			return
		}
		if len(known) != len(in.DocumentsHeld) {
			invalid(w, r, FieldError{Field: "/documentsHeld", Code: "document.unknown", Message: "holds a code that is not a document type; see GET /api/v1/layanan"})
			return
		}
	}
	actor := s.actorOf(r.Context())
	scope := scopeOf(r.Context())
	s.writeInTenant(w, r, func(tx pgx.Tx) error {
		return casework.Assess(r.Context(), tx, id, &in, actor, scope)
	}, s.afterComplaint(r, id))
}
