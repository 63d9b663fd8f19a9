package httpapi

import "net/http"

// referralShow returns a referral with its documents and history.
func (s *Server) referralShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	ref, err := s.app.Referral(r.Context(), &RequestOf(r).Caller, id)
	s.answer(w, r, ref, err)
}
