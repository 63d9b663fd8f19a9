package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/usecase"
)

// followUpCreate records a follow-up (tindak lanjut) on a case; its
// location is the case.
func (s *Server) followUpCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var in casework.NewFollowUp
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.FollowUp(r.Context(), &RequestOf(r).Caller, id, &in, once)
	s.answerCreated(w, r, out, err, func(*usecase.Created) string { return location(r, "keluhan", id) })
}
