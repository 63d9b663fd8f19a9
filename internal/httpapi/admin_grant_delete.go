package httpapi

import (
	"errors"
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// adminGrantDelete withdraws a grant; it stops working on every replica as
// soon as the notification arrives.
func (s *Server) adminGrantDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	g, err := s.store.GrantByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		problem(w, r, http.StatusNotFound, "No such grant.")
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	if !s.mayGrantIn(r, g.Domain) {
		s.deny(w, r, "")
		return
	}
	if err := s.store.DeleteGrant(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
