package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/registry"
)

// personSearch finds persons by exact NIK or No KK, or by name tolerating
// spelling variants, within the kelurahan the caller may read. It is a POST
// so that a NIK never appears in a URL (and so in no access log); results
// are masked.
func (s *Server) personSearch(w http.ResponseWriter, r *http.Request) {
	var q registry.Query
	if !decodeJSON(w, r, &q) {
		return
	}
	found, next, err := s.app.SearchPersons(r.Context(), &RequestOf(r).Caller, &q)
	s.answer(w, r, Page[registry.Found]{Items: found, NextCursor: next}, err)
}
