package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// City IT runs a new installation with the shipped binaries only: slrtctl
// migrates the control database and creates the first admin, who signs in,
// onboards a kecamatan, creates a petugas and grants them their kelurahan;
// the petugas then reads it through the API, and nothing more.
func TestCityITWorkflowWithSlrtctl(t *testing.T) {
	kubeconfig, apiKubeconfig, dbURL := prepareAPI(t, "slrt_control_e2e")

	slrtctl := func(stdin string, args ...string) (string, error) { return runSlrtctl(t, stdin, args...) }

	mustSlrtctl(t, "", "migrate", "--database-url", dbURL)
	mustSlrtctl(t, "rahasia-kota-bandung\n", "create-admin", "cityit", "--display-name", "Diskominfo", "--database-url", dbURL)
	if out, err := slrtctl("pendek\n", "create-admin", "other", "--display-name", "X", "--database-url", dbURL); err == nil || !strings.Contains(out, "at least 10") {
		t.Errorf("a short password was accepted: %v %s", err, out)
	}

	operatorMetrics := freeAddr(t)
	start(t, "slrt-operator", []string{"KUBECONFIG=" + kubeconfig}, "--namespace=slrt-system",
		"--metrics-bind-address="+operatorMetrics, "--health-probe-bind-address=0")
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	start(t, "slrt-api", []string{"KUBECONFIG=" + apiKubeconfig, "SLRT_DATABASE_URL=" + dbURL, "SLRT_NIK_INDEX_KEY_FILE=" + nikKeyFile(t)},
		"--listen", addr, "--metrics-listen", metricsAddr, "--insecure-cookies", "--referral-metrics-interval", "200ms")
	server := "http://" + addr
	waitHTTP(t, server+"/readyz")

	token := strings.TrimSpace(mustSlrtctl(t, "rahasia-kota-bandung\n", "login", "cityit", "--server", server))
	as := []string{"--server", server, "--token", token}
	mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", "32.73.04", "Bojongloa Kaler"}, as...)...)
	deadline := time.Now().Add(time.Minute)
	for {
		var list struct {
			Items []struct {
				Code  string `json:"code"`
				Ready bool   `json:"ready"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(mustSlrtctl(t, "", append([]string{"kecamatan", "list", "-o", "json"}, as...)...)), &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) == 1 && list.Items[0].Ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Bojongloa Kaler not ready: %+v", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
	table := mustSlrtctl(t, "", append([]string{"kecamatan", "list"}, as...)...)
	if !strings.Contains(table, "32.73.04") || !strings.Contains(table, "Bojongloa Kaler") {
		t.Errorf("kecamatan list:\n%s", table)
	}

	mustSlrtctl(t, "petugas-kopo-2026\n", append([]string{"accounts", "create", "dewi", "--display-name", "Dewi Lestari"}, as...)...)
	mustSlrtctl(t, "", append([]string{"grants", "add", "dewi", "petugas", "32.73.04.1001"}, as...)...)
	out, err := slrtctl("", append([]string{"grants", "add", "dewi", "petugas", "32.73.04"}, as...)...)
	if err == nil || !strings.Contains(out, "/domain") {
		t.Errorf("a grant at the wrong level was accepted, or the error does not name the field: %v\n%s", err, out)
	}

	petugas := strings.TrimSpace(mustSlrtctl(t, "petugas-kopo-2026\n", "login", "dewi", "--server", server))
	req, _ := http.NewRequest("GET", server+"/api/v1/kecamatan/32.73.04/kelurahan", nil)
	req.Header.Set("Authorization", "Bearer "+petugas)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []struct {
			Code string `json:"code"`
		} `json:"items"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(page.Items) != 1 || page.Items[0].Code != "32.73.04.1001" {
		t.Errorf("the petugas reads %d %+v, want only Kopo (32.73.04.1001)", resp.StatusCode, page.Items)
	}
	// The admin is no auditor.
	if out, err := slrtctl("", append([]string{"audit"}, as...)...); err == nil || !strings.Contains(out, "403") {
		t.Errorf("the admin read the audit log: %v\n%s", err, out)
	}
	if _, err := slrtctl("salah-kata-sandi\n", "login", "dewi", "--server", server); err == nil {
		t.Error("a wrong password signed in")
	}

	referralThroughTheBinaries(t, server, as, petugas)

	// A forgotten password: city IT prints a one-time one; until its holder
	// sets their own, their new token is refused the data.
	oneTime := strings.TrimSpace(mustSlrtctl(t, "", append([]string{"accounts", "reset-password", "dewi"}, as...)...))
	if !regexp.MustCompile(`^[a-z2-9]{4}(-[a-z2-9]{4}){3}$`).MatchString(oneTime) {
		t.Fatalf("reset-password printed %q", oneTime)
	}
	if _, err := slrtctl("petugas-kopo-2026\n", "login", "dewi", "--server", server); err == nil {
		t.Error("the password from before the reset still signs in")
	}
	if out, err := slrtctl(oneTime+"\n", "login", "dewi", "--server", server); err == nil || !strings.Contains(out, "--set-password") {
		t.Errorf("a one-time password got a token: %v\n%s", err, out)
	}
	fresh := strings.TrimSpace(mustSlrtctl(t, oneTime+"\npetugas-kopo-baru-2026\n", "login", "dewi", "--set-password", "--server", server))
	waitOK(t, "GET", server+"/api/v1/kecamatan/32.73.04/kelurahan", fresh, "", 10*time.Second)

	// Every metric the Grafana dashboard queries is one the binaries export
	// (the referral gauges once their background count has run).
	var missing []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		scrape := get(t, "http://"+metricsAddr+"/metrics") + get(t, "http://"+operatorMetrics+"/metrics")
		missing = missing[:0]
		for _, name := range dashboardMetrics(t) {
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `[{ ]`).MatchString(scrape) {
				missing = append(missing, name)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, name := range missing {
		t.Errorf("the dashboard queries %s, which neither binary exports", name)
	}
}

// dashboardMetrics returns the metric names in the chart's dashboard: every
// selector in its queries is written name{...}.
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(env.Root, "charts", "slrt", "dashboards", "slrt.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var names []string
	selector := regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\{`)
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range selector.FindAllStringSubmatch(tg.Expr, -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					names = append(names, m[1])
				}
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("only %d metrics found in the dashboard: %v", len(names), names)
	}
	return names
}

// runSlrtctl runs the shipped CLI: its standard output, or its standard
// error with the failure.
func runSlrtctl(t testing.TB, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binaries(t), "slrtctl"), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stderr.String(), err
	}
	return stdout.String(), nil
}

var apiRBAC bool

// prepareAPI does what city IT does before starting the API: the platform
// namespace and admin Secret, the API's ClusterRoles and binding as the
// chart grants them, and an empty control database named db. It returns an admin
// kubeconfig, one acting as the API's ServiceAccount, and the database URL.
func prepareAPI(t testing.TB, db string) (kubeconfig, apiKubeconfig, dbURL string) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig = writeKubeconfig(t, dir, "")
	kubectl := kubectlFor(t, kubeconfig)
	prepareCluster(t, kubectl)
	if !apiRBAC {
		kubectl("apply", "-f", filepath.Join(env.Root, "config", "rbac", "api", "role.yaml"))
		kubectl("apply", "-f", filepath.Join(env.Root, "config", "rbac", "credentials-reader.yaml"))
		// Applied, not created: the chart's objects (the container test)
		// may have bound the same ServiceAccount already.
		binding := filepath.Join(dir, "slrt-api-binding.yaml")
		if err := os.WriteFile(binding, []byte(kubectl("create", "clusterrolebinding", "slrt-api", "--clusterrole=slrt-api",
			"--serviceaccount=slrt-system:slrt-api", "--dry-run=client", "-o", "yaml")), 0o644); err != nil {
			t.Fatal(err)
		}
		kubectl("apply", "-f", binding)
		apiRBAC = true
	}
	apiKubeconfig = writeKubeconfig(t, dir, "system:serviceaccount:slrt-system:slrt-api")
	ctx := context.Background()
	admin, err := env.Postgres.Connect(ctx, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		t.Fatal(err)
	}
	return kubeconfig, apiKubeconfig, env.Postgres.URL(env.Postgres.User, env.Postgres.Password, db)
}

// referralThroughTheBinaries runs intake to an accepted referral against
// the slrt-api binary: the petugas registers a household and its head and
// records a complaint, drafts a referral; a koordinator sends it; Dinkes
// accepts it from its inbox.
func referralThroughTheBinaries(t *testing.T, server string, admin []string, petugas string) {
	t.Helper()
	for _, s := range [][3]string{{"asep", "koordinator", "32.73.04.1001"}, {"rina", "agency", "agency:DINKES"}} {
		if out, err := runSlrtctl(t, "puskesos-kopo-2026\n", append([]string{"accounts", "create", s[0], "--display-name", s[0]}, admin...)...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if out, err := runSlrtctl(t, "", append([]string{"grants", "add", s[0], s[1], s[2]}, admin...)...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	login := func(name string) string {
		out, err := runSlrtctl(t, "puskesos-kopo-2026\n", "login", name, "--server", server)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return strings.TrimSpace(out)
	}
	koordinator, dinkes := login("asep"), login("rina")
	call := func(token, method, path string, body any, want int) map[string]any {
		t.Helper()
		return apiCall(t, token, method, server+path, body, want)
	}
	base := "/api/v1/kecamatan/32.73.04"
	hh := call(petugas, "POST", base+"/keluarga", map[string]any{"noKK": "3273041504100007",
		"house": map[string]any{"kelurahan": "32.73.04.1001", "rt": "002", "rw": "004", "street": "Jl. Kopo Gg. Mesjid"}}, http.StatusCreated)
	person := call(petugas, "POST", base+"/penduduk", map[string]any{"nik": "3273045506900007", "name": "Neneng Hasanah",
		"birthPlace": "Bandung", "birthDate": "1990-06-15", "sex": "P", "householdId": hh["id"], "relationship": "kepala_keluarga"}, http.StatusCreated)
	complaint := call(petugas, "POST", base+"/keluhan", map[string]any{"personId": person["id"], "channel": "datang_langsung",
		"category": "IURAN_BPJS", "description": "Tidak mampu membayar iuran", "urgency": "segera"}, http.StatusCreated)
	ref := call(petugas, "POST", base+"/rujukan", map[string]any{"complaintId": complaint["id"], "service": "PBI_JK",
		"documentsProvided": []string{"KTP", "KK"}}, http.StatusCreated)
	path := fmt.Sprintf("%s/rujukan/%v/status", base, ref["id"])
	call(petugas, "POST", path, map[string]any{"status": "requested"}, http.StatusForbidden)
	call(koordinator, "POST", path, map[string]any{"status": "requested"}, http.StatusOK)
	inbox := call(dinkes, "GET", "/api/v1/instansi/DINKES/rujukan", nil, http.StatusOK)
	if items, _ := inbox["items"].([]any); len(items) != 1 {
		t.Fatalf("Dinkes inbox: %v", inbox)
	}
	accepted := call(dinkes, "POST", fmt.Sprintf("/api/v1/instansi/DINKES/rujukan/32.73.04/%v/status", ref["id"]),
		map[string]any{"status": "accepted"}, http.StatusOK)
	if accepted["status"] != "accepted" || accepted["trackingCode"] != ref["trackingCode"] {
		t.Errorf("after accepting: %v", accepted)
	}
}
