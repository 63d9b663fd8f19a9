package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/store"
)

func TestRevokedTokenStopsWorkingAtOnce(t *testing.T) {
	var created struct {
		Token  store.Token `json:"token"`
		Secret string      `json:"secret"`
	}
	resp := do(t, "petugas", "POST", "/api/v1/me/tokens", map[string]any{"name": "laptop kantor", "expiresInDays": 30})
	expectStatus(t, resp, http.StatusCreated)
	resp.json(t, &created)
	if !strings.HasPrefix(created.Secret, store.TokenPrefix) {
		t.Fatalf("token secret %q", created.Secret)
	}
	callers["petugas-laptop"] = &caller{username: "petugas", token: created.Secret}
	expectStatus(t, do(t, "petugas-laptop", "GET", "/api/v1/me", nil), http.StatusOK)

	expectStatus(t, do(t, "petugas", "DELETE", fmt.Sprintf("/api/v1/me/tokens/%d", created.Token.ID), nil), http.StatusOK)
	resp = do(t, "petugas-laptop", "GET", "/api/v1/me", nil)
	expectStatus(t, resp, http.StatusUnauthorized)
	if !strings.Contains(resp.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("WWW-Authenticate: %q", resp.header.Get("WWW-Authenticate"))
	}

	// Another account's token cannot be revoked through /me, and looks absent.
	var mine struct {
		Token store.Token `json:"token"`
	}
	do(t, "koordinator", "POST", "/api/v1/me/tokens", map[string]any{"name": "hp"}).json(t, &mine)
	expectStatus(t, do(t, "petugas", "DELETE", fmt.Sprintf("/api/v1/me/tokens/%d", mine.Token.ID), nil), http.StatusNotFound)
	// An admin can revoke it.
	expectStatus(t, do(t, "admin", "DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", mine.Token.ID), nil), http.StatusOK)

	// An expired token is refused like a revoked one.
	ctx := context.Background()
	tok, secret, err := app.Store.CreateToken(ctx, mustAccountID(ctx, "petugas"), "short", time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	callers["petugas-expired"] = &caller{username: "petugas", token: secret}
	expectStatus(t, do(t, "petugas-expired", "GET", "/api/v1/me", nil), http.StatusUnauthorized)
	_ = tok
}

func TestLoginThrottlingAndLockout(t *testing.T) {
	ctx := context.Background()
	login := func(base, username, password string) *response {
		return doOn(t, base, "", "POST", "/api/v1/session", map[string]string{"username": username, "password": password})
	}
	if _, err := app.Store.CreateAccount(ctx, "lupa-sandi", "Staf Pelupa", mustHash(t, testPassword)); err != nil {
		t.Fatal(err)
	}
	expectStatus(t, login(api.URL, "lupa-sandi", "wrong-password-1"), http.StatusUnauthorized)
	expectStatus(t, login(api.URL, "nobody-at-all", testPassword), http.StatusUnauthorized)
	for i := 2; i < options.HTTP.LoginMaxFailures; i++ {
		expectStatus(t, login(api.URL, "lupa-sandi", "wrong-password-x"), http.StatusUnauthorized)
	}
	resp := login(api.URL, "lupa-sandi", "wrong-password-x")
	expectStatus(t, resp, http.StatusTooManyRequests)
	if resp.header.Get("Retry-After") == "" {
		t.Error("a locked account's answer has no Retry-After")
	}
	// Locked: even the right password is refused until the lock ends.
	expectStatus(t, login(api.URL, "lupa-sandi", testPassword), http.StatusTooManyRequests)

	// Per client address: a replica allowing 3 attempts a minute refuses the 4th.
	o := options
	o.Migrate = false
	o.HTTP.LoginPerIPPerMinute = 3
	replica, err := apiserver.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	srv := httptest.NewServer(replica.Handler.Handler())
	defer srv.Close()
	for i := range 3 {
		expectStatus(t, login(srv.URL, fmt.Sprintf("tebak-%d", i), "guess-guess-guess"), http.StatusUnauthorized)
	}
	expectStatus(t, login(srv.URL, "petugas", testPassword), http.StatusTooManyRequests)
}

func TestSigningInHashesAnOlderPasswordHashAgain(t *testing.T) {
	ctx := context.Background()
	// 64 MiB a hash, the parameters of earlier releases.
	old, err := argon2id.CreateHash(testPassword, argon2id.DefaultParams)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := app.Store.CreateAccount(ctx, "akun-lama", "Staf Lama", old)
	if err != nil {
		t.Fatal(err)
	}
	signIn := func() {
		t.Helper()
		resp := doOn(t, api.URL, "", "POST", "/api/v1/session", map[string]string{"username": "akun-lama", "password": testPassword})
		expectStatus(t, resp, http.StatusCreated)
	}
	signIn()
	now, err := app.Store.AccountByID(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.PasswordHash() == old || password.Outdated(now.PasswordHash()) {
		t.Fatal("the older hash was kept")
	}
	signIn() // the new hash holds the same password
}

func TestSessionCookieCSRFAndLogout(t *testing.T) {
	resp := doOn(t, api.URL, "", "POST", "/api/v1/session", map[string]string{"username": "supervisor", "password": testPassword})
	expectStatus(t, resp, http.StatusCreated)
	var sess struct {
		CSRFToken string `json:"csrfToken"`
	}
	resp.json(t, &sess)
	cookie := ""
	for _, c := range (&http.Response{Header: resp.header}).Cookies() {
		if c.Name == "slrt_session" {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie attributes: %+v", c)
			}
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" || sess.CSRFToken == "" {
		t.Fatalf("no session: %s", resp.body)
	}
	withCookie := func(method, path string, body any, extra ...string) *response {
		return do(t, "", method, path, body, append([]string{"Cookie", cookie}, extra...)...)
	}
	var me struct {
		Via string `json:"via"`
	}
	withCookie("GET", "/api/v1/me", nil).json(t, &me)
	if me.Via != "session" {
		t.Errorf("via %q", me.Via)
	}
	expectStatus(t, withCookie("GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil), http.StatusOK)
	// An unsafe request with the cookie alone (a forged cross-site form) is refused.
	expectStatus(t, withCookie("POST", "/api/v1/me/tokens", map[string]any{"name": "x"}), http.StatusForbidden)
	expectStatus(t, withCookie("POST", "/api/v1/me/tokens", map[string]any{"name": "x"}, "X-CSRF-Token", "wrong"), http.StatusForbidden)
	expectStatus(t, withCookie("POST", "/api/v1/me/tokens", map[string]any{"name": "x"}, "X-CSRF-Token", sess.CSRFToken), http.StatusCreated)

	expectStatus(t, withCookie("DELETE", "/api/v1/session", nil, "X-CSRF-Token", sess.CSRFToken), http.StatusNoContent)
	expectStatus(t, withCookie("GET", "/api/v1/me", nil), http.StatusUnauthorized)
}

// A grant made through one replica takes effect on another without a
// restart, through the control database's notification; withdrawing it
// takes effect the same way.
func TestGrantChangesReachEveryReplica(t *testing.T) {
	ctx := context.Background()
	o := options
	o.Migrate = false
	replica, err := apiserver.Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	other := httptest.NewServer(replica.Handler.Handler())
	defer other.Close()

	path := "/api/v1/kecamatan/32.73.03/kelurahan"
	expectStatus(t, doOn(t, other.URL, "nogrant", "GET", path, nil), http.StatusForbidden)
	resp := do(t, "admin", "POST", "/api/v1/admin/grants", map[string]any{"username": "nogrant", "role": "supervisor", "domain": "32.73.03"})
	expectStatus(t, resp, http.StatusCreated)
	granted := time.Now()
	var g store.Grant
	resp.json(t, &g)
	if err := waitFor(10*time.Second, func() error {
		if doOn(t, other.URL, "nogrant", "GET", path, nil).status != http.StatusOK {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatal("the grant did not reach the other replica")
	}
	t.Logf("grant propagated to the other replica in %s", time.Since(granted).Round(time.Millisecond))

	expectStatus(t, do(t, "admin", "DELETE", fmt.Sprintf("/api/v1/admin/grants/%d", g.ID), nil), http.StatusNoContent)
	if err := waitFor(10*time.Second, func() error {
		if doOn(t, other.URL, "nogrant", "GET", path, nil).status != http.StatusForbidden {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatal("the withdrawn grant still works on the other replica")
	}

	// A token revoked through one replica stops on the other as soon as the
	// notification arrives, though that replica had it cached.
	ctx2 := context.Background()
	tok, secret, err := app.Store.CreateToken(ctx2, mustAccountID(ctx2, "dinsos"), "replicas", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	callers["dinsos-replicas"] = &caller{username: "dinsos", token: secret}
	expectStatus(t, doOn(t, other.URL, "dinsos-replicas", "GET", path, nil), http.StatusOK)
	expectStatus(t, doOn(t, other.URL, "dinsos-replicas", "GET", path, nil), http.StatusOK) // now cached there
	expectStatus(t, do(t, "admin", "DELETE", fmt.Sprintf("/api/v1/admin/tokens/%d", tok.ID), nil), http.StatusOK)
	revoked := time.Now()
	if err := waitFor(10*time.Second, func() error {
		if doOn(t, other.URL, "dinsos-replicas", "GET", path, nil).status != http.StatusUnauthorized {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatal("the revoked token still works on the other replica")
	}
	t.Logf("token revocation reached the other replica in %s", time.Since(revoked).Round(time.Millisecond))

	// A grant must match its role's level, and an admin grants only where
	// its own grant reaches.
	resp = do(t, "admin", "POST", "/api/v1/admin/grants", map[string]any{"username": "nogrant", "role": "petugas", "domain": "32.73.03"})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	expectField(t, resp, "/domain")
	expectStatus(t, do(t, "admin", "POST", "/api/v1/admin/grants", map[string]any{"username": "nogrant", "role": "supervisor", "domain": "32.74.01"}), http.StatusForbidden)
}

func expectField(t *testing.T, r *response, field string) {
	t.Helper()
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Errors {
		if e.Field == field {
			return
		}
	}
	t.Errorf("no error for field %s in %s", field, r.body)
}
