package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/store"
)

type tokenCreateRequest struct {
	Name string `json:"name"`
	// ExpiresInDays defaults to 90.
	ExpiresInDays int `json:"expiresInDays"`
}

type tokenCreateResponse struct {
	Token *store.Token `json:"token"`
	// Secret is shown once; only its hash is kept.
	Secret string `json:"secret"`
}

// tokenCreate issues an API token for the caller.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request) {
	var req tokenCreateRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.ExpiresInDays == 0 {
		req.ExpiresInDays = 90
	}
	maxDays := int(s.cfg.MaxTokenTTL / (24 * time.Hour))
	var errs []FieldError
	if req.Name == "" || len(req.Name) > 100 {
		errs = append(errs, FieldError{Field: "/name", Code: "token.name", Message: "1 to 100 characters"})
	}
	if req.ExpiresInDays < 1 || req.ExpiresInDays > maxDays {
		errs = append(errs, FieldError{Field: "/expiresInDays", Code: "token.expiry", Message: "between 1 and the platform's maximum"})
	}
	if len(errs) > 0 {
		invalid(w, r, errs...)
		return
	}
	tok, secret, err := s.store.CreateToken(r.Context(), principalFrom(r.Context()).Account.ID, req.Name,
		time.Duration(req.ExpiresInDays)*24*time.Hour)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tokenCreateResponse{Token: tok, Secret: secret})
}
