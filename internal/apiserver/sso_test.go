package apiserver_test

import (
	"io"
	"net/http"
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
