package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// personShow returns a person's full record (NIK unmasked, health and
// disability), so the read is audited with its purpose (X-Purpose).
func (s *Server) personShow(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		p, err := registry.GetPerson(r.Context(), conn, id, scopeOf(r.Context()))
		if err != nil {
			return err
		}
		s.audit(r, chi.URLParam(r, "code"), "success")
		writeJSON(w, http.StatusOK, p)
		return nil
	})
}
