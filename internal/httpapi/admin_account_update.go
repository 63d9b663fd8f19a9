package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminAccountUpdate renames, disables, enables an account or sets its
// password.
func (s *Server) adminAccountUpdate(w http.ResponseWriter, r *http.Request) {
	var ch usecase.AccountChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	acct, err := s.app.UpdateAccount(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "username"), &ch)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, acct)
}

// adminPasswordReset gives an account a one-time password, answered once.
func (s *Server) adminPasswordReset(w http.ResponseWriter, r *http.Request) {
	password, err := s.app.ResetPassword(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "username"))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"oneTimePassword": password})
}

// passwordChange sets the caller's own password.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) {
	var ch usecase.PasswordChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	if err := s.app.ChangeOwnPassword(r.Context(), &RequestOf(r).Caller, &ch); err != nil {
		s.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
