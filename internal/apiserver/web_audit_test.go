package apiserver_test

import (
	"net/http"
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
