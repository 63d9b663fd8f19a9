package httpapi

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintClose closes a case with its outcome (koordinator). Referrals
// still open keep it open.
func (s *Server) complaintClose(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var in casework.Closing
	if !decodeJSON(w, r, &in) {
		return
	}
	actor := s.actorOf(r.Context())
	scope := scopeOf(r.Context())
	s.writeInTenant(w, r, func(tx pgx.Tx) error {
		return casework.Close(r.Context(), tx, id, &in, actor, scope)
	}, s.afterComplaint(r, id))
}
