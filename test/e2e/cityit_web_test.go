package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tab drives one Chromium tab for a test: each step fails the test with
// the page it ended on.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func (b tab) do(what string, within time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\npage:\n%s", what, err, b.html())
	}
}

func (b tab) text(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID(sel)))
	if err != nil {
		b.t.Fatalf("reading #%s: %v", sel, err)
	}
	return v
}

func (b tab) location() string {
	v, _ := chromedp.Run(b.ctx, chromedp.Location())
	return v
}

func (b tab) html() string {
	v, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	return v
}

// City IT does its whole job in the browser against the shipped binaries
// and the operator: onboards a kecamatan chosen from the reference data and
// watches it become Ready on a page that refreshes itself, creates an
// account for a petugas, hands over the one-time password the page shows
// once, and grants the petugas a kelurahan chosen from lists. The petugas
// signs in with it, is made to set a password of their own, and lands on
// the new kecamatan's complaints.
func TestCityITOnboardsAndStaffsAKecamatanInTheBrowser(t *testing.T) {
	server, _ := startPlatform(t, "slrt_control_cityit_web", "--insecure-cookies")
	b := tab{t, browser(t)}
	id := func(s string) chromedp.ID { return chromedp.ID(s) }

	b.do("signing in as city IT", 20*time.Second,
		chromedp.Navigate(server+"/"),
		chromedp.WaitVisible(id("username")),
		chromedp.SendKeys(id("username"), "cityit"),
		chromedp.SendKeys(id("password"), "rahasia-kota-bandung"),
		chromedp.Click(id("login")),
		chromedp.WaitVisible(id("tenants-link")),
	)
	b.do("onboarding Andir", 20*time.Second,
		chromedp.Click(id("tenants-link")),
		chromedp.WaitVisible(id("onboard-code")),
		chromedp.SetValue(id("onboard-code"), "32.73.05"),
		chromedp.Click(chromedp.CSS("#onboard button")),
	)
	// The page refreshes itself every 5 s while Andir is provisioned.
	b.do("waiting for Andir to be Ready", 2*time.Minute,
		chromedp.WaitVisible(chromedp.CSS(`[id="kecamatan-32.73.05"] .state-ready`)),
	)

	b.do("creating an account", 20*time.Second,
		chromedp.Navigate(server+"/"),
		chromedp.WaitVisible(id("accounts-link")),
		chromedp.Click(id("accounts-link")),
		chromedp.WaitVisible(id("new-account")),
		chromedp.SendKeys(id("username"), "rina.andir"),
		chromedp.SendKeys(id("nama"), "Rina (Puskesos Maleber)"),
		chromedp.Click(id("create-account")),
		chromedp.WaitVisible(id("one-time-password")),
	)
	oneTime := b.text("one-time-password")
	if len(oneTime) != 19 {
		t.Fatalf("the one-time password shown: %q", oneTime)
	}
	b.do("granting Maleber to the petugas", 20*time.Second,
		chromedp.Click(id("to-account")),
		chromedp.WaitVisible(id("no-grants")),
		chromedp.SetValue(id("peran-pilih"), "petugas"),
		chromedp.Click(id("grant-next")),
		chromedp.WaitVisible(id("tempat")),
		chromedp.SetValue(id("tempat"), "32.73.05.1001"),
		chromedp.Click(id("grant-add")),
		chromedp.WaitVisible(id("grants")),
	)
	if grants := b.text("grants"); !strings.Contains(grants, "Petugas Puskesos · Maleber") {
		t.Fatalf("the grants listed: %q", grants)
	}
	b.do("signing out", 20*time.Second, chromedp.Click(id("logout")), chromedp.WaitVisible(id("login")))

	b.do("the petugas signs in with the one-time password", 20*time.Second,
		chromedp.SendKeys(id("username"), "rina.andir"),
		chromedp.SendKeys(id("password"), oneTime),
		chromedp.Click(id("login")),
		chromedp.WaitVisible(id("one-time")),
	)
	own := "maleber-andir-2026"
	b.do("setting a password of their own", 20*time.Second,
		chromedp.SendKeys(id("sandi_lama"), oneTime),
		chromedp.SendKeys(id("sandi_baru"), own),
		chromedp.SendKeys(id("sandi_ulang"), own),
		chromedp.Click(id("set-password")),
		chromedp.WaitVisible(id("empty")),
	)
	if loc, html := b.location(), b.html(); !strings.HasSuffix(loc, "/kecamatan/32.73.05/keluhan") || !strings.Contains(html, "Andir") {
		t.Fatalf("the petugas landed on %s:\n%s", loc, html)
	}
}
