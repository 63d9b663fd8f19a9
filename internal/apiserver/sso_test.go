package apiserver_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// unreachableIssuer is a provider nobody answers for (the discard port).
const unreachableIssuer = "http://127.0.0.1:9"

// While the city's identity provider is down, single sign-on answers 503
// with Retry-After and says so in the page's language; the password form
// stays, and nothing else is affected.
func TestSingleSignOnAnswers503WhileTheProviderIsDown(t *testing.T) {
	page := func(path string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", api.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp, b.String()
	}
	resp, body := page("/masuk/sso?next=/")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("with the provider down: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "tidak dapat dihubungi") || !strings.Contains(body, `id="password"`) || !strings.Contains(body, `id="login-sso"`) {
		t.Errorf("the page does not say the provider is down, or lacks a way to sign in:\n%s", body)
	}
	// A return from the provider this browser never began is refused.
	if resp, _ := page("/masuk/sso/kembali?state=x&code=y"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a return never begun: %d", resp.StatusCode)
	}
}

// City IT creates an account linked to a person at the identity provider
// from the web app: it has no password, its page shows the link, and the
// same subject cannot be given to a second account; the link is changed
// and removed on the account's page.
func TestWebCityITCreatesAnAccountLinkedToTheIdentityProvider(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/admin/akun"); !strings.Contains(r.body, `id="subjek-baru"`) {
		t.Fatalf("the new-account form has no field for the identity provider: %s", r.body)
	}
	r := admin.post("/admin/akun", url.Values{"username": {"yayan.sso"}, "nama": {"Yayan"}, "subjek": {"kc-4f1e-yayan"}})
	if r.status != http.StatusSeeOther || r.location != "/admin/akun/yayan.sso" {
		t.Fatalf("creating a linked account: %d %q %s", r.status, r.location, r.body)
	}
	if r := admin.get("/admin/akun/yayan.sso"); !strings.Contains(r.body, `value="kc-4f1e-yayan"`) {
		t.Errorf("the account's page does not show its link: %s", r.body)
	}
	acct, err := app.Store.AccountByUsername(t.Context(), "yayan.sso")
	if err != nil || acct.PasswordHash() != "" || acct.OIDCSubject != "kc-4f1e-yayan" || acct.OIDCIssuer != unreachableIssuer {
		t.Fatalf("stored: %+v %v", acct, err)
	}
	if r := admin.post("/admin/akun", url.Values{"username": {"yayan.dua"}, "nama": {"Yayan"}, "subjek": {"kc-4f1e-yayan"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Akun lain sudah ditautkan") {
		t.Fatalf("the same subject again: %d %s", r.status, r.body)
	}
	if r := admin.post("/admin/akun/yayan.sso/sso", url.Values{"subjek": {""}}); r.status != http.StatusSeeOther {
		t.Fatalf("unlinking: %d %s", r.status, r.body)
	}
	if acct, _ := app.Store.AccountByUsername(t.Context(), "yayan.sso"); acct.OIDCSubject != "" {
		t.Errorf("still linked to %q", acct.OIDCSubject)
	}
}
