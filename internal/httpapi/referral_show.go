package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
)

// referralShow returns a referral with its documents and history.
func (s *Server) referralShow(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		ref, err := casework.GetReferral(r.Context(), conn, id, scopeOf(r.Context()), today())
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ref)
		return nil
	})
}
