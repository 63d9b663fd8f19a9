package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintEscalate sends a case the kelurahan cannot solve to Dinas
// Sosial (the koordinator's decision).
func (s *Server) complaintEscalate(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var in casework.NewEscalation
	if !decodeJSON(w, r, &in) {
		return
	}
	c, err := s.app.EscalateCase(r.Context(), &RequestOf(r).Caller, id, &in)
	s.answer(w, r, c, err)
}

// escalationTake is a Dinas Sosial officer taking an escalated case.
func (s *Server) escalationTake(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	c, err := s.app.TakeEscalation(r.Context(), &RequestOf(r).Caller, id)
	s.answer(w, r, c, err)
}

// escalationDecisionInput is Dinas Sosial's decision on a case it took.
type escalationDecisionInput struct {
	Decision string `json:"decision"`
}

// escalationDecide records Dinas Sosial's decision.
func (s *Server) escalationDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var in escalationDecisionInput
	if !decodeJSON(w, r, &in) {
		return
	}
	c, err := s.app.DecideEscalation(r.Context(), &RequestOf(r).Caller, id, in.Decision)
	s.answer(w, r, c, err)
}

// escalationQueue is the city's queue of escalated cases.
func (s *Server) escalationQueue(w http.ResponseWriter, r *http.Request) {
	q, err := s.app.EscalationQueue(r.Context(), &RequestOf(r).Caller)
	s.answer(w, r, q, err)
}
