package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// referralTransition moves a referral on the Puskesos side: send a draft
// (koordinator), or cancel (a draft by any Puskesos staff; a sent referral
// by the koordinator, with a reason).
func (s *Server) referralTransition(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var ch casework.Change
	if !decodeJSON(w, r, &ch) {
		return
	}
	ref, err := s.app.MoveReferral(r.Context(), &RequestOf(r).Caller, id, &ch)
	s.answer(w, r, ref, err)
}
