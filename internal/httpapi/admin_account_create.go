package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminAccountCreate creates a staff account: with a password city IT
// chose, a one-time password generated and answered once
// (oneTimePassword: true), or none (an identity provider's account).
func (s *Server) adminAccountCreate(w http.ResponseWriter, r *http.Request) {
	var in usecase.NewAccount
	if !decodeJSON(w, r, &in) {
		return
	}
	out, err := s.app.CreateAccount(r.Context(), &RequestOf(r).Caller, &in)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}
