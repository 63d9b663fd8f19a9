package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/store"
)

type grantView struct {
	Role   authz.Role `json:"role"`
	Domain string     `json:"domain"`
}

type meResponse struct {
	Account *store.Account `json:"account"`
	Grants  []grantView    `json:"grants"`
	Via     string         `json:"via"`
	// CSRFToken is what unsafe requests made with the session cookie send
	// in the X-CSRF-Token header.
	CSRFToken string `json:"csrfToken,omitempty"`
}

// meShow returns the caller's own profile and grants.
func (s *Server) meShow(w http.ResponseWriter, r *http.Request) {
	p := principalFrom(r.Context())
	grants := []grantView{}
	for _, g := range s.authz.Grants(p.Account.ID) {
		grants = append(grants, grantView{Role: g.Role, Domain: g.Domain})
	}
	writeJSON(w, http.StatusOK, meResponse{Account: p.Account, Grants: grants, Via: p.Via, CSRFToken: p.CSRFToken})
}
