package httpapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/dbfault"
	"github.com/slrt-id/slrt/internal/store"
)

// sessionCookie names the browser session cookie.
const sessionCookie = "slrt_session"

// csrfHeader carries the session's CSRF token on unsafe requests made with
// the session cookie (forms carry it as the csrf_token field).
const csrfHeader = "X-CSRF-Token"

const auditTimeout = 5 * time.Second

// authenticate identifies the caller by API token (Authorization: Bearer)
// or session cookie. A request with neither goes on anonymous; one with a
// bad or revoked credential is refused at once.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A form is read here, on the request the handler will get: the
		// CSRF check reads its token from a copy of the request, and a
		// body read there would be gone for the handler.
		if !safeMethod(r.Method) && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
			_ = r.ParseForm()
		}
		// An upload form's first part is its CSRF token: read it, and hand
		// the rest of the body on unread, so that a file is streamed to
		// its handler and nothing of it is stored before the caller is
		// known.
		if !safeMethod(r.Method) && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			r = withUpload(w, r)
		}
		p, ok := s.identify(w, r)
		if !ok {
			return
		}
		if x := exchangeOf(r.Context()); x != nil {
			x.principal = p
		}
		next.ServeHTTP(w, r)
	})
}

// identify finds the caller. It returns false when it has answered the
// request (bad credentials, missing CSRF token). How the caller signed in
// marks the server span; only a lookup in the control database has a span
// of its own (principal).
func (s *Server) identify(w http.ResponseWriter, r *http.Request) (*Principal, bool) {
	var p *Principal
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			problem(w, r, http.StatusUnauthorized, "Use Authorization: Bearer <token>.")
			return nil, false
		}
		if p = s.tokenPrincipal(w, r, strings.TrimSpace(secret)); p == nil {
			return nil, false
		}
	} else if c, err := r.Cookie(sessionCookie); err == nil {
		if p = s.sessionPrincipal(w, r, c.Value); p == nil {
			return nil, false
		}
		if !safeMethod(r.Method) && !validCSRF(r, p.CSRFToken) {
			problem(w, r, http.StatusForbidden, "Missing or wrong CSRF token ("+csrfHeader+").")
			return nil, false
		}
	}
	if p != nil {
		mark(r.Context(), attrVia.String(p.Via))
	}
	return p, true
}

// tokenPrincipal returns the caller an API token names, or answers 401 and
// returns nil.
func (s *Server) tokenPrincipal(w http.ResponseWriter, r *http.Request, secret string) *Principal {
	return s.principal(w, r, cacheKey("token", secret), "The token is unknown, expired or revoked, or its account is gone.",
		func(ctx context.Context) (*Principal, time.Time, error) {
			tok, err := s.store.TokenBySecret(ctx, secret)
			if err != nil {
				return nil, time.Time{}, err
			}
			acct, err := s.store.AccountByID(ctx, tok.AccountID)
			if err != nil {
				return nil, time.Time{}, err
			}
			return &Principal{Account: acct, Via: "token", TokenID: tok.ID}, tok.ExpiresAt, nil
		})
}

// sessionPrincipal returns the caller a session cookie names, or answers 401
// and returns nil.
func (s *Server) sessionPrincipal(w http.ResponseWriter, r *http.Request, cookie string) *Principal {
	return s.principal(w, r, cacheKey("session", cookie), "The session has ended; sign in again.",
		func(ctx context.Context) (*Principal, time.Time, error) {
			sess, err := s.store.SessionByCookie(ctx, cookie)
			if err != nil {
				return nil, time.Time{}, err
			}
			acct, err := s.store.AccountByID(ctx, sess.AccountID)
			if err != nil {
				return nil, time.Time{}, err
			}
			return &Principal{Account: acct, Via: "session", SessionID: sess.ID, CSRFToken: sess.CSRFToken}, sess.ExpiresAt, nil
		})
}

// principal returns the caller a credential (key) names: remembered, or
// looked up in the control database (again after a lost connection), or,
// when the control database cannot answer, remembered from before within
// authStaleBound. Otherwise it answers 401 with detail (503 for a database
// fault) and returns nil. look returns the caller and when its credential
// ends.
func (s *Server) principal(w http.ResponseWriter, r *http.Request, key [32]byte, detail string,
	look func(context.Context) (*Principal, time.Time, error)) *Principal {
	if p, ok := s.auth.get(key); ok {
		return p
	}
	ctx, span := tracer.Start(r.Context(), "authenticate")
	defer span.End()
	var p *Principal
	var ends time.Time
	err := dbfault.Retry(ctx, 3, dbfault.Retryable, func() (err error) {
		p, ends, err = look(ctx)
		return err
	})
	if err != nil {
		if p, ok := s.auth.fallback(key, err); ok {
			return p
		}
		s.unauthenticated(w, r, err, detail)
		return nil
	}
	s.auth.put(key, p, ends)
	return p
}

func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request, err error, detail string) {
	if !errors.Is(err, store.ErrNotFound) {
		serverError(w, r, err)
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="slrt", error="invalid_token"`)
	problem(w, r, http.StatusUnauthorized, detail)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(csrfHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue("csrf_token")
	}
	if u := uploadOf(r); got == "" && u != nil {
		got = u.csrf
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func logAuditFailure(r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "audit write failed", "request_id", RequestID(r.Context()), "error", err)
}
