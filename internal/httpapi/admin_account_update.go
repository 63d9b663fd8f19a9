package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/alexedwards/argon2id"
	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
)

type accountUpdateRequest struct {
	DisplayName *string `json:"displayName,omitempty"`
	Disabled    *bool   `json:"disabled,omitempty"`
	Password    *string `json:"password,omitempty"`
}

// adminAccountUpdate renames, disables, enables an account or sets its
// password. Disabling ends its access at once: sessions and tokens stop
// working and its grants leave every replica's authoriser.
func (s *Server) adminAccountUpdate(w http.ResponseWriter, r *http.Request) {
	var req accountUpdateRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	acct, ok := s.accountFromURL(w, r)
	if !ok {
		return
	}
	name, disabled := acct.DisplayName, acct.Disabled
	var errs []FieldError
	if req.DisplayName != nil {
		if name = strings.TrimSpace(*req.DisplayName); name == "" || len(name) > 200 {
			errs = append(errs, FieldError{Field: "/displayName", Code: "account.display_name", Message: "1 to 200 characters"})
		}
	}
	if req.Disabled != nil {
		disabled = *req.Disabled
	}
	if req.Password != nil {
		if fe := checkPassword("/password", *req.Password, acct.Username); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		invalid(w, r, errs...)
		return
	}
	if req.Password != nil {
		hash, err := argon2id.CreateHash(*req.Password, argon2id.DefaultParams)
		if err == nil {
			err = s.store.SetPasswordHash(r.Context(), acct.ID, hash)
		}
		if err != nil {
			serverError(w, r, err)
			return
		}
	}
	updated, err := s.store.UpdateAccount(r.Context(), acct.ID, name, disabled)
	s.auth.flush()
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, updated)
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
