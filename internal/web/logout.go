package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// logout ends the session and goes back to the sign-in page; an account
// linked to the city's identity provider goes through the provider's
// logout first, so that its session there ends too.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	principal := httpapi.RequestOf(r).Principal
	if principal.Via == "session" {
		if err := h.http.SignOut(w, r, principal); err != nil {
			h.http.Fail(w, r, err)
			return
		}
	}
	back := h.http.PublicURL(r) + "/masuk"
	if p := h.http.OIDC(); p != nil && principal.Account.OIDCSubject != "" {
		if to := p.LogoutURL(r.Context(), back); to != "" {
			v := newPage(r, "logout.title")
			v.User, v.CSRF, v.RefreshTo = "", "", to
			render(w, r, http.StatusOK, keluarSSO(v, to))
			return
		}
	}
	http.Redirect(w, r, "/masuk", http.StatusSeeOther)
}
