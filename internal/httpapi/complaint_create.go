package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintCreate records a complaint (keluhan) about a registered person.
func (s *Server) complaintCreate(w http.ResponseWriter, r *http.Request) {
	var in casework.NewComplaint
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.RecordComplaint(r.Context(), &RequestOf(r).Caller, &in, once)
	s.answerCreated(w, r, out, err, at(r, "keluhan"))
}
