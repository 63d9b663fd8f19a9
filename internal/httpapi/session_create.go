package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/alexedwards/argon2id"

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

// dummyHash is checked against when the username is unknown, so that a
// missing account takes as long to refuse as a wrong password.
var dummyHash, _ = argon2id.CreateHash("not a password of anyone", argon2id.DefaultParams)

// sessionCreate signs a caller in with username and password and sets the
// session cookie. Failures are counted per account (lockout) and per client
// address (throttled by the route's rate limit).
func (s *Server) sessionCreate(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	acct, err := s.store.AccountByUsername(r.Context(), req.Username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		serverError(w, r, err)
		return
	}
	if acct == nil || acct.PasswordHash() == "" || acct.Disabled {
		_, _ = argon2id.ComparePasswordAndHash(req.Password, dummyHash)
		s.metrics.loginFailed(r.Context(), "unknown")
		problem(w, r, http.StatusUnauthorized, "Wrong username or password.")
		return
	}
	if acct.LockedUntil != nil && acct.LockedUntil.After(time.Now()) {
		s.metrics.loginFailed(r.Context(), "locked")
		w.Header().Set("Retry-After", retryAfter(*acct.LockedUntil))
		problem(w, r, http.StatusTooManyRequests, "Too many failed logins: this account is locked for a while.")
		return
	}
	ok, err := argon2id.ComparePasswordAndHash(req.Password, acct.PasswordHash())
	if err != nil {
		serverError(w, r, err)
		return
	}
	if !ok {
		s.metrics.loginFailed(r.Context(), "password")
		until, err := s.store.RecordLoginFailure(r.Context(), acct.ID, s.cfg.LoginMaxFailures, s.cfg.LoginLockout)
		if err != nil {
			serverError(w, r, err)
			return
		}
		if until != nil && until.After(time.Now()) {
			w.Header().Set("Retry-After", retryAfter(*until))
			problem(w, r, http.StatusTooManyRequests, "Too many failed logins: this account is locked for a while.")
			return
		}
		problem(w, r, http.StatusUnauthorized, "Wrong username or password.")
		return
	}
	if err := s.store.RecordLoginSuccess(r.Context(), acct.ID); err != nil {
		serverError(w, r, err)
		return
	}
	// A fresh session id at every login: a planted cookie is never promoted.
	if c, err := r.Cookie(SessionCookie); err == nil {
		if old, err := s.store.SessionByCookie(r.Context(), c.Value); err == nil {
			_ = s.store.DeleteSession(r.Context(), old.ID)
		}
	}
	sess, cookie, err := s.store.CreateSession(r.Context(), acct.ID, s.cfg.SessionTTL)
	if err != nil {
		serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: cookie, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusCreated, sessionResponse{Username: acct.Username, CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt})
}

// retryAfter renders the seconds until a time, as the Retry-After header wants.
func retryAfter(until time.Time) string {
	return strconv.Itoa(int(math.Ceil(time.Until(until).Seconds())))
}
