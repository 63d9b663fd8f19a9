package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
)

type categoryPutRequest struct {
	Name     string `json:"name"`
	Active   *bool  `json:"active,omitempty"`
	Position int    `json:"position"`
}

// categoryPut creates or replaces a complaint category (Dinas Sosial). A
// category is retired by making it inactive: complaints keep their code.
func (s *Server) categoryPut(w http.ResponseWriter, r *http.Request) {
	var req categoryPutRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	c := &store.Category{Code: chi.URLParam(r, "category"), Name: req.Name, Active: req.Active == nil || *req.Active, Position: req.Position}
	isNew, err := s.store.PutCategory(r.Context(), c)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, putStatus(isNew), c)
}
