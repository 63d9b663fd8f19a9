package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
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
	s.agencyTransition(w, r, id, &ch, answerJSON(w, func(conn tenantConn) (any, error) {
		return casework.GetForAgency(r.Context(), conn, chi.URLParam(r, "code"), chi.URLParam(r, "agency"), id, today())
	}))
}
