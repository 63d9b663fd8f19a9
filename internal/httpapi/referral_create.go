package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// referralCreate makes a draft referral for a complaint to a service of the
// catalogue, with its documents checklist and a tracking code. A koordinator
// sends it (POST .../status requested), which starts the SLA clock.
func (s *Server) referralCreate(w http.ResponseWriter, r *http.Request) {
	var in casework.NewReferral
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.DraftReferral(r.Context(), &RequestOf(r).Caller, &in, once)
	s.answerCreated(w, r, out, err, at(r, "rujukan"))
}
