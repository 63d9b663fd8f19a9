package httpapi

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/alexedwards/argon2id"

	"github.com/slrt-id/slrt/internal/store"
)

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

type accountCreateRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	// Password is optional: an account without one signs in only through an
	// identity provider, once one is configured.
	Password string `json:"password"`
}

// adminAccountCreate creates a staff account.
func (s *Server) adminAccountCreate(w http.ResponseWriter, r *http.Request) {
	var req accountCreateRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	req.DisplayName = strings.TrimSpace(req.DisplayName)
	var errs []FieldError
	if !usernameRe.MatchString(req.Username) {
		errs = append(errs, FieldError{Field: "/username", Code: "account.username", Message: "3 to 64 of a-z, 0-9, dot, dash, underscore"})
	}
	if req.DisplayName == "" || len(req.DisplayName) > 200 {
		errs = append(errs, FieldError{Field: "/displayName", Code: "account.display_name", Message: "1 to 200 characters"})
	}
	if req.Password != "" {
		if fe := checkPassword("/password", req.Password, req.Username); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		invalid(w, r, errs...)
		return
	}
	hash := ""
	if req.Password != "" {
		var err error
		if hash, err = argon2id.CreateHash(req.Password, argon2id.DefaultParams); err != nil {
			serverError(w, r, err)
			return
		}
	}
	acct, err := s.store.CreateAccount(r.Context(), req.Username, req.DisplayName, hash)
	if errors.Is(err, store.ErrConflict) {
		problem(w, r, http.StatusConflict, "The username is taken.", FieldError{Field: "/username", Code: "account.username_taken", Message: "taken"})
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, acct)
}
