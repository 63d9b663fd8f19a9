package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// `make dev`'s stack, started the way make dev starts it (the slrt-dev
// binary): it brings everything up with the pilot kecamatan and demo data,
// the demo petugas records a complaint and a referral that the demo
// koordinator sends, and Ctrl-C stops every part cleanly.
func TestDevStackStartsServesAndStopsCleanly(t *testing.T) {
	dir, err := os.MkdirTemp("", "slrt-dev-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// PostgreSQL runs as its own user when the tests run as root: it must be
	// able to reach its folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(filepath.Join(binaries(t), "slrt-dev"), "--root", env.Root, "--dir", dir, "--bin", binaries(t),
		"--kube-assets", env.Kube.Assets, "--api-listen", addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		for sc := bufio.NewScanner(out); sc.Scan(); {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var printed []string
	waitLine := func(prefix string, timeout time.Duration) {
		t.Helper()
		deadline := time.After(timeout)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("slrt-dev ended before %q:\n%s\n%s", prefix, strings.Join(printed, "\n"), stderr.String())
				}
				printed = append(printed, l)
				if strings.HasPrefix(l, prefix) {
					return
				}
			case <-deadline:
				t.Fatalf("no %q after %s:\n%s", prefix, timeout, strings.Join(printed, "\n"))
			}
		}
	}
	waitLine("Ctrl-C stops everything", 4*time.Minute)
	summary := strings.Join(printed, "\n")
	for _, want := range []string{"Babakan Ciparay (32.73.03) Ready", "Bojongloa Kaler (32.73.04) Ready", "Bandung Kulon (32.73.15) Ready",
		"http://" + addr, "petugas.babakanciparay", "dinkes", "auditor", filepath.Join(dir, "kubeconfig"), filepath.Join(dir, "logs")} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary does not mention %q:\n%s", want, summary)
		}
	}
	// kubectl works with the kubeconfig it wrote.
	kubectl := exec.Command(filepath.Join(env.Kube.Assets, "kubectl"), "--kubeconfig", filepath.Join(dir, "kubeconfig"), "get", "kec")
	if kout, err := kubectl.CombinedOutput(); err != nil || strings.Count(string(kout), "True") != 3 {
		t.Errorf("kubectl get kec: %v\n%s", err, kout)
	}

	server := "http://" + addr
	petugas := devLogin(t, server, "petugas.babakanciparay")
	koordinator := devLogin(t, server, "koordinator.babakanciparay")
	base := server + "/api/v1/kecamatan/32.73.03"
	found := apiCall(t, petugas, "POST", base+"/penduduk/cari", map[string]any{"name": "Asep"}, http.StatusOK)
	items, _ := found["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("the demo registry has no Asep: %v", found)
	}
	person := items[0].(map[string]any)["id"]
	complaint := apiCall(t, petugas, "POST", base+"/keluhan", map[string]any{"personId": person, "channel": "telepon",
		"category": "IURAN_BPJS", "description": "Kartu KIS tidak aktif", "urgency": "segera"}, http.StatusCreated)
	ref := apiCall(t, petugas, "POST", base+"/rujukan", map[string]any{"complaintId": complaint["id"], "service": "REAKTIVASI_PBI",
		"documentsProvided": []string{"KTP"}}, http.StatusCreated)
	sent := apiCall(t, koordinator, "POST", fmt.Sprintf("%s/rujukan/%v/status", base, ref["id"]), map[string]any{"status": "requested"}, http.StatusOK)
	if sent["status"] != "requested" {
		t.Errorf("after sending: %v", sent)
	}
	// Referrals in every status are there for the demo.
	list := apiCall(t, petugas, "GET", base+"/rujukan?limit=500", nil, http.StatusOK)
	statuses := map[string]bool{}
	for _, it := range list["items"].([]any) {
		statuses[it.(map[string]any)["status"].(string)] = true
	}
	if len(statuses) != 8 {
		t.Errorf("demo referrals cover %d statuses, want all 8: %v", len(statuses), statuses)
	}

	// PostgreSQL killed: the stack starts it again and serves on.
	pid, err := os.ReadFile(filepath.Join(dir, "postgres", "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	var postmaster int
	if _, err := fmt.Sscan(string(pid), &postmaster); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(postmaster, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitLine("==> PostgreSQL stopped", time.Minute)
	waitOK(t, "POST", base+"/penduduk/cari", petugas, `{"name":"Asep"}`, time.Minute)

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			printed = append(printed, l)
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("slrt-dev did not stop cleanly: %v\n%s", err, stderr.String())
		}
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("slrt-dev did not stop within 90 s of Ctrl-C")
	}
	if _, err := os.Stat(filepath.Join(dir, "postgres", "data", "postmaster.pid")); err == nil {
		t.Error("PostgreSQL still runs (postmaster.pid is there)")
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Error("the API still listens after Ctrl-C")
	}
}

// A port already taken stops slrt-dev at once, naming it.
func TestDevStackRefusesATakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(binaries(t), "slrt-dev"), "--root", env.Root, "--dir", dir, "--bin", binaries(t),
		"--kube-assets", env.Kube.Assets, "--api-listen", l.Addr().String())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "cannot listen on "+l.Addr().String()) {
		t.Errorf("slrt-dev on a taken port: %v\n%s", err, out)
	}
}

func devLogin(t *testing.T, server, username string) string {
	t.Helper()
	out, err := runSlrtctl(t, "coba-slrt-bandung\n", "login", username, "--server", server)
	if err != nil {
		t.Fatalf("login %s: %v\n%s", username, err, out)
	}
	return strings.TrimSpace(out)
}
