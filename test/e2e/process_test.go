package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/procstat"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/internal/testplatform"
)

// process is a shipped binary running for a test.
type process struct {
	log    string
	pid    int
	killed atomic.Bool
}

// kill stops the process at once (SIGKILL), as a crash or an evicted pod
// would: no cleanup of its own runs.
func (p *process) kill(t testing.TB) {
	t.Helper()
	p.killed.Store(true)
	if err := syscall.Kill(p.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// cpu is the CPU time the process has used so far, on every core.
func (p *process) cpu(t testing.TB) time.Duration {
	t.Helper()
	s, err := procstat.Read(p.pid)
	if err != nil {
		t.Fatal(err)
	}
	return s.CPU
}

// logs returns what the process wrote so far.
func (p *process) logs() string {
	data, _ := os.ReadFile(p.log)
	return string(data)
}

// start runs binary name with args and extra environment until the test
// ends, and shows its log if the test failed.
func start(t testing.TB, name string, extraEnv []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(filepath.Join(binaries(t), name), args...)
	cmd.Env = append(os.Environ(), extraEnv...)
	// A file, not a buffer: the process writes while the test reads.
	logFile, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, stopped by the watchdog should the test
	// binary be killed before its cleanups run.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := testenv.GuardProcess(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	p := &process{log: logFile.Name(), pid: cmd.Process.Pid}
	t.Cleanup(func() {
		// Both binaries shut down gracefully on a signal, with status 0.
		_ = cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil && !p.killed.Load() {
			t.Errorf("%s did not stop cleanly on SIGINT: %v", name, err)
		}
		logFile.Close()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, p.logs())
		}
	})
	return p
}

// nikKeyFile writes a NIK index key where slrt-api reads it, as the chart
// mounts its Secret.
func nikKeyFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nik-index-key")
	if err := os.WriteFile(path, []byte(testplatform.TestNIKIndexKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// apiCall sends a JSON request to the API as the holder of token and
// decodes the JSON answer, failing the test on another status than want.
// A 403 that was not wanted is retried for a moment: a grant just made
// reaches the API through a notification.
func apiCall(t testing.TB, token, method, url string, body any, want int) map[string]any {
	t.Helper()
	var data []byte
	if body != nil {
		data, _ = json.Marshal(body)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusForbidden && want != http.StatusForbidden && time.Now().Before(deadline) {
			continue
		}
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, url, resp.StatusCode, want, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
}

// mustSlrtctl runs slrtctl and fails the test unless it succeeds; it
// returns what slrtctl printed.
func mustSlrtctl(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	out, err := runSlrtctl(tb, stdin, args...)
	if err != nil {
		tb.Fatalf("slrtctl: %v\n%s", err, out)
	}
	return out
}

// startPlatform runs the shipped binaries over a control database of the
// test's own: slrtctl migrates it and creates city IT's admin, then
// slrt-operator and slrt-api (with apiFlags added) run and city IT signs
// in. It returns the API's address and city IT's slrtctl flags.
func startPlatform(t testing.TB, db string, apiFlags ...string) (server string, admin []string) {
	t.Helper()
	p := runPlatform(t, db, apiFlags...)
	return p.server, p.admin
}

// platformRun is a test's platform running as the shipped binaries.
type platformRun struct {
	server string
	admin  []string // slrtctl's flags as city IT
	api    *process
	// startAPI starts slrt-api again, on the same address, after a kill.
	startAPI func() *process
	// anotherAPI starts one more slrt-api replica, with other flags, on
	// another address, and returns that address.
	anotherAPI func(flags ...string) string
}

// runPlatform is startPlatform, keeping hold of the API's process.
func runPlatform(t testing.TB, db string, apiFlags ...string) *platformRun {
	t.Helper()
	kubeconfig, apiKubeconfig, dbURL := prepareAPI(t, db)
	mustSlrtctl(t, "", "migrate", "--database-url", dbURL)
	mustSlrtctl(t, "rahasia-kota-bandung\n", "create-admin", "cityit", "--display-name", "Diskominfo", "--database-url", dbURL)
	start(t, "slrt-operator", []string{"KUBECONFIG=" + kubeconfig}, "--namespace=slrt-system",
		"--metrics-bind-address=0", "--health-probe-bind-address=0")
	addr := freeAddr(t)
	keyFile := nikKeyFile(t)
	p := &platformRun{server: "http://" + addr}
	p.startAPI = func() *process {
		api := start(t, "slrt-api", []string{"KUBECONFIG=" + apiKubeconfig, "SLRT_DATABASE_URL=" + dbURL, "SLRT_NIK_INDEX_KEY_FILE=" + keyFile},
			append([]string{"--listen", addr, "--metrics-listen", "", "--referral-metrics-interval", "0"}, apiFlags...)...)
		waitHTTP(t, p.server+"/readyz")
		return api
	}
	p.anotherAPI = func(flags ...string) string {
		addr := freeAddr(t)
		start(t, "slrt-api", []string{"KUBECONFIG=" + apiKubeconfig, "SLRT_DATABASE_URL=" + dbURL, "SLRT_NIK_INDEX_KEY_FILE=" + keyFile},
			append([]string{"--listen", addr, "--metrics-listen", "", "--referral-metrics-interval", "0"}, flags...)...)
		waitHTTP(t, "http://"+addr+"/readyz")
		return "http://" + addr
	}
	p.api = p.startAPI()
	token := strings.TrimSpace(mustSlrtctl(t, "rahasia-kota-bandung\n", "login", "cityit", "--server", p.server))
	p.admin = []string{"--server", p.server, "--token", token}
	return p
}

// waitOK sends a request as the holder of token until it is answered 200,
// for at most within, and fails the test with the last answer otherwise.
func waitOK(tb testing.TB, method, url, token, body string, within time.Duration) {
	tb.Helper()
	last := "no answer"
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return
		}
		last = resp.Status
	}
	tb.Fatalf("%s %s was not answered 200 within %v: %s", method, url, within, last)
}
