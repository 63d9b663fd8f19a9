package web

import (
	"net/http"
	"strings"
)

type loginForm struct {
	Next, Username, Error string
}

// loginShow shows the sign-in page.
func (h *Handler) loginShow(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, masuk(newPage(r, "login.title"), loginForm{Next: safeNext(r.URL.Query().Get("next"))}))
}

// LoginThrottled answers a browser that tried to sign in too often.
func (h *Handler) LoginThrottled(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "login.title")
	render(w, r, http.StatusTooManyRequests, masuk(v, loginForm{Next: safeNext(r.PostFormValue("next")), Error: v.T("login.throttled")}))
}

// safeNext keeps a redirect after sign-in on this site: a path, never
// another host ("//evil.example" or "/\evil.example" included).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
