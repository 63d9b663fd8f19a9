package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// The page templates, the stylesheet, and the public tracking page.
//
//go:embed templates
var files embed.FS

// LangCookie remembers a user's choice of language.
const LangCookie = "slrt_lang"

// webPages are the page templates, each parsed with the layout.
var webPages = func() map[string]*template.Template {
	pages := map[string]*template.Template{}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		if name == "templates/layout.html" {
			continue
		}
		t := template.Must(template.New("").Funcs(webFuncs).ParseFS(files, "templates/layout.html", name))
		pages[strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")] = t
	}
	return pages
}()

var webFuncs = template.FuncMap{
	"join":      strings.Join,
	"hasString": func(list []string, s string) bool { return slices.Contains(list, s) },
	// deref reads an optional text (a nil one is empty).
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	// tanggalSaja writes a date without the time.
	"tanggalSaja":   func(t time.Time) string { return t.Format("02-01-2006") },
	"kecamatanName": areaName,
	"sharedValue":   sharedValue,
	// hasDraft reports whether a case has a referral not sent yet.
	"hasDraft": func(refs []casework.ReferralSummary) bool {
		return slices.ContainsFunc(refs, func(r casework.ReferralSummary) bool { return r.Status == string(rujukan.Draft) })
	},
	"tanggal": webDate,
}

// serveStylesheet serves the web app's one stylesheet.
func serveStylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFileFS(w, r, files, "templates/app.css")
}

// webPage is what every page's template gets.
type webPage struct {
	p         *message.Printer
	lang      language.Tag
	Lang      string
	OtherLang string // the link that switches language
	User      string
	CSRF      string
	Title     string
	Data      any
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
func newPage(r *http.Request, titleKey string, data any, titleArgs ...any) *webPage {
	lang := webLang(r)
	v := &webPage{p: i18n.Printer(lang), lang: lang, Lang: lang.String(), Data: data}
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

// render writes a page; the whole page is rendered before anything is
// sent, so that a template error is a clean 500.
func render(w http.ResponseWriter, r *http.Request, status int, name string, v *webPage) {
	var buf bytes.Buffer
	if err := webPages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		slog.ErrorContext(r.Context(), "page not rendered", "page", name, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages hold personal data: never stored by a shared computer's
	// browser or a proxy.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
