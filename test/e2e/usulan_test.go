package e2e

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/letter/lettertest"
)

// The data loop through the shipped binaries: a Puskesos officer proposes
// a new household and a correction, the koordinator records the
// musyawarah kelurahan (one agreed, one rejected) and prints its berita
// acara, Dinas Sosial verifies, sends the batch and writes its BNBA upload
// with slrtctl, and imports the centre's result with slrtctl: a bad file
// changes nothing, the good one gives the household its desil and
// programme, with the registry's history naming the proposal.
func TestTheDataLoopThroughTheBinaries(t *testing.T) {
	server, admin := startPlatform(t, "slrt_control_usulan")
	mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", "32.73.13", "Lengkong"}, admin...)...)
	tokens := map[string]string{}
	for _, s := range [][3]string{{"yanti", "petugas", "32.73.13.1001"}, {"dadan", "koordinator", "32.73.13.1001"}, {"rahmat", "dinsos", "32.73"}} {
		mustSlrtctl(t, "data-terpadu-2026\n", append([]string{"accounts", "create", s[0], "--display-name", s[0]}, admin...)...)
		mustSlrtctl(t, "", append([]string{"grants", "add", s[0], s[1], s[2]}, admin...)...)
		tokens[s[1]] = strings.TrimSpace(mustSlrtctl(t, "data-terpadu-2026\n", "login", s[0], "--server", server))
	}
	dinsos := []string{"--server", server, "--token", tokens["dinsos"]}
	waitReady(t, admin, "32.73.13")
	call := func(who, method, path string, body any, want int) map[string]any {
		t.Helper()
		return apiCall(t, tokens[who], method, server+path, body, want)
	}
	base := "/api/v1/kecamatan/32.73.13"
	today := time.Now()
	call("dinsos", "PUT", "/api/v1/usulan/periode/2026-E2E", map[string]any{"opensOn": today.AddDate(0, 0, -7).Format(time.DateOnly),
		"closesOn": today.AddDate(0, 0, 7).Format(time.DateOnly), "muskelBy": today.AddDate(0, 0, 14).Format(time.DateOnly),
		"reason": "Pemutakhiran DTSEN"}, http.StatusCreated)

	// The Puskesos proposes a new household and a correction.
	hh := call("petugas", "POST", base+"/keluarga", map[string]any{"noKK": "3273131504100021",
		"house": map[string]any{"kelurahan": "32.73.13.1001", "rt": "004", "rw": "007", "street": "Jl. Sukagalih 9"}}, http.StatusCreated)
	call("petugas", "POST", base+"/penduduk", map[string]any{"nik": "3273131203800021", "name": "Cecep Terdaftar", "birthPlace": "Bandung",
		"birthDate": "1980-03-12", "sex": "L", "householdId": hh["id"], "relationship": "kepala_keluarga"}, http.StatusCreated)
	newHH := call("petugas", "POST", base+"/usulan", map[string]any{"kind": "keluarga_baru", "reason": "Ditemukan saat kunjungan rumah",
		"household": map[string]any{"noKK": "3273131604120022",
			"house": map[string]any{"kelurahan": "32.73.13.1001", "rt": "005", "rw": "007", "street": "Jl. Sukagalih 21"},
			"members": []map[string]any{
				{"nik": "3273136602700022", "name": "Imas Diusulkan", "birthPlace": "Garut", "birthDate": "1970-02-26", "sex": "P",
					"relationship": "kepala_keluarga"},
				{"nik": "3273132001150023", "name": "Rizky Diusulkan", "birthPlace": "Bandung", "birthDate": "2015-01-20", "sex": "L",
					"relationship": "anak"}}}}, http.StatusCreated)
	correction := call("petugas", "POST", base+"/usulan", map[string]any{"kind": "perbaikan", "householdId": hh["id"],
		"householdChange": map[string]any{"monthlyIncome": 400000}}, http.StatusCreated)
	for _, p := range []map[string]any{newHH, correction} {
		call("petugas", "POST", fmt.Sprintf("%s/usulan/%v/status", base, p["id"]), map[string]any{"status": "diajukan"}, http.StatusOK)
	}

	// The koordinator records the muskel and prints the berita acara.
	muskel := call("koordinator", "POST", base+"/musyawarah", map[string]any{"kelurahan": "32.73.13.1001",
		"heldOn": today.Format(time.DateOnly), "place": "Aula Kelurahan Sukagalih", "chair": "Lurah Sukagalih",
		"attendees": []map[string]any{{"name": "Lurah Sukagalih", "role": "lurah"}, {"name": "Ketua RW 07", "role": "ketua_rw"}},
		"decisions": []map[string]any{{"usulanId": newHH["id"], "agreed": true},
			{"usulanId": correction["id"], "agreed": false, "reason": "Penghasilan sudah sesuai hasil kunjungan"}}}, http.StatusCreated)
	minutes := rawGet(t, tokens["koordinator"], fmt.Sprintf("%s%s/musyawarah/%v/berita-acara", server, base, muskel["id"]))
	text := lettertest.PDFText(t, minutes)
	for _, want := range []string{"BERITA ACARA MUSYAWARAH KELURAHAN", "Imas Diusulkan", "Cecep Terdaftar", "Ketua RW 07"} {
		if !strings.Contains(text, want) {
			t.Errorf("the berita acara lacks %q", want)
		}
	}

	// Dinas Sosial verifies and sends the batch with slrtctl.
	call("dinsos", "POST", fmt.Sprintf("%s/usulan/%v/verifikasi", base, newHH["id"]), map[string]any{"status": "diverifikasi"}, http.StatusOK)
	out := mustSlrtctl(t, "", append([]string{"usulan", "batch", "--key", "e2e-batch-1"}, dinsos...)...)
	m := regexp.MustCompile(`^batch (\d+) \((BNBA-\d+)\): 1 proposals sent \(32\.73\.13 1\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the batch: %s", out)
	}
	dir := t.TempDir()
	upload := filepath.Join(dir, "upload.csv")
	mustSlrtctl(t, "", append([]string{"usulan", "bnba", m[1], "-f", upload}, dinsos...)...)
	f, err := os.Open(upload)
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(records) != 3 || records[1][0] != fmt.Sprintf("32.73.13/%v", newHH["id"]) || records[1][2] != m[2] ||
		!slices.Contains(records[1], "3273136602700022") {
		t.Fatalf("the BNBA upload: %v %v", records, err)
	}

	// The centre's result comes back: a bad file changes nothing.
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	header := "id_usulan,no_kk,hasil,desil,program,id_dtsen,keterangan\n"
	row := records[1][0] + ",3273131604120022,ditetapkan,2,PKH,DTSEN-3273-0022,\n"
	out, err = runSlrtctl(t, "", append([]string{"usulan", "hasil", write("salah.csv", header+row+"32.73.13/abc,3273131604120022,ya,,,,\n")}, dinsos...)...)
	if err == nil || !strings.Contains(out, "line 3, id_usulan:") || !strings.Contains(out, "line 3, hasil:") || !strings.Contains(out, "nothing imported") {
		t.Errorf("a bad result file: %v\n%s", err, out)
	}
	if p := call("petugas", "GET", fmt.Sprintf("%s/usulan/%v", base, newHH["id"]), nil, http.StatusOK); p["status"] != "dikirim" {
		t.Errorf("a bad result file changed the proposal: %v", p["status"])
	}
	good := write("hasil.csv", header+row)
	out = mustSlrtctl(t, "", append([]string{"usulan", "hasil", good}, dinsos...)...)
	if !strings.Contains(out, "1 rows applied: 1 ditetapkan, 0 tidak ditetapkan, 0 already imported, 0 skipped; 1 households registered") {
		t.Errorf("the result: %s", out)
	}
	out = mustSlrtctl(t, "", append([]string{"usulan", "hasil", good}, dinsos...)...)
	if !strings.Contains(out, "1 already imported") {
		t.Errorf("the result again: %s", out)
	}

	p := call("petugas", "GET", fmt.Sprintf("%s/usulan/%v", base, newHH["id"]), nil, http.StatusOK)
	if p["status"] != "ditetapkan" || p["householdId"] == nil {
		t.Fatalf("the proposal after the result: %v", p)
	}
	h := call("petugas", "GET", fmt.Sprintf("%s/keluarga/%v", base, p["householdId"]), nil, http.StatusOK)
	if h["desil"] != 2.0 || fmt.Sprint(h["programmes"]) != "[PKH]" || len(h["members"].([]any)) != 2 {
		t.Errorf("the household the centre registered: %v", h)
	}
	history := call("petugas", "GET", fmt.Sprintf("%s/keluarga/%v/riwayat", base, p["householdId"]), nil, http.StatusOK)
	ref := fmt.Sprintf("usulan 32.73.13/%v ditetapkan", newHH["id"])
	for _, c := range history["items"].([]any) {
		entry := c.(map[string]any)
		if entry["via"] != "usulan" || entry["reason"] != ref {
			t.Errorf("a change of the household does not name the proposal: %v", entry)
		}
	}
}

// rawGet reads a URL as the holder of token, wanting 200.
func rawGet(t *testing.T, token, url string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, data)
	}
	return data
}
