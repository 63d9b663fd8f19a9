package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// adminTokenList lists an account's API tokens.
func (s *Server) adminTokenList(w http.ResponseWriter, r *http.Request) {
	acct, ok := s.accountFromURL(w, r)
	if !ok {
		return
	}
	tokens, err := s.store.ListTokens(r.Context(), acct.ID)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[*store.Token]{Items: tokens})
}

// adminTokenRevoke revokes any account's token.
func (s *Server) adminTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(w, r)
	if !ok {
		return
	}
	s.revokeToken(w, r, id)
}
