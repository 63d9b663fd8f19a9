package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminGrantCreate gives an account a role in a domain.
func (s *Server) adminGrantCreate(w http.ResponseWriter, r *http.Request) {
	var in usecase.NewGrant
	if !decodeJSON(w, r, &in) {
		return
	}
	g, err := s.app.Grant(r.Context(), &RequestOf(r).Caller, &in)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}
