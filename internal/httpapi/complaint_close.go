package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintClose closes a case with its outcome (koordinator). Referrals
// still open keep it open.
func (s *Server) complaintClose(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var in casework.Closing
	if !decodeJSON(w, r, &in) {
		return
	}
	c, err := s.app.CloseCase(r.Context(), &RequestOf(r).Caller, id, &in)
	s.answer(w, r, c, err)
}
