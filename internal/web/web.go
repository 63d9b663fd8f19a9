// Package web is the web app for staff: server-rendered pages in Bahasa
// Indonesia unless the user picks English, served by the same router as
// the API, under the same authorisation rules, over the same use cases
// (package usecase). Pages work without JavaScript, on an old phone over a
// slow line. docs/web.md describes them.
package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/usecase"
)

// Config tunes the web app.
type Config struct {
	// SecureCookies marks the language cookie Secure (off only for
	// plain-HTTP development).
	SecureCookies bool
	// CityName heads the city's report, e.g. "Kota Bandung".
	CityName string
}

// Handler serves the pages.
type Handler struct {
	http  *httpapi.Server
	app   *usecase.App
	authz *authz.Authorizer
	cfg   Config
}

// Mount puts the web app on the HTTP layer (sessions, authorisation,
// errors), over the use cases; the HTTP layer's errors to browsers become
// pages.
func Mount(srv *httpapi.Server, app *usecase.App, az *authz.Authorizer, cfg Config) *Handler {
	h := &Handler{http: srv, app: app, authz: az, cfg: cfg}
	srv.SetPages(h)
	srv.Mount(h.Routes)
	return h
}

// caller is the request's caller as the use cases take it.
func caller(r *http.Request) *usecase.Caller { return &httpapi.RequestOf(r).Caller }

// account is the signed-in caller's account id.
func account(r *http.Request) int64 { return httpapi.RequestOf(r).Account }

// may reports whether the caller holds obj/act in a domain: what a page
// offers (a button, a form) follows the caller's grants.
func (h *Handler) may(r *http.Request, domain, obj, act string) bool {
	return h.authz.Allowed(account(r), domain, obj, act)
}
