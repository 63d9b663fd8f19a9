package httpapi

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/registry"
)

// personUpdate changes a person's record, or moves the person into another
// household (the old membership is closed and kept as history).
func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var ch registry.PersonChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	scope := scopeOf(r.Context())
	actor := principalFrom(r.Context()).Account.ID
	s.writeInTenant(w, r, func(tx pgx.Tx) error {
		return registry.UpdatePerson(r.Context(), tx, id, &ch, actor, scope)
	}, func(conn tenantConn) (any, error) {
		return registry.GetPerson(r.Context(), conn, id, scope)
	})
}
