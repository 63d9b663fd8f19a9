package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// tokenList lists the caller's API tokens (never their secrets).
func (s *Server) tokenList(w http.ResponseWriter, r *http.Request) {
	s.writeTokens(w, r, principalFrom(r.Context()).Account.ID)
}

// writeTokens answers with an account's tokens.
func (s *Server) writeTokens(w http.ResponseWriter, r *http.Request, accountID int64) {
	tokens, err := s.store.ListTokens(r.Context(), accountID)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[*store.Token]{Items: tokens})
}
