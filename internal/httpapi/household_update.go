package httpapi

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// householdUpdate changes a household's socio-economic data or its house.
func (s *Server) householdUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var ch registry.HouseholdChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	scope := scopeOf(r.Context())
	s.writeInTenant(w, r, func(tx pgx.Tx) error {
		return registry.UpdateHousehold(r.Context(), tx, id, &ch, scope)
	}, func(conn tenantConn) (any, error) {
		return registry.GetHousehold(r.Context(), conn, id, scope)
	})
}
