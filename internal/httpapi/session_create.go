package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/store"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type sessionResponse struct {
	Username  string    `json:"username"`
	CSRFToken string    `json:"csrfToken"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// sessionCreate signs a caller in with username and password and sets the
// session cookie. Failures are counted per account (lockout) and per client
// address (throttled by the route's rate limit).
func (s *Server) sessionCreate(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	in, err := s.SignIn(w, r, req.Username, req.Password)
	switch {
	case err != nil:
		serverError(w, r, err)
	case in.LockedUntil != nil:
		w.Header().Set("Retry-After", RetryAfter(*in.LockedUntil))
		problem(w, r, http.StatusTooManyRequests, "Too many failed logins: this account is locked for a while.")
	case in.PasswordOff:
		problem(w, r, http.StatusForbidden, "Password sign-in is turned off: sign in through the city's identity provider (slrtctl login --oidc).")
	case in.Session == nil:
		problem(w, r, http.StatusUnauthorized, "Wrong username or password.")
	default:
		writeJSON(w, http.StatusCreated, sessionResponse{Username: in.Username, CSRFToken: in.Session.CSRFToken, ExpiresAt: in.Session.ExpiresAt})
	}
}

// SignedIn is the outcome of a sign-in: a session, or the account locked
// until a time, or neither (wrong username or password).
type SignedIn struct {
	Username    string
	Session     *store.Session
	LockedUntil *time.Time
	// PasswordOff says password sign-in is turned off here.
	PasswordOff bool
}

// SignIn checks a username and password for the API and the web app alike:
// a failure is counted against the account (locking it after too many),
// an unknown username takes as long as a wrong password, and a success
// starts a new session and sets its cookie.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, username, pw string) (*SignedIn, error) {
	if !s.cfg.PasswordSignIn {
		return &SignedIn{PasswordOff: true}, nil
	}
	acct, err := s.store.AccountByUsername(r.Context(), username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if acct == nil || acct.PasswordHash() == "" || acct.Disabled {
		if _, err := password.Check(r.Context(), pw, ""); err != nil {
			return nil, err
		}
		s.metrics.loginFailed(r.Context(), "unknown")
		return &SignedIn{}, nil
	}
	if acct.LockedUntil != nil && acct.LockedUntil.After(time.Now()) {
		s.metrics.loginFailed(r.Context(), "locked")
		return &SignedIn{LockedUntil: acct.LockedUntil}, nil
	}
	ok, err := password.Check(r.Context(), pw, acct.PasswordHash())
	if err != nil {
		return nil, err
	}
	if !ok {
		s.metrics.loginFailed(r.Context(), "password")
		until, err := s.store.RecordLoginFailure(r.Context(), acct.ID, s.cfg.LoginMaxFailures, s.cfg.LoginLockout)
		if err != nil {
			return nil, err
		}
		if until != nil && until.After(time.Now()) {
			return &SignedIn{LockedUntil: until}, nil
		}
		return &SignedIn{}, nil
	}
	if password.Outdated(acct.PasswordHash()) {
		// Hashed with older parameters: hashed again now that the password
		// is at hand, unless it changed meanwhile.
		if hash, err := password.Hash(r.Context(), pw); err == nil {
			if err := s.store.Rehash(r.Context(), acct.ID, acct.PasswordHash(), hash); err != nil {
				return nil, err
			}
		}
	}
	return s.startSession(w, r, acct)
}

// startSession records a successful sign-in and starts a session.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, acct *store.Account) (*SignedIn, error) {
	if err := s.store.RecordLoginSuccess(r.Context(), acct.ID); err != nil {
		return nil, err
	}
	// A fresh session id at every login: a planted cookie is never promoted.
	if c, err := r.Cookie(sessionCookie); err == nil {
		if old, err := s.store.SessionByCookie(r.Context(), c.Value); err == nil {
			_ = s.store.DeleteSession(r.Context(), old.ID)
		}
	}
	sess, cookie, err := s.store.CreateSession(r.Context(), acct.ID, s.cfg.SessionTTL)
	if err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: cookie, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	return &SignedIn{Username: acct.Username, Session: sess}, nil
}

// RetryAfter renders the seconds until a time, as the Retry-After header wants.
func RetryAfter(until time.Time) string {
	return strconv.Itoa(int(math.Ceil(time.Until(until).Seconds())))
}
