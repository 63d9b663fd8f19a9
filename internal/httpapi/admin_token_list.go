package httpapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
)

// adminTokenList lists an account's API tokens.
func (s *Server) adminTokenList(w http.ResponseWriter, r *http.Request) {
	acct, ok := s.accountFromURL(w, r)
	if !ok {
		return
	}
	s.writeTokens(w, r, acct.ID)
}

// accountFromURL loads the account {username} names, answering 404 or 500
// when it cannot.
func (s *Server) accountFromURL(w http.ResponseWriter, r *http.Request) (*store.Account, bool) {
	acct, err := s.store.AccountByUsername(r.Context(), chi.URLParam(r, "username"))
	if errors.Is(err, store.ErrNotFound) {
		problem(w, r, http.StatusNotFound, "No such account.")
		return nil, false
	}
	if err != nil {
		serverError(w, r, err)
		return nil, false
	}
	return acct, true
}
