package httpapi

import "net/http"

// personShow returns a person's full record (NIK unmasked, health and
// disability), so the read is audited with its purpose (X-Purpose).
func (s *Server) personShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	p, err := s.app.Person(r.Context(), &RequestOf(r).Caller, id)
	s.answerAudited(w, r, p, err)
}
