package web

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/oidcsignin"
)

// ssoCookie carries a sign-in in progress from /masuk/sso to the
// provider's redirect back: its state, nonce and PKCE verifier never leave
// this browser and this site, and it lives ten minutes.
const ssoCookie = "slrt_sso"

type ssoPending struct {
	oidcsignin.Start
	Next string
}

// ssoRedirectPath is where the provider sends the browser back; register
// PUBLIC_URL + this path as the web client's redirect URI.
const ssoRedirectPath = "/masuk/sso/kembali"

// ssoBegin sends the browser to the city's identity provider.
func (h *Handler) ssoBegin(w http.ResponseWriter, r *http.Request) {
	p := h.http.OIDC()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	start, err := p.Begin(r.Context(), h.http.PublicURL(r)+ssoRedirectPath)
	if err != nil {
		h.ssoFailed(w, r, err, "")
		return
	}
	pending, _ := json.Marshal(ssoPending{Start: *start, Next: safeNext(r.URL.Query().Get("next"))})
	http.SetCookie(w, &http.Cookie{
		Name: ssoCookie, Value: base64.RawURLEncoding.EncodeToString(pending), Path: "/masuk/sso", MaxAge: 600,
		HttpOnly: true, Secure: h.http.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, start.URL, http.StatusSeeOther)
}

// ssoReturn finishes a sign-in when the provider sends the browser back:
// the answer must match the sign-in this browser began, and the person must
// be linked to an active account.
func (h *Handler) ssoReturn(w http.ResponseWriter, r *http.Request) {
	p := h.http.OIDC()
	if p == nil {
		http.NotFound(w, r)
		return
	}
	var pending ssoPending
	c, err := r.Cookie(ssoCookie)
	if err == nil {
		raw, _ := base64.RawURLEncoding.DecodeString(c.Value)
		err = json.Unmarshal(raw, &pending)
	}
	// The cookie is spent whatever happens next.
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Path: "/masuk/sso", MaxAge: -1, HttpOnly: true, Secure: h.http.SecureCookies()})
	if err != nil {
		h.ssoFailed(w, r, oidcsignin.ErrRejected, "")
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		// The person cancelled, or the provider refused them.
		h.ssoFailed(w, r, oidcsignin.ErrRejected, pending.Next)
		return
	}
	id, err := p.Finish(r.Context(), &pending.Start, h.http.PublicURL(r)+ssoRedirectPath, q.Get("state"), q.Get("code"))
	if err != nil {
		h.ssoFailed(w, r, err, pending.Next)
		return
	}
	in, err := h.http.SignInOIDC(w, r, id)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if in.Session == nil {
		h.loginRefused(w, r, http.StatusForbidden, "login.sso_unlinked", pending.Next)
		return
	}
	http.Redirect(w, r, pending.Next, http.StatusSeeOther)
}

// ssoFailed shows the sign-in page with why single sign-on did not work:
// the provider down (503, try again) or its answer refused (401).
func (h *Handler) ssoFailed(w http.ResponseWriter, r *http.Request, err error, next string) {
	slog.InfoContext(r.Context(), "single sign-on failed", "reason", err.Error())
	status, key := httpapi.OIDCRefused(w, err), "login.sso_refused"
	if status == http.StatusServiceUnavailable {
		key = "login.sso_unavailable"
	}
	h.loginRefused(w, r, status, key, next)
}

// loginRefused shows the sign-in page again with why the sign-in failed.
func (h *Handler) loginRefused(w http.ResponseWriter, r *http.Request, status int, key, next string) {
	v := newPage(r, "login.title")
	form := h.loginForm(next)
	form.Error = v.T(key)
	render(w, r, status, masuk(v, form))
}
