package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvChromium names a Chromium binary to use instead of the one on PATH.
const EnvChromium = "SLRT_TEST_CHROMIUM"

// Browser starts a headless Chromium for a test (`make chromium` installs
// one) and returns its context, which ends with the test or after within.
func Browser(t *testing.T, within time.Duration) context.Context {
	t.Helper()
	path := os.Getenv(EnvChromium)
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("Chromium is missing: run make chromium (or set SLRT_TEST_CHROMIUM)")
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // the tests run as root
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
	)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	// Started now, on this context: a browser started by a step's own
	// shorter context would end with that step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// EnvAxe names the axe-core script (axe.min.js) the accessibility test
// injects, instead of the one `make axe` unpacks into bin/.
const EnvAxe = "SLRT_TEST_AXE"

// Axe returns the axe-core script: SLRT_TEST_AXE, or the newest
// bin/axe-core-*/axe.min.js of the repository.
func Axe(t *testing.T) string {
	t.Helper()
	path := os.Getenv(EnvAxe)
	if path == "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatal(err)
		}
		found, _ := filepath.Glob(filepath.Join(root, "bin", "axe-core-*", "axe.min.js"))
		if len(found) == 0 {
			t.Fatal("axe-core is missing: run make axe (or set SLRT_TEST_AXE)")
		}
		sort.Strings(found)
		path = found[len(found)-1]
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
