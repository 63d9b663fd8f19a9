package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Targeting in the web app: the kecamatan's page counts each programme's
// exclusion and inclusion by kelurahan and links the lists, whose
// households lead to their page and to a proposal; the household's page
// says in a sentence what it is eligible for but does not receive; the
// city's page shows the totals against the quota; Dinas Sosial changes a
// cut-off on its form, a wrong one refused beside the field.
func TestWebTargetingLeadsFromCountsToHouseholds(t *testing.T) {
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", map[string]any{"noKK": newKK(), "desil": 3, "programmes": []string{"PBI_JK"},
		"house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "002", "rw": "006", "street": "Jl. Sasaran 4"}})
	expectStatus(t, resp, http.StatusCreated)
	var created createdResp
	resp.json(t, &created)
	registerPerson(t, "petugas", "32.73.03", created.ID, personSpec{"Enok Sasaran", "P", "1961-01-01", "kepala_keluarga"})

	b := newBrowser(t)
	b.signIn("petugas")
	if r := b.get("/kecamatan/32.73.03/keluhan"); !strings.Contains(r.body, `id="targeting-link"`) {
		t.Fatalf("the complaints page does not lead to targeting: %s", r.body)
	}
	page := b.get("/kecamatan/32.73.03/sasaran")
	list := "/kecamatan/32.73.03/sasaran/keluarga?jenis=eksklusi&amp;kelurahan=32.73.03.1001&amp;program=PKH"
	if page.status != http.StatusOK || !strings.Contains(page.body, `id="programme-PKH"`) || !strings.Contains(page.body, list) {
		t.Fatalf("the kecamatan's targeting: %d %s", page.status, page.body)
	}
	households := b.get(strings.ReplaceAll(list, "&amp;", "&"))
	if !strings.Contains(households.body, "Enok Sasaran") || !strings.Contains(households.body, fmt.Sprintf("/usulan/baru?keluarga=%d", created.ID)) {
		t.Fatalf("the exclusion list: %s", households.body)
	}
	hh := b.get(householdURL(created.ID))
	for _, want := range []string{"Layak PKH menurut desil (desil 3, batas 4), belum menerima.", "Layak BPNT menurut desil (desil 3, batas 5)"} {
		if !strings.Contains(hh.body, want) {
			t.Errorf("the household's page lacks %q", want)
		}
	}
	if strings.Contains(hh.body, "Layak PBI_JK") {
		t.Error("the household's page says it lacks a programme it receives")
	}

	d := newBrowser(t)
	d.signIn("dinsos")
	if r := d.get("/"); !strings.Contains(r.body, `href="/sasaran"`) {
		t.Fatalf("Dinas Sosial's home does not lead to the city's targeting: %s", r.body)
	}
	if r := d.get("/sasaran"); !strings.Contains(r.body, `id="total-PKH"`) || !strings.Contains(r.body, "/api/v1/sasaran?format=xlsx") {
		t.Fatalf("the city's targeting: %s", r.body)
	}
	d.get("/katalog/program")
	if r := d.post("/katalog/program", url.Values{"program": {"BPNT"}, "batas": {"11"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Desil dari 1 sampai 10.") {
		t.Fatalf("a cut-off of 11: %d %s", r.status, r.body)
	}
	if r := d.post("/katalog/program", url.Values{"program": {"BPNT"}, "batas": {"5"}, "kuota": {"61000"}, "alasan": {"Kuota BPNT 2027"}}); r.status != http.StatusSeeOther {
		t.Fatalf("setting the quota: %d %s", r.status, r.body)
	}
	if r := d.get("/katalog/program?tersimpan=1"); !strings.Contains(r.body, "61000") || !strings.Contains(r.body, "Kuota BPNT 2027") {
		t.Errorf("the saved rule and its history: %s", r.body)
	}
}
