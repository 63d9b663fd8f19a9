package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/registry"
)

// householdUpdate changes a household's socio-economic data or its house.
func (s *Server) householdUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	var ch registry.HouseholdChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	h, err := s.app.UpdateHousehold(r.Context(), &RequestOf(r).Caller, id, &ch)
	s.answer(w, r, h, err)
}
