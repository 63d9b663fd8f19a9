package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Staff sign in with the city's identity provider (a real OpenID Connect
// provider run by the test) through the shipped slrt-api, in Chromium and
// with slrtctl: an account city IT linked signs in and out; a person no
// account is linked to, and one whose account is disabled, are refused; an
// ID token for another client, or expired, is refused; and with password
// sign-in turned off only single sign-on works.
func TestStaffSignInWithTheCitysIdentityProvider(t *testing.T) {
	var (
		dewi = idpUser{Subject: "f3a1c2d4-dewi", Username: "dewi@pemkot.example", Password: "sandi-idp-dewi"}
		budi = idpUser{Subject: "9b7e-budi", Username: "budi@pemkot.example", Password: "sandi-idp-budi"}
		rina = idpUser{Subject: "77aa-rina", Username: "rina@pemkot.example", Password: "sandi-idp-rina"}
	)
	const tokenLifetime = 8 * time.Second
	idp := startIdentityProvider(t, dewi, budi, rina)
	idp.nativeClient("slrtctl", tokenLifetime)
	idp.nativeClient("other-app", 0)
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte("rahasia-klien-web\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sso := []string{"--insecure-cookies", "--oidc-issuer", idp.issuer, "--oidc-client-id", "slrt-web",
		"--oidc-client-secret-file", secret, "--oidc-cli-client-id", "slrtctl", "--oidc-display-name", "SSO Pemkot"}
	p := runPlatform(t, "slrt_control_sso", sso...)
	server, admin := p.server, p.admin
	// A second replica where city IT turned password sign-in off.
	ssoOnly := p.anotherAPI(append(sso, "--password-sign-in=false")...)
	idp.webClient("slrt-web", "rahasia-klien-web",
		[]string{server + "/masuk/sso/kembali", ssoOnly + "/masuk/sso/kembali"}, []string{server + "/masuk", ssoOnly + "/masuk"})

	// City IT creates Dewi's account linked to her, with no password;
	// Rina's has a password, is linked afterwards, and is disabled.
	mustSlrtctl(t, "", append([]string{"accounts", "create", "dewi", "--display-name", "Dewi (Puskesos)", "--sso", dewi.Subject}, admin...)...)
	mustSlrtctl(t, "kata-sandi-lokal-2026\n", append([]string{"accounts", "create", "rina", "--display-name", "Rina (Puskesos)"}, admin...)...)
	mustSlrtctl(t, "", append([]string{"accounts", "link-sso", "rina", rina.Subject}, admin...)...)
	mustSlrtctl(t, "", append([]string{"accounts", "disable", "rina"}, admin...)...)
	if out, err := runSlrtctl(t, "kata-sandi-lokal-2026\n", "login", "dewi", "--server", server); err == nil || !strings.Contains(out, "401") {
		t.Errorf("a password sign-in to an account with none: %v %s", err, out)
	}
	if out, err := runSlrtctl(t, "", append([]string{"accounts", "link-sso", "cityit", dewi.Subject}, admin...)...); err == nil || !strings.Contains(out, "another account is linked") {
		t.Errorf("a subject linked to two accounts: %v %s", err, out)
	}

	ctx := browser(t)
	b := tab{t, ctx}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		b.do(what, 20*time.Second, steps...)
	}
	location := b.location
	type step = chromedp.Action[chromedp.Void]
	// steps strings actions and groups of them together.
	steps := func(groups ...any) []step {
		var out []step
		for _, g := range groups {
			switch g := g.(type) {
			case step:
				out = append(out, g)
			case []step:
				out = append(out, g...)
			}
		}
		return out
	}
	signInAtIdP := func(who idpUser) []step {
		return []step{
			chromedp.Click(chromedp.ID("login-sso")),
			// The provider's own login page.
			chromedp.WaitVisible(`form[action="/login/username"]`),
			chromedp.SendKeys(`form[action="/login/username"] #username`, who.Username),
			chromedp.SendKeys(`form[action="/login/username"] #password`, who.Password),
			chromedp.Submit(`form[action="/login/username"]`),
		}
	}

	// Dewi signs in through the provider and lands home, signed in.
	do("Dewi signs in with SSO", steps(
		chromedp.Navigate(server+"/masuk"),
		chromedp.WaitVisible(chromedp.ID("password")), // the password form stays on this replica
		signInAtIdP(dewi),
		chromedp.WaitVisible(chromedp.ID("logout")),
	)...)
	if u := location(); u != server+"/" {
		t.Errorf("after sign-in at %s, want %s/", u, server)
	}
	// Signing out ends the platform's session and the provider's, and
	// comes back to the sign-in page.
	do("Dewi signs out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-sso")))
	if u := location(); u != server+"/masuk" {
		t.Errorf("after sign-out at %s, want %s/masuk", u, server)
	}
	do("the session is over", chromedp.Navigate(server+"/"), chromedp.WaitVisible(chromedp.ID("login-sso")))

	// Budi is known to the provider but to no account; Rina's is disabled.
	for _, who := range []idpUser{budi, rina} {
		do("refused: "+who.Username, steps(
			chromedp.Navigate(server+"/masuk"),
			signInAtIdP(who),
			chromedp.WaitVisible(chromedp.ID("login-error")),
		)...)
		if msg := b.text("login-error"); !strings.Contains(msg, "belum ditautkan") {
			t.Errorf("%s was told %q", who.Username, msg)
		}
		if _, err := chromedp.Run(ctx, chromedp.Navigate(server+"/")); err != nil {
			t.Fatal(err)
		}
		if u := location(); !strings.HasPrefix(u, server+"/masuk") {
			t.Errorf("%s is signed in after all: %s", who.Username, u)
		}
	}

	// With password sign-in off, the page offers single sign-on only, the
	// API refuses passwords, and single sign-on works.
	do("the SSO-only page", chromedp.Navigate(ssoOnly+"/masuk"), chromedp.WaitVisible(chromedp.ID("login-sso")))
	if html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main"))); strings.Contains(html, `id="password"`) {
		t.Error("the password form is offered with password sign-in off")
	}
	if out, err := runSlrtctl(t, "kata-sandi-lokal-2026\n", "login", "dewi", "--server", ssoOnly); err == nil || !strings.Contains(out, "403") {
		t.Errorf("a password sign-in with passwords off: %v %s", err, out)
	}
	do("Dewi signs in on the SSO-only replica", steps(signInAtIdP(dewi), chromedp.WaitVisible(chromedp.ID("logout")))...)

	// slrtctl signs in through the provider with a loopback redirect; the
	// test is the browser.
	token := slrtctlSSO(t, server, dewi)
	me := apiCall(t, token, "GET", server+"/api/v1/me", nil, http.StatusOK)
	if acct, _ := me["account"].(map[string]any); acct["username"] != "dewi" {
		t.Errorf("slrtctl's token is %v's", me["account"])
	}

	// ID tokens handed to the API: slrtctl's own works, another client's
	// is refused, and slrtctl's once expired is refused.
	session := func(idToken string) (int, string) {
		resp, err := http.Post(server+"/api/v1/session/oidc", "application/json", strings.NewReader(`{"idToken":"`+idToken+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body bytes.Buffer
		_, _ = body.ReadFrom(resp.Body)
		return resp.StatusCode, body.String()
	}
	fresh := idp.idToken(t, "slrtctl", dewi)
	issued := time.Now()
	if status, body := session(fresh); status != http.StatusCreated {
		t.Errorf("slrtctl's fresh ID token: %d %s", status, body)
	}
	if status, body := session(idp.idToken(t, "other-app", dewi)); status != http.StatusUnauthorized || !strings.Contains(body, "audience") {
		t.Errorf("another client's ID token: %d %s", status, body)
	}
	time.Sleep(time.Until(issued.Add(tokenLifetime + time.Second)))
	if status, body := session(fresh); status != http.StatusUnauthorized || !strings.Contains(body, "expired") {
		t.Errorf("an expired ID token: %d %s", status, body)
	}
	if status, body := session(idp.idToken(t, "slrtctl", budi)); status != http.StatusUnauthorized || !strings.Contains(body, "linked") {
		t.Errorf("an unlinked person's ID token: %d %s", status, body)
	}
}

// slrtctlSSO runs `slrtctl login --oidc`, follows the address it prints as
// a browser would, signs in at the provider as who, and returns the API
// token slrtctl prints.
func slrtctlSSO(t *testing.T, server string, who idpUser) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binaries(t), "slrtctl"), "login", "--oidc", "--server", server)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var authURL string
	var said []string
	for lines.Scan() {
		said = append(said, lines.Text())
		if strings.HasPrefix(lines.Text(), "http") {
			authURL = lines.Text()
			break
		}
	}
	if authURL == "" {
		_ = cmd.Wait()
		t.Fatalf("slrtctl printed no address to sign in at:\n%s", strings.Join(said, "\n"))
	}
	go func() { _, _ = bufio.NewReader(stderr).WriteTo(&bytes.Buffer{}) }()
	signInAtProvider(t, authURL, who, "")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("slrtctl login --oidc: %v", err)
	}
	token := strings.TrimSpace(stdout.String())
	if !strings.HasPrefix(token, "slrt_") {
		t.Fatalf("slrtctl printed %q, not a token", token)
	}
	return token
}
