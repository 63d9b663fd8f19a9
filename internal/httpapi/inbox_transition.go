package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// inboxTransition moves a referral on the agency side: accept or reject
// (with a reason), start, complete, or record a failure (with a reason).
func (s *Server) inboxTransition(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var ch casework.Change
	if !decodeJSON(w, r, &ch) {
		return
	}
	rq := RequestOf(r)
	ref, err := s.app.MoveReferralAsAgency(r.Context(), &rq.Caller, rq.Agency, id, &ch)
	s.answer(w, r, ref, err)
}
