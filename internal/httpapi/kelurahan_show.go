package httpapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// kelurahanShow returns one kelurahan of the kecamatan.
func (s *Server) kelurahanShow(w http.ResponseWriter, r *http.Request) {
	k, err := s.app.OneKelurahan(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "kelurahan"))
	if errors.Is(err, registry.ErrNotFound) {
		problem(w, r, http.StatusNotFound, "No such kelurahan in this kecamatan.")
		return
	}
	s.answer(w, r, k, err)
}
