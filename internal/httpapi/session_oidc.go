package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/slrt-id/slrt/internal/oidcsignin"
	"github.com/slrt-id/slrt/internal/store"
)

// OIDC is the city's identity provider, nil when there is none.
func (s *Server) OIDC() *oidcsignin.Provider { return s.cfg.OIDC }

// PasswordSignIn says whether staff may sign in with a password.
func (s *Server) PasswordSignIn() bool { return s.cfg.PasswordSignIn }

// PublicURL is where people reach the platform: --public-url, else the
// address this request came to.
func (s *Server) PublicURL(r *http.Request) string { return s.publicURL(r) }

// SecureCookies says whether cookies are marked Secure.
func (s *Server) SecureCookies() bool { return s.cfg.SecureCookies }

// SignInOIDC signs in the account city IT linked to the person the identity
// provider vouched for. An identity no account is linked to, or a disabled
// account, gets no session: accounts are never made or linked on the fly.
func (s *Server) SignInOIDC(w http.ResponseWriter, r *http.Request, id *oidcsignin.Identity) (*SignedIn, error) {
	acct, err := s.store.AccountByOIDC(r.Context(), id.Issuer, id.Subject)
	if errors.Is(err, store.ErrNotFound) {
		s.metrics.loginFailed(r.Context(), "oidc_unlinked")
		return &SignedIn{}, nil
	}
	if err != nil {
		return nil, err
	}
	if acct.Disabled {
		s.metrics.loginFailed(r.Context(), "disabled")
		return &SignedIn{}, nil
	}
	return s.startSession(w, r, acct)
}

// OIDCRefused is the status of a sign-in the provider could not vouch
// for: 503 with Retry-After set when it is down, 401 when its answer was
// refused.
func OIDCRefused(w http.ResponseWriter, err error) int {
	if errors.Is(err, oidcsignin.ErrUnavailable) {
		w.Header().Set("Retry-After", "30")
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

type oidcInfo struct {
	Issuer         string `json:"issuer"`
	ClientID       string `json:"clientId"`
	PasswordSignIn bool   `json:"passwordSignIn"`
}

// sessionOIDCShow tells slrtctl where to sign in: the provider and
// slrtctl's client there.
func (s *Server) sessionOIDCShow(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.OIDC
	if p == nil || p.CLIClientID() == "" {
		problem(w, r, http.StatusNotFound, "Single sign-on is not configured for slrtctl here (slrt-api --oidc-cli-client-id).")
		return
	}
	writeJSON(w, http.StatusOK, oidcInfo{Issuer: p.Issuer(), ClientID: p.CLIClientID(), PasswordSignIn: s.cfg.PasswordSignIn})
}

type oidcLoginRequest struct {
	IDToken string `json:"idToken"`
}

// sessionOIDCCreate signs in with an ID token slrtctl obtained from the
// provider for its own client; the answer is the same as a password
// sign-in's.
func (s *Server) sessionOIDCCreate(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.OIDC
	if p == nil {
		problem(w, r, http.StatusNotFound, "Single sign-on is not configured here.")
		return
	}
	var req oidcLoginRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.IDToken == "" {
		problem(w, r, http.StatusUnprocessableEntity, "An ID token is required.", FieldError{Field: "/idToken", Code: "session.id_token_required", Message: "required"})
		return
	}
	id, err := p.VerifyCLI(r.Context(), req.IDToken)
	if err != nil {
		// The reason (expired, wrong audience) is logged without the token.
		slog.InfoContext(r.Context(), "single sign-on refused", "reason", err.Error())
		s.metrics.loginFailed(r.Context(), "oidc_refused")
		problem(w, r, OIDCRefused(w, err), "The identity provider's token was refused: "+err.Error())
		return
	}
	in, err := s.SignInOIDC(w, r, id)
	switch {
	case err != nil:
		serverError(w, r, err)
	case in.Session == nil:
		problem(w, r, http.StatusUnauthorized, "No active account is linked to this identity; ask city IT to link it.")
	default:
		writeJSON(w, http.StatusCreated, sessionResponse{Username: in.Username, CSRFToken: in.Session.CSRFToken, ExpiresAt: in.Session.ExpiresAt})
	}
}
