package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Helm is the helm the tests use: the one `make test` builds (SLRT_HELM),
// else bin/tools/helm-* under the repository root, else one on PATH.
func Helm(tb testing.TB, root string) string {
	tb.Helper()
	if h := os.Getenv("SLRT_HELM"); h != "" {
		return h
	}
	if matches, _ := filepath.Glob(filepath.Join(root, "bin", "tools", "helm-*")); len(matches) > 0 {
		return matches[len(matches)-1]
	}
	if h, err := exec.LookPath("helm"); err == nil {
		return h
	}
	tb.Fatal("no helm: run `make test-deps` or set SLRT_HELM")
	return ""
}
