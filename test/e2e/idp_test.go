package e2e

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"
)

// identityProvider is a real, standards-compliant OpenID Connect provider
// (zitadel/oidc's example provider: discovery, keys, authorization code
// with PKCE, ID tokens signed with RS256, end_session), run in the test
// process, as a city's Keycloak would be: its users sign in on its own
// login page.
type identityProvider struct {
	issuer string
	mu     sync.Mutex
	// clients are the provider's registered clients: the example storage
	// reads the map on every request, so clients may be added as the
	// platform's addresses become known.
	clients map[string]*storage.Client
	// extra says, per client, what the example's clients cannot:
	// post-logout redirects and the ID tokens' lifetime.
	extra map[string]clientExtra
}

type clientExtra struct {
	postLogout      []string
	idTokenLifetime time.Duration
}

// idpUser is a person at the provider; Subject is what the platform links
// accounts by.
type idpUser struct{ Subject, Username, Password string }

func startIdentityProvider(t *testing.T, users ...idpUser) *identityProvider {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	idp := &identityProvider{issuer: "http://" + l.Addr().String(), clients: map[string]*storage.Client{}, extra: map[string]clientExtra{}}
	people := peopleStore{}
	for _, u := range users {
		people[u.Subject] = &storage.User{ID: u.Subject, Username: u.Username, Password: u.Password, FirstName: u.Username, LastName: "Pemkot", EmailVerified: true}
	}
	st := &idpStorage{Storage: storage.NewStorageWithClients(people, idp.clients), idp: idp}
	srv := &http.Server{Handler: exampleop.SetupServer(idp.issuer, st, nil, false), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return idp
}

// webClient registers a confidential client with its redirect URIs.
func (p *identityProvider) webClient(id, secret string, redirects, postLogout []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = storage.WebClient(id, secret, redirects...)
	p.extra[id] = clientExtra{postLogout: postLogout}
}

// nativeClient registers a public client (PKCE) redirecting to a loopback
// address on any port, as slrtctl's; its ID tokens live for lifetime.
func (p *identityProvider) nativeClient(id string, lifetime time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = storage.NativeClient(id, "http://127.0.0.1/callback")
	p.extra[id] = clientExtra{idTokenLifetime: lifetime}
}

// idToken signs user in for client the way a native app does (the
// provider's login form, PKCE) and returns the ID token it issues.
func (p *identityProvider) idToken(t *testing.T, client string, user idpUser) string {
	t.Helper()
	ctx := context.Background()
	prov, err := oidc.NewProvider(ctx, p.issuer)
	if err != nil {
		t.Fatal(err)
	}
	const redirect = "http://127.0.0.1:9/callback"
	cfg := &oauth2.Config{ClientID: client, Endpoint: prov.Endpoint(), RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID}}
	verifier := oauth2.GenerateVerifier()
	callback := signInAtProvider(t, cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)), user, redirect)
	tok, err := cfg.Exchange(ctx, callback.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("no ID token")
	}
	return raw
}

var loginRequestID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signInAtProvider follows an authorization URL as a browser would, fills
// the provider's login form as user, and returns the redirect back to the
// client (stopping there when it starts with stopAt; else following it).
func signInAtProvider(t *testing.T, authURL string, user idpUser, stopAt string) *url.URL {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	var back *url.URL
	errStop := errors.New("stop")
	stop, _ := url.Parse(stopAt)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if stopAt != "" && req.URL.Host == stop.Host && req.URL.Path == stop.Path {
			back = req.URL
			return errStop
		}
		back = req.URL
		return nil
	}}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginRequestID.FindSubmatch(page)
	if m == nil {
		t.Fatalf("the provider's login page has no request id (%d):\n%s", resp.StatusCode, page)
	}
	loginURL := resp.Request.URL.ResolveReference(&url.URL{Path: "/login/username"})
	resp, err = c.PostForm(loginURL.String(), url.Values{"id": {string(m[1])}, "username": {user.Username}, "password": {user.Password}})
	if err != nil && !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	if resp != nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if stopAt != "" && back == nil {
			t.Fatalf("the provider did not send the browser back (%d):\n%s", resp.StatusCode, body)
		}
	}
	return back
}

// idpStorage is the example storage with the test's clients' extras.
type idpStorage struct {
	*storage.Storage
	idp *identityProvider
}

func (s *idpStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	s.idp.mu.Lock()
	defer s.idp.mu.Unlock()
	return idpClient{Client: c, extra: s.idp.extra[id]}, nil
}

type idpClient struct {
	op.Client
	extra clientExtra
}

func (c idpClient) PostLogoutRedirectURIs() []string { return c.extra.postLogout }

func (c idpClient) IDTokenLifetime() time.Duration {
	if c.extra.idTokenLifetime > 0 {
		return c.extra.idTokenLifetime
	}
	return c.Client.IDTokenLifetime()
}

// peopleStore is the provider's users, by subject.
type peopleStore map[string]*storage.User

func (p peopleStore) GetUserByID(id string) *storage.User { return p[id] }
func (p peopleStore) GetUserByUsername(name string) *storage.User {
	for _, u := range p {
		if u.Username == name {
			return u
		}
	}
	return nil
}
func (p peopleStore) ExampleClientID() string { return "service" }
