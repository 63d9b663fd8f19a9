package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/store"
)

type grantCreateRequest struct {
	Username string     `json:"username"`
	Role     authz.Role `json:"role"`
	Domain   string     `json:"domain"`
}

// adminGrantCreate gives an account a role in a domain. The admin must hold
// grant-writing rights over that domain; the change reaches every replica
// through the control database's notification.
func (s *Server) adminGrantCreate(w http.ResponseWriter, r *http.Request) {
	var req grantCreateRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	var errs []FieldError
	level, known := authz.GrantLevel(req.Role)
	if !known {
		errs = append(errs, FieldError{Field: "/role", Code: "grant.role", Message: "one of petugas, koordinator, supervisor, dinsos, agency, admin, auditor"})
	} else if authz.DomainLevel(req.Domain) != level {
		errs = append(errs, FieldError{Field: "/domain", Code: "grant.domain_level", Message: "a " + level + " domain for role " + string(req.Role)})
	}
	if len(errs) > 0 {
		invalid(w, r, errs...)
		return
	}
	if !s.mayGrantIn(r, req.Domain) {
		s.deny(w, r, "")
		return
	}
	acct, err := s.store.AccountByUsername(r.Context(), req.Username)
	if errors.Is(err, store.ErrNotFound) {
		invalid(w, r, FieldError{Field: "/username", Code: "grant.username", Message: "no such account"})
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	g, err := s.store.CreateGrant(r.Context(), acct.ID, req.Role, req.Domain, principalFrom(r.Context()).Account.ID)
	if errors.Is(err, store.ErrConflict) {
		problem(w, r, http.StatusConflict, "The account already holds this role here.")
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

// mayGrantIn reports whether the caller may manage grants in domain: an area
// its admin grant covers, or any agency.
func (s *Server) mayGrantIn(r *http.Request, domain string) bool {
	id := principalFrom(r.Context()).Account.ID
	if strings.HasPrefix(domain, authz.AgencyPrefix) {
		return s.authz.AllowedAnywhere(id, "grant", "write")
	}
	return s.authz.Allowed(id, domain, "grant", "write")
}
