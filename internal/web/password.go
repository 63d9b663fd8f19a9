package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/usecase"
)

// passwordForm sets the caller's own password; OneTime says the current one
// was given by city IT for one sign-in.
type passwordForm struct {
	Next    string
	OneTime bool
	Errors  map[string]string
}

// passwordShow is the form that sets one's own password.
func (h *Handler) passwordShow(w http.ResponseWriter, r *http.Request) {
	d := &passwordForm{Next: safeNext(r.URL.Query().Get("next")), OneTime: httpapi.RequestOf(r).Principal.Account.MustChangePassword,
		Errors: map[string]string{}}
	render(w, r, http.StatusOK, sandi(newPage(r, "password.title"), d))
}

// passwordChange sets the caller's password and goes on to the page that
// sent them here; what the rules refuse is shown next to its field.
func (h *Handler) passwordChange(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "password.title")
	d := &passwordForm{Next: safeNext(r.PostFormValue("next")), OneTime: httpapi.RequestOf(r).Principal.Account.MustChangePassword,
		Errors: map[string]string{}}
	ch := &usecase.PasswordChange{Current: r.PostFormValue("sandi_lama"), New: r.PostFormValue("sandi_baru")}
	if ch.New != r.PostFormValue("sandi_ulang") {
		d.Errors["sandi_ulang"] = v.T("password.mismatch")
		render(w, r, http.StatusUnprocessableEntity, sandi(v, d))
		return
	}
	err := h.app.ChangeOwnPassword(r.Context(), caller(r), ch)
	switch {
	case err == nil:
		http.Redirect(w, r, d.Next, http.StatusSeeOther)
	case fieldProblems(v, err, d.Errors, map[string]string{"/currentPassword": "sandi_lama", "/newPassword": "sandi_baru"}):
		render(w, r, http.StatusUnprocessableEntity, sandi(v, d))
	default:
		h.http.Fail(w, r, err)
	}
}
