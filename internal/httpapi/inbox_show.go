package httpapi

import "net/http"

// inboxShow is one referral as its receiving agency sees it: documents,
// history, and of the resident only the fields the service shares. It
// carries personal data, so the read is audited.
func (s *Server) inboxShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	rq := RequestOf(r)
	ref, err := s.app.AgencyReferral(r.Context(), &rq.Caller, rq.Agency, id)
	s.answerAudited(w, r, ref, err)
}
