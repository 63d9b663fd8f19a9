package web

import (
	"bytes"
	"embed"
	"log/slog"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/i18n"
)

// The web app's one stylesheet; the pages themselves are templ
// components, compiled to Go (make generate).
//
//go:embed static/app.css
var static embed.FS

// LangCookie remembers a user's choice of language.
const LangCookie = "slrt_lang"

// serveStylesheet serves the web app's one stylesheet.
func serveStylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFileFS(w, r, static, "static/app.css")
}

// webPage is what every page shares: its language, title, and who is
// signed in.
type webPage struct {
	p         *message.Printer
	lang      language.Tag
	Lang      string
	OtherLang string // the link that switches language
	User      string
	CSRF      string
	Title     string
	// Refresh, when set, reloads the page after that many seconds (a page
	// that follows something happening elsewhere, without script).
	Refresh int
	// RefreshTo, when set, goes on to that address at once (where a 303
	// may not: after a form, the policy's form-action stops a redirect to
	// another site, such as the identity provider's logout).
	RefreshTo string
}

// T writes a message of the catalogue in the page's language.
func (v *webPage) T(key string, args ...any) string {
	if len(args) == 0 {
		return i18n.Text(v.lang, key) // no formatting to do: a map lookup
	}
	return v.p.Sprintf(key, args...)
}

// webLang returns the request's language: the user's choice in the
// cookie, else Indonesian.
func webLang(r *http.Request) language.Tag {
	choice := ""
	if c, err := r.Cookie(LangCookie); err == nil {
		choice = c.Value
	}
	return i18n.Choose(choice)
}

// chooseLanguage keeps a ?lang= choice in a cookie and serves the page in
// it, without the parameter.
func (h *Handler) chooseLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if choice := r.URL.Query().Get("lang"); choice != "" && r.Method == http.MethodGet {
			lang := i18n.Choose(choice)
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang.String(), Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: h.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
			u := *r.URL
			q := u.Query()
			q.Del("lang")
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newPage starts a page in the request's language, titled by a catalogue
// key.
func newPage(r *http.Request, titleKey string, titleArgs ...any) *webPage {
	lang := webLang(r)
	v := &webPage{p: i18n.Printer(lang), lang: lang, Lang: lang.String()}
	other := "en"
	if lang == language.English {
		other = "id"
	}
	u := *r.URL
	q := u.Query()
	q.Set("lang", other)
	u.RawQuery = q.Encode()
	v.OtherLang = u.RequestURI()
	if p := httpapi.RequestOf(r).Principal; p != nil {
		v.User = p.Account.DisplayName
		if v.User == "" {
			v.User = p.Account.Username
		}
		v.CSRF = p.CSRFToken
	}
	v.Title = v.T(titleKey, titleArgs...)
	return v
}

// pageBuffers hold pages while they are rendered.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a staff page under the web app's Content-Security-Policy.
func render(w http.ResponseWriter, r *http.Request, status int, page templ.Component) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	writePage(w, r, status, page, "default-src 'self'; form-action 'self'; frame-ancestors 'none'")
}

// writePage writes a page under a Content-Security-Policy; the whole page
// is rendered before anything is sent, so that a rendering error is a
// clean 500.
func writePage(w http.ResponseWriter, r *http.Request, status int, page templ.Component, csp string) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		// A rare huge page (an import's thousand problems) is not kept.
		if buf.Cap() <= 1<<20 {
			pageBuffers.Put(buf)
		}
	}()
	if err := page.Render(r.Context(), buf); err != nil {
		slog.ErrorContext(r.Context(), "page not rendered", "path", r.URL.Path, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages hold personal data: never stored by a shared computer's
	// browser or a proxy.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
