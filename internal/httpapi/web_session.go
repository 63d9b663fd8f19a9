package httpapi

import (
	"net/http"
	"strings"
)

type loginForm struct {
	Next, Username, Error string
}

// webLoginForm shows the sign-in page.
func (s *Server) webLoginForm(w http.ResponseWriter, r *http.Request) {
	render(w, r, http.StatusOK, "masuk", newPage(r, "login.title", loginForm{Next: safeNext(r.URL.Query().Get("next"))}))
}

// webLogin signs a user in from the form, under the same lockout and
// throttling as the API, and goes on to the page asked for.
func (s *Server) webLogin(w http.ResponseWriter, r *http.Request) {
	form := loginForm{Next: safeNext(r.PostFormValue("next")), Username: strings.TrimSpace(r.PostFormValue("username"))}
	in, err := s.signIn(w, r, form.Username, r.PostFormValue("password"))
	if err != nil {
		serverError(w, r, err)
		return
	}
	if in.session != nil {
		http.Redirect(w, r, form.Next, http.StatusSeeOther)
		return
	}
	status, key := http.StatusUnauthorized, "login.wrong"
	if in.lockedUntil != nil {
		w.Header().Set("Retry-After", retryAfter(*in.lockedUntil))
		status, key = http.StatusTooManyRequests, "login.locked"
	}
	v := newPage(r, "login.title", nil)
	form.Error = v.T(key)
	v.Data = form
	render(w, r, status, "masuk", v)
}

// webLoginThrottled answers a browser that tried to sign in too often.
func webLoginThrottled(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "login.title", nil)
	v.Data = loginForm{Next: safeNext(r.PostFormValue("next")), Error: v.T("login.throttled")}
	render(w, r, http.StatusTooManyRequests, "masuk", v)
}

// webLogout ends the session and goes back to the sign-in page.
func (s *Server) webLogout(w http.ResponseWriter, r *http.Request) {
	if p := principalFrom(r.Context()); p.Via == "session" {
		if err := s.signOut(w, r, p); err != nil {
			serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/masuk", http.StatusSeeOther)
}

// safeNext keeps a redirect after sign-in on this site: a path, never
// another host ("//evil.example" or "/\evil.example" included).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
