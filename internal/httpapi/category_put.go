package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

type categoryPutRequest struct {
	Name     string `json:"name"`
	Active   *bool  `json:"active,omitempty"`
	Position int    `json:"position"`
	Reason   string `json:"reason"`
}

// categoryPut creates or replaces a complaint category (Dinas Sosial). A
// category is retired by making it inactive: complaints keep their code.
func (s *Server) categoryPut(w http.ResponseWriter, r *http.Request) {
	var req categoryPutRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	in := &usecase.CategoryEdit{Category: store.Category{Code: chi.URLParam(r, "category"), Name: req.Name,
		Active: req.Active == nil || *req.Active, Position: req.Position}, Reason: req.Reason}
	created, err := s.app.PutCategory(r.Context(), &RequestOf(r).Caller, in)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, putStatus(created), in.Category)
}
