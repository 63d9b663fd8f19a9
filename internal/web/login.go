package web

import (
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// login signs a user in from the form, under the same lockout and
// throttling as the API, and goes on to the page asked for.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	form := h.loginForm(r.PostFormValue("next"))
	form.Username = strings.TrimSpace(r.PostFormValue("username"))
	in, err := h.http.SignIn(w, r, form.Username, r.PostFormValue("password"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if in.Session != nil {
		http.Redirect(w, r, form.Next, http.StatusSeeOther)
		return
	}
	status, key := http.StatusUnauthorized, "login.wrong"
	switch {
	case in.PasswordOff:
		status, key = http.StatusForbidden, "login.password_off"
	case in.LockedUntil != nil:
		w.Header().Set("Retry-After", httpapi.RetryAfter(*in.LockedUntil))
		status, key = http.StatusTooManyRequests, "login.locked"
	}
	v := newPage(r, "login.title")
	form.Error = v.T(key)
	render(w, r, status, masuk(v, form))
}
