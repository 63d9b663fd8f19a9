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
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/ociimage"
	"github.com/slrt-id/slrt/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true, Kube: true}, &env))
}

func TestOnboardingWithKubectlAndTheOperatorBinary(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kubeconfig := writeKubeconfig(t, dir, "")
	kubectl := kubectlFor(t, kubeconfig)

	prepareCluster(t, kubectl)
	metricsAddr, probeAddr := freeAddr(t), freeAddr(t)
	backups := filepath.Join(dir, "backups")
	op := start(t, "slrt-operator", []string{"KUBECONFIG=" + kubeconfig}, "--namespace=slrt-system",
		"--metrics-bind-address="+metricsAddr, "--health-probe-bind-address="+probeAddr, "--leader-elect=false",
		"--backup-dir="+backups, "--pg-bin-dir="+env.Postgres.Bin())
	waitHTTP(t, "http://"+probeAddr+"/readyz")

	kubectl("apply", "-f", filepath.Join(env.Root, "config", "samples", "babakan-ciparay.yaml"))
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "kecamatan/babakan-ciparay")

	table := kubectl("get", "kec")
	for _, want := range []string{"CODE", "READY", "SERVER", "SCHEMA", "32.73.03", "Babakan Ciparay", "True", "default"} {
		if !strings.Contains(table, want) {
			t.Errorf("kubectl get kec lacks %q:\n%s", want, table)
		}
	}
	// The sample names no server: placement put it on the one there is, and
	// the server reports itself (other tests' tenants share it: no count).
	if placed := kubectl("get", "kecamatan", "babakan-ciparay", "-o", `jsonpath={.status.conditions[?(@.type=="Placed")].reason}`); placed != "PlacedByPolicy" {
		t.Errorf("Placed reason = %q, want PlacedByPolicy", placed)
	}
	kubectl("wait", "--for=condition=Reachable", "--timeout=60s", "databaseserver/default")
	servers := kubectl("get", "dbs")
	for _, want := range []string{"ADDRESS", "REACHABLE", "TENANTS", "MAX", "DRAINING", "VERSION", "default", "True", "200"} {
		if !strings.Contains(servers, want) {
			t.Errorf("kubectl get dbs lacks %q:\n%s", want, servers)
		}
	}
	count := kubectl("get", "kecamatan", "babakan-ciparay", "-o", "jsonpath={.status.kelurahanCount}")
	if count != "6" {
		t.Errorf("kelurahanCount = %q, want 6", count)
	}

	// The logs are JSON lines, and the metrics endpoint counts the tenant.
	for _, line := range strings.Split(strings.TrimSpace(op.logs()), "\n") {
		if !strings.HasPrefix(line, "{") {
			t.Errorf("log line is not JSON: %s", line)
			break
		}
	}
	metrics := get(t, "http://"+metricsAddr+"/metrics")
	// Other tests of the package may have onboarded tenants too.
	if !regexp.MustCompile(`(?m)^slrt_operator_tenants\{condition="Ready",status="True"\} [1-9]`).MatchString(metrics) {
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

	// A backup on demand, and the nightly schedule of the sample.
	kubectl("apply", "-f", filepath.Join(env.Root, "config", "samples", "kecamatan-backup.yaml"))
	kubectl("wait", "--for=jsonpath={.status.phase}=Completed", "--timeout=60s", "kecamatanbackup/babakan-ciparay-before-import")
	backupsTable := kubectl("get", "kbak", "-o", "wide")
	for _, want := range []string{"KECAMATAN", "PHASE", "SIZE", "FILE", "babakan-ciparay", "32.73.03", "Completed", "32.73.03/babakan-ciparay-before-import.dump"} {
		if !strings.Contains(backupsTable, want) {
			t.Errorf("kubectl get kbak lacks %q:\n%s", want, backupsTable)
		}
	}
	if _, err := os.Stat(filepath.Join(backups, "32.73.03", "babakan-ciparay-before-import.dump")); err != nil {
		t.Errorf("the dump is not in --backup-dir: %v", err)
	}
	kubectl("wait", "--for=condition=BackupScheduled", "--timeout=60s", "kecamatan/babakan-ciparay")

}

var (
	binDir   string
	prepared bool
)

// binaries builds the shipped binaries once per test run and returns their folder.
func binaries(t testing.TB) string {
	t.Helper()
	if binDir != "" {
		return binDir
	}
	dir, err := os.MkdirTemp("", "slrt-e2e-bin-*")
	if err != nil {
		t.Fatal(err)
	}
	env.Cleanup(func() { os.RemoveAll(dir) })
	// Built as the images carry them (and sharing their build cache).
	if err := ociimage.GoBuild(context.Background(), env.Root, "", dir+"/", "./cmd/..."); err != nil {
		t.Fatal(err)
	}
	binDir = dir
	return dir
}

// prepareCluster does what city IT does once before installing: the platform
// namespace, the database server's admin Secret and its DatabaseServer.
func prepareCluster(t testing.TB, kubectl func(...string) string) {
	t.Helper()
	if prepared {
		return
	}
	kubectl("create", "namespace", "slrt-system")
	kubectl("-n", "slrt-system", "create", "secret", "generic", "slrt-postgres-admin",
		"--from-literal=host="+env.Postgres.Host, "--from-literal=port="+strconv.Itoa(env.Postgres.Port),
		"--from-literal=username="+env.Postgres.User, "--from-literal=password="+env.Postgres.Password,
		"--from-literal=sslmode=disable")
	kubectl("apply", "-f", filepath.Join(env.Root, "config", "samples", "database-server.yaml"))
	prepared = true
}

func kubectlFor(t testing.TB, kubeconfig string) func(...string) string {
	return func(args ...string) string {
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
}

// writeKubeconfig writes a kubeconfig for the test control plane, as an
// administrator would have one; with as set, it acts as that user (a
// ServiceAccount, the way a pod of the chart would be).
func writeKubeconfig(t testing.TB, dir, as string) string {
	t.Helper()
	cfg := env.Kube.Config
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken, Impersonate: as}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	path := filepath.Join(dir, "kubeconfig"+strings.ReplaceAll(as, ":", "-"))
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHTTP(t testing.TB, url string) {
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

func get(t testing.TB, url string) string {
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
