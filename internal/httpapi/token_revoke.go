package httpapi

import (
	"errors"
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// tokenRevoke revokes one of the caller's own tokens.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	tok, err := s.store.TokenByID(r.Context(), id)
	// Another account's token is as absent as a missing one.
	if errors.Is(err, store.ErrNotFound) || (err == nil && tok.AccountID != principalFrom(r.Context()).Account.ID) {
		problem(w, r, http.StatusNotFound, "No such token.")
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	s.revokeToken(w, r, id)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, id int64) {
	tok, err := s.store.RevokeToken(r.Context(), id)
	// This replica stops trusting it now; the others on the notification.
	s.auth.flush()
	if errors.Is(err, store.ErrNotFound) {
		problem(w, r, http.StatusNotFound, "No such token.")
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tok)
}
