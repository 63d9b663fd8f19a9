package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// oidcSignIn signs in through the city's identity provider with a loopback
// redirect (RFC 8252): slrtctl listens on 127.0.0.1, prints the provider's
// address for a browser, receives the code, exchanges it with its PKCE
// verifier, checks the ID token and hands it to the API, which starts a
// session for the account linked to that person.
func oidcSignIn(ctx context.Context, c *apiClient, port int, stderr io.Writer, out any) error {
	var info struct {
		Issuer   string `json:"issuer"`
		ClientID string `json:"clientId"`
	}
	if err := c.do("GET", "/api/v1/session/oidc", nil, &info); err != nil {
		return err
	}
	provider, err := oidc.NewProvider(ctx, info.Issuer)
	if err != nil {
		return fmt.Errorf("reaching the identity provider %s: %w", info.Issuer, err)
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("listening for the provider's redirect: %w", err)
	}
	defer l.Close()
	cfg := &oauth2.Config{
		ClientID: info.ClientID, Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"},
		RedirectURL: fmt.Sprintf("http://%s/callback", l.Addr()),
	}
	state, nonce, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()

	type answer struct {
		code string
		err  error
	}
	answers := make(chan answer, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		var a answer
		switch {
		case q.Get("state") != state:
			a.err = errors.New("the provider's answer does not belong to this sign-in (state)")
		case q.Get("error") != "":
			a.err = fmt.Errorf("the provider refused: %s %s", q.Get("error"), q.Get("error_description"))
		default:
			a.code = q.Get("code")
		}
		if a.err != nil {
			http.Error(w, "Masuk gagal / Sign-in failed: "+a.err.Error(), http.StatusBadRequest)
		} else {
			fmt.Fprintln(w, "Berhasil masuk; jendela ini boleh ditutup. / Signed in; you may close this window.")
		}
		select {
		case answers <- a:
		default:
		}
	})}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()

	fmt.Fprintf(stderr, "Open this address in a browser to sign in (waiting 5 minutes):\n%s\n",
		cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	var a answer
	select {
	case a = <-answers:
	case <-time.After(5 * time.Minute):
		return errors.New("no sign-in within 5 minutes")
	case <-ctx.Done():
		return ctx.Err()
	}
	if a.err != nil {
		return a.err
	}
	tok, err := cfg.Exchange(ctx, a.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return fmt.Errorf("exchanging the code at the provider: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idToken, err := provider.Verifier(&oidc.Config{ClientID: info.ClientID}).Verify(ctx, raw)
	if err != nil {
		return fmt.Errorf("the provider's ID token: %w", err)
	}
	if idToken.Nonce != nonce {
		return errors.New("the provider's ID token does not belong to this sign-in (nonce)")
	}
	return c.do("POST", "/api/v1/session/oidc", map[string]string{"idToken": raw}, out)
}
