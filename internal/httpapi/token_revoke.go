package httpapi

import (
	"context"
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// tokenRevoke revokes one of the caller's own tokens.
func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	s.revokeToken(w, r, s.app.RevokeOwnToken)
}

// adminTokenRevoke revokes any account's token.
func (s *Server) adminTokenRevoke(w http.ResponseWriter, r *http.Request) {
	s.revokeToken(w, r, s.app.RevokeToken)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request,
	revoke func(context.Context, *usecase.Caller, int64) (*store.Token, error)) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	tok, err := revoke(r.Context(), &RequestOf(r).Caller, id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tok)
}
