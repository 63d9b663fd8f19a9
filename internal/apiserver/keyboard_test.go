package apiserver_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/slrt-id/slrt/internal/testenv"
)

// keyboard drives Chromium with key presses alone: it reads the page to
// know where the focus is, and never clicks.
type keyboard struct {
	t   *testing.T
	ctx context.Context
}

// press sends keys to whatever holds the focus.
func (k keyboard) press(keys string) {
	k.t.Helper()
	if err := chromedp.Do(k.ctx, chromedp.KeyEvent(keys)); err != nil {
		k.t.Fatalf("pressing %q: %v", keys, err)
	}
}

// focused reports whether the focused element matches the CSS selector.
func (k keyboard) focused(selector string) bool {
	k.t.Helper()
	ok, err := chromedp.Run(k.ctx, chromedp.Evaluate[bool](`!!document.activeElement && document.activeElement.matches(`+jsString(selector)+`)`))
	if err != nil {
		k.t.Fatal(err)
	}
	return ok
}

// tabTo presses Tab until the element matching selector has the focus: it
// must be reachable by the keyboard, and show that it is focused.
func (k keyboard) tabTo(selector string) {
	k.t.Helper()
	for range 150 {
		if k.focused(selector) {
			outline, err := chromedp.Run(k.ctx, chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`))
			if err != nil || outline == "none" {
				k.t.Fatalf("%s has the focus but shows no outline (%q, %v)", selector, outline, err)
			}
			return
		}
		k.press(kb.Tab)
	}
	html, _ := chromedp.Run(k.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	k.t.Fatalf("Tab never reached %s on:\n%s", selector, html)
}

// choose picks a select's option with the arrow keys.
func (k keyboard) choose(selector, value string) {
	k.t.Helper()
	k.tabTo(selector)
	for range 60 {
		v, err := chromedp.Run(k.ctx, chromedp.Evaluate[string](`document.activeElement.value`))
		if err != nil {
			k.t.Fatal(err)
		}
		if v == value {
			return
		}
		k.press(kb.ArrowDown)
	}
	k.t.Fatalf("the arrow keys never chose %s in %s", value, selector)
}

// await waits for an element of the next page.
func (k keyboard) await(selector string) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(k.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		html, _ := chromedp.Run(k.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		k.t.Fatalf("waiting for %s: %v\n%s", selector, err, html)
	}
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// A Puskesos officer does the intake with the keyboard alone: signs in,
// skips to the content, finds a resident, records the complaint and refers
// it, every control reached with Tab and showing its focus.
func TestIntakeWithTheKeyboardAlone(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Oom Rohimah", "P", "1958-02-11", "kepala_keluarga"})
	k := keyboard{t, testenv.Browser(t, 3*time.Minute)}
	// A headless page never has the window's focus, which :focus-visible
	// waits for; a person's browser does.
	if _, err := chromedp.Call(k.ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(k.ctx, chromedp.Navigate(api.URL+"/masuk")); err != nil {
		t.Fatal(err)
	}
	k.tabTo("#username")
	k.press("petugas")
	k.tabTo("#password")
	k.press(testPassword + kb.Enter)
	k.await("#new")

	// The skip link is the first stop, and leads past the header.
	k.tabTo("a.skip")
	k.press(kb.Enter)
	k.tabTo("#new")
	k.press(kb.Enter)
	k.await("#name")
	k.tabTo("#name")
	k.press("Oom Rohimah" + kb.Enter)
	k.await("#found")
	k.tabTo("#found a.button")
	k.press(kb.Enter)
	k.await("#description")
	k.choose("#category", "IURAN_BPJS")
	k.choose("#urgency", "segera")
	k.tabTo("#description")
	k.press("Iuran BPJS menunggak tiga bulan.")
	k.tabTo("#save")
	k.press(kb.Enter)
	k.await("#saved")

	k.choose("#service", "PBI_JK")
	k.tabTo("#choose-service")
	k.press(kb.Enter)
	k.await("#refer")
	k.tabTo(`form:has(#refer) input[name="documents"][value="KK"]`)
	k.press(" ")
	k.tabTo("#refer")
	k.press(kb.Enter)
	k.await("#referred")
}
