package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// inboxTransition moves a referral on the agency side: accept or reject
// (with a reason), start, complete, or record a failure (with a reason).
func (s *Server) inboxTransition(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var ch casework.Change
	if !decodeJSON(w, r, &ch) {
		return
	}
	code, agency := chi.URLParam(r, "code"), chi.URLParam(r, "agency")
	s.transition(w, r, id, &ch, rujukan.Agency, casework.Where{Agency: agency},
		func(rujukan.Step, string) bool { return false }, // the agency side takes no decision steps
		answerJSON(w, func(conn tenantConn) (any, error) {
			return casework.GetForAgency(r.Context(), conn, code, agency, id, today())
		}))
}
