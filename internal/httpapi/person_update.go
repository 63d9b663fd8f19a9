package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/registry"
)

// personUpdate changes a person's record, or moves the person into another
// household (the old membership is closed and kept as history).
func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var ch registry.PersonChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	p, err := s.app.UpdatePerson(r.Context(), &RequestOf(r).Caller, id, &ch)
	s.answer(w, r, p, err)
}
