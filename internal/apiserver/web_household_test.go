package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A household's page: its house and members, NIK masked, its read
// audited; a member added from it with the registry's rules (a NIK that
// disagrees with the sex is refused next to its field, nothing added), a
// double submit adding one; the search leads there; another kelurahan's
// officer cannot open it.
func TestWebHouseholdPageAddsAMember(t *testing.T) {
	hh, noKK := registerHousehold(t, "petugas", "32.73.03.1001")
	_, headNIK := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Dadang Hermawan", "L", "1970-01-15", "kepala_keluarga"})
	page := fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d", hh)
	b := newBrowser(t)
	b.signIn("petugas")
	r := b.get(page)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Dadang Hermawan") || !strings.Contains(r.body, headNIK[:4]+"••••••••"+headNIK[12:]) {
		t.Fatalf("the household's page: %d %s", r.status, r.body)
	}
	if strings.Contains(r.body, headNIK) || strings.Contains(r.body, noKK) {
		t.Error("the page shows a full NIK or No KK")
	}
	if !strings.Contains(auditOf(t, "petugas"), "GET /kecamatan/{code}/keluarga/{id}") {
		t.Error("reading the household is not audited")
	}

	child := newNIK("P", "2012-06-01")
	form := func(nikValue, sex string) url.Values {
		return url.Values{"nik": {nikValue}, "nama": {"Rina Hermawan"}, "tempat_lahir": {"Bandung"}, "tanggal_lahir": {"2012-06-01"},
			"jenis_kelamin": {sex}, "hubungan": {"anak"}, "idempotency_key": {"tambah-rina-1"}}
	}
	if r := b.post(page+"/anggota", form(child, "L")); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="error"`) {
		t.Fatalf("a NIK of a woman for a man: %d %s", r.status, r.body)
	}
	for range 2 {
		if r := b.post(page+"/anggota", form(child, "P")); r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "?ditambah=1#anggota") {
			t.Fatalf("adding a member: %d %q %s", r.status, r.location, r.body)
		}
	}
	r = b.get(page + "?ditambah=1")
	if strings.Count(r.body, "Rina Hermawan") != 1 || !strings.Contains(r.body, `id="added"`) || !strings.Contains(r.body, "<td>Anak</td>") {
		t.Fatalf("the member is not listed once: %s", r.body)
	}

	search := b.post("/kecamatan/32.73.03/keluhan/baru", url.Values{"name": {"Rina Hermawan"}})
	if !strings.Contains(search.body, `href="`+page+`"`) {
		t.Errorf("the search does not lead to the household: %s", search.body)
	}
	other := newBrowser(t)
	other.signIn("petugas-bk")
	if r := other.get(page); r.status != http.StatusForbidden {
		t.Errorf("another kecamatan's officer opened the household: %d", r.status)
	}
}

// auditOf is the audit log's recent entries of an account, as text.
func auditOf(t *testing.T, username string) string {
	t.Helper()
	b := newBrowser(t)
	b.signIn("auditor")
	return b.get("/audit?pengguna=" + username).body
}
