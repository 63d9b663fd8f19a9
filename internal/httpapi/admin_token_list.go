package httpapi

import "net/http"

// adminTokenList lists an account's API tokens.
func (s *Server) adminTokenList(w http.ResponseWriter, r *http.Request) {
	acct, ok := s.accountFromURL(w, r)
	if !ok {
		return
	}
	s.writeTokens(w, r, acct.ID)
}

// adminTokenRevoke revokes any account's token.
func (s *Server) adminTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.revokeToken(w, r, id)
}
