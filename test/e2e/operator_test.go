// Package e2e runs the shipped binaries as a city IT person would: the
// slrt-operator process against a real control plane and PostgreSQL, and
// kubectl to onboard a kecamatan and watch it become Ready.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true, Kube: true}, &env))
}

func TestOnboardingWithKubectlAndTheOperatorBinary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kubeconfig := writeKubeconfig(t, dir)
	kubectl := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(env.Kube.Assets, "kubectl"), append([]string{"--kubeconfig", kubeconfig}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}

	// City IT prepares the platform namespace and the database server's admin Secret.
	kubectl("create", "namespace", "slrt-system")
	kubectl("-n", "slrt-system", "create", "secret", "generic", "slrt-postgres-admin",
		"--from-literal=host="+env.Postgres.Host, "--from-literal=port="+strconv.Itoa(env.Postgres.Port),
		"--from-literal=username="+env.Postgres.User, "--from-literal=password="+env.Postgres.Password,
		"--from-literal=sslmode=disable")

	metricsAddr, probeAddr := freeAddr(t), freeAddr(t)
	bin := buildOperator(t, dir)
	op := exec.Command(bin, "--namespace=slrt-system", "--metrics-bind-address="+metricsAddr,
		"--health-probe-bind-address="+probeAddr, "--leader-elect=false")
	op.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	// A file, not a buffer: the process writes while the test reads.
	logFile, err := os.Create(filepath.Join(dir, "operator.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	op.Stdout, op.Stderr = logFile, logFile
	logs := func() string {
		data, _ := os.ReadFile(logFile.Name())
		return string(data)
	}
	if err := op.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = op.Process.Signal(os.Interrupt)
		_ = op.Wait()
		if t.Failed() {
			t.Logf("operator log:\n%s", logs())
		}
	})
	waitHTTP(t, "http://"+probeAddr+"/readyz")

	kubectl("apply", "-f", filepath.Join(env.Root, "config", "samples", "babakan-ciparay.yaml"))
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "kecamatan/babakan-ciparay")

	table := kubectl("get", "kec")
	for _, want := range []string{"CODE", "READY", "SCHEMA", "32.73.03", "Babakan Ciparay", "True"} {
		if !strings.Contains(table, want) {
			t.Errorf("kubectl get kec lacks %q:\n%s", want, table)
		}
	}
	count := kubectl("get", "kecamatan", "babakan-ciparay", "-o", "jsonpath={.status.kelurahanCount}")
	if count != "6" {
		t.Errorf("kelurahanCount = %q, want 6", count)
	}

	// The logs are JSON lines, and the metrics endpoint counts the tenant.
	for _, line := range strings.Split(strings.TrimSpace(logs()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("log line is not JSON: %s", line)
			break
		}
	}
	metrics := get(t, "http://"+metricsAddr+"/metrics")
	if !strings.Contains(metrics, `slrt_operator_tenants{condition="Ready",status="True"} 1`) {
		t.Errorf("metrics do not count the Ready tenant:\n%.2000s", grepLines(metrics, "slrt_operator"))
	}

	// The Events tell city IT what happened.
	events := kubectl("get", "events", "-A", "--field-selector", "involvedObject.name=babakan-ciparay")
	if !strings.Contains(events, "Provisioned") {
		t.Errorf("no Provisioned event:\n%s", events)
	}

	c, err := client.New(env.Kube.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, client.ObjectKey{Name: "slrt-32-73-03"}, ns); err != nil {
		t.Fatalf("tenant namespace: %v", err)
	}

}

func buildOperator(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "slrt-operator")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/slrt-operator")
	cmd.Dir = env.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building slrt-operator: %v\n%s", err, out)
	}
	return bin
}

// writeKubeconfig writes a kubeconfig for the test control plane, as an
// administrator would have one.
func writeKubeconfig(t *testing.T, dir string) string {
	t.Helper()
	cfg := env.Kube.Config
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	path := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return string(body)
}

func grepLines(s, substr string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return fmt.Sprint(strings.Join(out, "\n"))
}
