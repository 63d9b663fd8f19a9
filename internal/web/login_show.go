package web

import (
	"net/http"
	"strings"
)

type loginForm struct {
	Next, Username, Error string
	// SSO names the city's identity provider; empty when there is none.
	SSO string
	// Password offers the password form.
	Password bool
}

// loginForm is the sign-in page's form, with the ways of signing in
// this installation offers.
func (h *Handler) loginForm(next string) loginForm {
	f := loginForm{Next: safeNext(next), Password: h.http.PasswordSignIn()}
	if p := h.http.OIDC(); p != nil {
		f.SSO = p.DisplayName()
	}
	return f
}

// loginShow shows the sign-in page.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, masuk(newPage(r, "login.title"), h.loginForm(r.URL.Query().Get("next"))))
}

// LoginThrottled answers a browser that tried to sign in too often.
func (h *Handler) LoginThrottled(w http.ResponseWriter, r *http.Request) {
	h.loginRefused(w, r, http.StatusTooManyRequests, "login.throttled", r.PostFormValue("next"))
}

// safeNext keeps a redirect after sign-in on this site: a path, never
// another host ("//evil.example" or "/\evil.example" included).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
