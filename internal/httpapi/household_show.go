package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// householdShow returns a household with its house and members' full NIK:
// a full record, so the read is audited (with the X-Purpose header's
// purpose, when given).
func (s *Server) householdShow(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		h, err := registry.GetHousehold(r.Context(), conn, id, scopeOf(r.Context()))
		if err != nil {
			return err
		}
		s.audit(r, chi.URLParam(r, "code"), "success")
		writeJSON(w, http.StatusOK, h)
		return nil
	})
}
