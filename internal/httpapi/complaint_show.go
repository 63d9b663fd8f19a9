package httpapi

import "net/http"

// complaintShow returns a complaint's case file. Its description and notes
// can hold health or family matters, so the read is audited.
func (s *Server) complaintShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	c, err := s.app.Complaint(r.Context(), &RequestOf(r).Caller, id)
	s.answerAudited(w, r, c, err)
}
