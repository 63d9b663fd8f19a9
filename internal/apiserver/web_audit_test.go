package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The auditor lands on the audit log: a full record's read is there with
// who read it and the purpose given, filtered by account and outcome, and
// the same filter downloads as CSV; nobody else has the page.
func TestWebAuditLog(t *testing.T) {
	person, _ := newCase(t)
	do(t, "petugas", "GET", kec("32.73.03")+"/penduduk/"+jsonNum(float64(person)), nil, "X-Purpose", "kunjungan rumah")
	auditor := newBrowser(t)
	auditor.signIn("auditor")
	if r := auditor.get("/"); r.status != http.StatusSeeOther || r.location != "/audit" {
		t.Fatalf("the auditor's home: %d %q", r.status, r.location)
	}
	r := auditor.get("/audit?pengguna=petugas&hasil=success&kecamatan=32.73.03")
	if r.status != http.StatusOK || !strings.Contains(r.body, "GET /api/v1/kecamatan/{code}/penduduk/{id}") ||
		!strings.Contains(r.body, "kunjungan rumah") || !strings.Contains(r.body, "id="+jsonNum(float64(person))) {
		t.Fatalf("the audit log: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, "<td>denied</td>") {
		t.Error("the filter on outcome let a refusal through")
	}
	if r := auditor.get("/audit?pengguna=petugas&aksi=penduduk"); !strings.Contains(r.body, "/penduduk/{id}") || strings.Contains(r.body, "/keluhan/{id}</td>") {
		t.Errorf("the filter on the action: %s", r.body)
	}
	csv := auditor.get("/audit?format=csv&pengguna=petugas&hasil=success")
	if csv.status != http.StatusOK || !strings.HasPrefix(csv.body, "waktu,pengguna,peran,kecamatan") || !strings.Contains(csv.body, "kunjungan rumah") {
		t.Fatalf("the CSV: %d %s", csv.status, csv.body)
	}
	for _, who := range []string{"petugas", "dinsos", "admin"} {
		b := newBrowser(t)
		b.signIn(who)
		if r := b.get("/audit"); r.status != http.StatusForbidden {
			t.Errorf("%s opens the audit log: %d", who, r.status)
		}
	}
}

// A data protection officer asks who read a resident's data: the NIK goes
// in a form's body, and the answer lists the reads of the person's record,
// case file and referral by the petugas and the agency, in the kecamatan
// that holds them, and nobody else's records; as CSV too. The lookup is
// itself audited, without the NIK.
func TestWebAuditorFindsWhoReadAResident(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, nikValue := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Euis Rohaeti", "P", "1969-04-21", "kepala_keluarga"})
	other, _ := newCase(t)
	complaint := newComplaint(t, person)
	referral, _ := newReferral(t, complaint, "PBI_JK", "KK")
	expectMoved(t, "koordinator", referral, "requested", "")
	do(t, "petugas", "GET", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person), nil, "X-Purpose", "verifikasi alamat")
	do(t, "petugas", "GET", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), other), nil, "X-Purpose", "orang lain")
	do(t, "dinkes", "GET", fmt.Sprintf("/api/v1/instansi/DINKES/rujukan/32.73.03/%d", referral), nil)
	petugas := newBrowser(t)
	petugas.signIn("petugas")
	petugas.get(caseFileURLOf(complaint))

	auditor := newBrowser(t)
	auditor.signIn("auditor")
	if r := auditor.get("/audit"); !strings.Contains(r.body, `action="/audit/warga"`) {
		t.Fatalf("no form to ask who read a resident: %s", r.body)
	}
	if r := auditor.post("/audit/warga", url.Values{"nik": {"12345"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="error"`) {
		t.Fatalf("a NIK too short: %d %s", r.status, r.body)
	}
	r := auditor.post("/audit/warga", url.Values{"nik": {nikValue}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "Babakan Ciparay") {
		t.Fatalf("the reads: %d %s\n%s", r.status, r.body, grep(logs.String(), "request failed"))
	}
	for _, want := range []string{"verifikasi alamat", "GET /api/v1/instansi/{agency}/rujukan/{code}/{id}", "GET /kecamatan/{code}/keluhan/{id}", "dinkes"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the reads lack %q: %s", want, r.body)
		}
	}
	if strings.Contains(r.body, "orang lain") || strings.Contains(r.body, nikValue) {
		t.Errorf("the answer shows another resident's read or the NIK: %s", r.body)
	}
	csv := auditor.post("/audit/warga", url.Values{"nik": {nikValue}, "format": {"csv"}})
	if csv.status != http.StatusOK || !strings.HasPrefix(csv.body, "waktu,pengguna") || !strings.Contains(csv.body, "verifikasi alamat") {
		t.Fatalf("the CSV: %d %s", csv.status, csv.body)
	}
	lookups := auditor.get("/audit?pengguna=auditor")
	if !strings.Contains(lookups.body, "POST /audit/warga") || strings.Contains(lookups.body, nikValue) {
		t.Errorf("the lookup is not audited, or its entry holds the NIK: %s", lookups.body)
	}

	// The same through the API.
	resp := do(t, "auditor", "POST", "/api/v1/audit/reads", map[string]any{"nik": nikValue})
	expectStatus(t, resp, http.StatusOK)
	var out struct {
		Kecamatan []string `json:"kecamatan"`
		Entries   []struct {
			Username string `json:"username"`
		} `json:"entries"`
	}
	resp.json(t, &out)
	if len(out.Kecamatan) != 1 || out.Kecamatan[0] != "32.73.03" || len(out.Entries) < 3 {
		t.Errorf("through the API: %s", resp.body)
	}
}

func caseFileURLOf(complaint int64) string {
	return fmt.Sprintf("/kecamatan/32.73.03/keluhan/%d", complaint)
}
