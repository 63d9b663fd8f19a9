package httpapi

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintCreate records a complaint (keluhan) about a registered person.
func (s *Server) complaintCreate(w http.ResponseWriter, r *http.Request) {
	var in casework.NewComplaint
	body, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	active, err := s.store.ActiveCategory(r.Context(), in.Category)
	if err != nil {
		serverError(w, r, err)
		return
	}
	if !active {
		invalid(w, r, FieldError{Field: "/category", Code: "complaint.category", Message: "not a complaint category in use; see GET /api/v1/kategori-keluhan"})
		return
	}
	actor := s.actorOf(r.Context())
	scope := scopeOf(r.Context())
	s.createInTenant(w, r, body, func(tx pgx.Tx) (*created, error) {
		id, err := casework.CreateComplaint(r.Context(), tx, &in, actor, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: id, Location: location(r, "keluhan", id)}, nil
	})
}
