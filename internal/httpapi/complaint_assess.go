package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintAssess records the back office's assessment: the documents the
// resident has and the recommended service; the registry facts are read
// from the household record at that moment.
func (s *Server) complaintAssess(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var in casework.AssessmentInput
	if !decodeJSON(w, r, &in) {
		return
	}
	c, err := s.app.Assess(r.Context(), &RequestOf(r).Caller, id, &in)
	s.answer(w, r, c, err)
}
