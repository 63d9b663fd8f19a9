package httpapi

import "net/http"

// householdShow returns a household with its house and members' full NIK:
// a full record, so the read is audited (with the X-Purpose header's
// purpose, when given).
func (s *Server) householdShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	h, err := s.app.Household(r.Context(), &RequestOf(r).Caller, id)
	s.answerAudited(w, r, h, err)
}
