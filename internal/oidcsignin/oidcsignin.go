// Package oidcsignin signs staff in with the city's OpenID Connect provider
// (Keycloak, or any other that publishes its discovery document): the web
// app's authorization code flow with PKCE, and the check of an ID token that
// slrtctl obtained on its own through a loopback redirect. It only says who
// the provider vouches for (issuer and subject); which account that is, and
// what it may do, stays the platform's business.
package oidcsignin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config is the provider and the platform's clients registered with it.
type Config struct {
	// Issuer is the provider's issuer URL, e.g.
	// https://sso.bandung.go.id/realms/pemkot.
	Issuer string
	// ClientID and ClientSecret are the web app's confidential client.
	ClientID, ClientSecret string
	// CLIClientID is slrtctl's public client (PKCE, loopback redirect);
	// empty: slrtctl signs in with passwords only.
	CLIClientID string
	// SubjectClaim is the ID token claim an account is linked by: "sub"
	// (the default, stable) or e.g. "preferred_username".
	SubjectClaim string
	// DisplayName names the provider on the sign-in page.
	DisplayName string
}

// ErrUnavailable is the provider not answering (discovery, keys or the
// token endpoint): the caller may retry later.
var ErrUnavailable = errors.New("the identity provider is not reachable")

// ErrRejected is a sign-in the provider's answer does not support: a
// token for another client, expired, badly signed, or a state or nonce
// that does not match.
var ErrRejected = errors.New("the identity provider's answer was refused")

// Identity is whom the provider vouches for.
type Identity struct {
	Issuer, Subject string
}

// Provider talks to one OpenID Connect provider. Discovery happens on first
// use (and again after a failure), so the API starts while the provider is
// down and signs people in once it is back.
type Provider struct {
	cfg Config
	// http bounds each call to the provider: one that hangs is down.
	http *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	logout   string
}

// New checks cfg; it does not contact the provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("an OpenID Connect issuer and client id are both required")
	}
	if _, err := url.Parse(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("the OpenID Connect issuer: %w", err)
	}
	if cfg.SubjectClaim == "" {
		cfg.SubjectClaim = "sub"
	}
	return &Provider{cfg: cfg, http: &http.Client{Timeout: 10 * time.Second}}, nil
}

// Issuer is the provider's issuer URL, which accounts are linked under.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// DisplayName names the provider for people.
func (p *Provider) DisplayName() string { return p.cfg.DisplayName }

// CLIClientID is slrtctl's client, empty when it has none.
func (p *Provider) CLIClientID() string { return p.cfg.CLIClientID }

func (p *Provider) discover(ctx context.Context) (*oidc.Provider, error) {
	ctx = oidc.ClientContext(ctx, p.http)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, nil
	}
	prov, err := oidc.NewProvider(ctx, p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discovery at %s: %v", ErrUnavailable, p.cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = prov.Claims(&extra)
	p.provider, p.logout = prov, extra.EndSession
	return prov, nil
}

// Start is one sign-in in progress: what the browser carries to the
// provider and what the platform keeps (in a cookie) to check the answer.
type Start struct {
	// URL is where the browser goes; it is not kept.
	URL                    string `json:"-"`
	State, Nonce, Verifier string
}

// Begin starts a sign-in: a fresh state, nonce and PKCE verifier, and the
// provider's authorization URL for redirectURL.
func (p *Provider) Begin(ctx context.Context, redirectURL string) (*Start, error) {
	prov, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	// State and nonce are random like the verifier (256 bits).
	s := &Start{State: oauth2.GenerateVerifier(), Nonce: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
	s.URL = p.oauth(prov, redirectURL).AuthCodeURL(s.State, oidc.Nonce(s.Nonce), oauth2.S256ChallengeOption(s.Verifier))
	return s, nil
}

// Finish completes a sign-in from the provider's redirect: the state must be
// the one begun, the code is exchanged with the PKCE verifier, and the ID
// token must be the provider's, for the web app's client, unexpired, and
// carry the nonce begun.
func (p *Provider) Finish(ctx context.Context, begun *Start, redirectURL, state, code string) (*Identity, error) {
	if state == "" || state != begun.State {
		return nil, fmt.Errorf("%w: the state does not match the sign-in begun", ErrRejected)
	}
	prov, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.oauth(prov, redirectURL).Exchange(oidc.ClientContext(ctx, p.http), code, oauth2.VerifierOption(begun.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("%w: the code was refused: %v", ErrRejected, err)
		}
		return nil, fmt.Errorf("%w: exchanging the code: %v", ErrUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: no ID token in the provider's answer", ErrRejected)
	}
	id, err := p.verify(ctx, prov, raw, p.cfg.ClientID)
	if err != nil {
		return nil, err
	}
	if id.nonce != begun.Nonce {
		return nil, fmt.Errorf("%w: the nonce does not match the sign-in begun", ErrRejected)
	}
	return &id.Identity, nil
}

// VerifyCLI checks an ID token slrtctl obtained: the provider's, issued to
// slrtctl's client, unexpired.
func (p *Provider) VerifyCLI(ctx context.Context, raw string) (*Identity, error) {
	if p.cfg.CLIClientID == "" {
		return nil, fmt.Errorf("%w: slrtctl has no client with the identity provider", ErrRejected)
	}
	prov, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	id, err := p.verify(ctx, prov, raw, p.cfg.CLIClientID)
	if err != nil {
		return nil, err
	}
	return &id.Identity, nil
}

// LogoutURL is where to send the browser after the platform's own session
// ended, so that the provider's ends too; empty when the provider has no
// end_session_endpoint. No id_token_hint: the platform keeps no ID token.
func (p *Provider) LogoutURL(ctx context.Context, postLogoutRedirect string) string {
	if _, err := p.discover(ctx); err != nil || p.logout == "" {
		return ""
	}
	u, err := url.Parse(p.logout)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", p.cfg.ClientID)
	q.Set("post_logout_redirect_uri", postLogoutRedirect)
	u.RawQuery = q.Encode()
	return u.String()
}

type verified struct {
	Identity
	nonce string
}

func (p *Provider) verify(ctx context.Context, prov *oidc.Provider, raw, clientID string) (*verified, error) {
	tok, err := prov.Verifier(&oidc.Config{ClientID: clientID}).Verify(oidc.ClientContext(ctx, p.http), raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, fmt.Errorf("%w: the ID token expired at %s", ErrRejected, expired.Expiry.UTC().Format("15:04:05"))
		}
		return nil, fmt.Errorf("%w: %v", ErrRejected, err)
	}
	// go-oidc accepts a token whose audiences include ours; a token meant
	// for several clients must name us as the one it was issued to.
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: reading the ID token's claims: %v", ErrRejected, err)
	}
	if len(tok.Audience) > 1 {
		if azp, _ := claims["azp"].(string); azp != clientID {
			return nil, fmt.Errorf("%w: the ID token was issued to %q", ErrRejected, azp)
		}
	}
	subject, _ := claims[p.cfg.SubjectClaim].(string)
	if subject == "" {
		return nil, fmt.Errorf("%w: the ID token has no %q claim", ErrRejected, p.cfg.SubjectClaim)
	}
	nonce, _ := claims["nonce"].(string)
	return &verified{Identity: Identity{Issuer: tok.Issuer, Subject: subject}, nonce: nonce}, nil
}

func (p *Provider) oauth(prov *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, RedirectURL: redirectURL,
		Endpoint: prov.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"},
	}
}
