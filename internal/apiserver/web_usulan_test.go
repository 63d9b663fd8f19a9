package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The proposal cycle's key steps in the web app: the petugas proposes from
// a household's page (a double submit is one proposal, a refused form says
// why beside the field) and submits it; the koordinator records the
// musyawarah on its form, which moves it and links the berita acara; the
// household's page lists it.
func TestWebProposalGoesThroughTheMusyawarah(t *testing.T) {
	openPeriod(t)
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", map[string]any{"noKK": newKK(),
		"house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "001", "rw": "009", "street": "Jl. Web Usulan 3"}})
	expectStatus(t, resp, http.StatusCreated)
	var created createdResp
	resp.json(t, &created)
	hh := created.ID
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Popon Web Usulan", "P", "1968-04-04", "kepala_keluarga"})

	b := newBrowser(t)
	b.signIn("petugas")
	page := b.get(householdURL(hh))
	if !strings.Contains(page.body, `id="not-in-dtsen"`) || !strings.Contains(page.body, `id="propose"`) {
		t.Fatalf("the household's page offers no proposal: %s", page.body)
	}
	form := b.get(fmt.Sprintf("/kecamatan/32.73.03/usulan/baru?keluarga=%d", hh))
	if form.status != http.StatusOK || !strings.Contains(form.body, `id="form-keluarga_baru"`) || !strings.Contains(form.body, `id="form-program"`) {
		t.Fatalf("the proposal forms: %d %s", form.status, form.body)
	}
	bad := url.Values{"jenis": {"nonaktif"}, "keluarga": {fmt.Sprint(hh)}, "sebab": {"meninggal"}, "bukti": {""}}
	if r := b.post("/kecamatan/32.73.03/usulan", bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Sebutkan buktinya.") {
		t.Fatalf("a deactivation without evidence: %d %s", r.status, r.body)
	}
	send := url.Values{"jenis": {"keluarga_baru"}, "keluarga": {fmt.Sprint(hh)}, "alasan": {"Lansia tinggal sendiri, belum terdata"},
		"idempotency_key": {"web-usulan-1"}}
	var location string
	for range 2 {
		r := b.post("/kecamatan/32.73.03/usulan", send)
		if r.status != http.StatusSeeOther || (location != "" && r.location != location) {
			t.Fatalf("proposing the household: %d %q %s", r.status, r.location, r.body)
		}
		location = r.location
	}
	id := regexp.MustCompile(`/usulan/(\d+)\?dibuat=1$`).FindStringSubmatch(location)
	if id == nil {
		t.Fatalf("proposed at %q", location)
	}
	proposalPath := "/kecamatan/32.73.03/usulan/" + id[1]
	if r := b.get(proposalPath + "?dibuat=1"); !strings.Contains(r.body, `id="created"`) || !strings.Contains(r.body, "Popon Web Usulan") ||
		!strings.Contains(r.body, `id="submit"`) || strings.Contains(r.body, "1968-04-04") {
		t.Fatalf("the proposal's page: %s", r.body)
	}
	if r := b.post(proposalPath+"/status", url.Values{"status": {"diajukan"}}); r.status != http.StatusSeeOther {
		t.Fatalf("submitting: %d %s", r.status, r.body)
	}
	if r := b.get(proposalPath + "?diubah=1"); !strings.Contains(r.body, "Diajukan ke musyawarah") || strings.Contains(r.body, `id="submit"`) {
		t.Fatalf("the submitted proposal: %s", r.body)
	}

	k := newBrowser(t)
	k.signIn("koordinator")
	if r := k.get("/kecamatan/32.73.03/musyawarah/baru"); !strings.Contains(r.body, `name="keputusan_`+id[1]+`"`) {
		t.Fatalf("the muskel form does not list the proposal: %s", r.body)
	}
	muskel := url.Values{"kelurahan": {"32.73.03.1001"}, "tanggal": {time.Now().Format(time.DateOnly)}, "tempat": {"Balai RW 09"},
		"pimpinan": {"Lurah Web"}, "keputusan_" + id[1]: {"setuju"}, "idempotency_key": {"web-muskel-1"}}
	if r := k.post("/kecamatan/32.73.03/musyawarah", muskel); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Isi peserta yang hadir") {
		t.Fatalf("a muskel without attendees: %d %s", r.status, r.body)
	}
	muskel.Set("hadir0_nama", "Lurah Web")
	muskel.Set("hadir0_peran", "lurah")
	muskel.Set("hadir1_nama", "Bu RW Sembilan")
	muskel.Set("hadir1_peran", "ketua_rw")
	r := k.post("/kecamatan/32.73.03/musyawarah", muskel)
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "?dicatat=1") {
		t.Fatalf("recording the muskel: %d %q %s", r.status, r.location, r.body)
	}
	meeting := k.get(r.location)
	if !strings.Contains(meeting.body, `id="recorded"`) || !strings.Contains(meeting.body, "/berita-acara") ||
		!strings.Contains(meeting.body, "Bu RW Sembilan (Ketua RW)") || !strings.Contains(meeting.body, "Disepakati") {
		t.Fatalf("the muskel's page: %s", meeting.body)
	}
	if r := b.get(householdURL(hh)); !strings.Contains(r.body, "Disepakati musyawarah") {
		t.Fatalf("the household's page does not list its proposal: %s", r.body)
	}
	// The petugas may not record a muskel.
	if r := b.get("/kecamatan/32.73.03/musyawarah/baru"); r.status != http.StatusForbidden {
		t.Errorf("the petugas opened the muskel form: %d", r.status)
	}
}

// Dinas Sosial opens a year's four proposal periods with one button, and
// a period overlapping another is refused beside its dates.
func TestWebDinsosOpensTheProposalPeriods(t *testing.T) {
	b := newBrowser(t)
	b.signIn("dinsos")
	if r := b.get("/katalog"); !strings.Contains(r.body, `href="/usulan/periode"`) {
		t.Fatalf("no link to the periods from the catalogue: %s", r.body)
	}
	if r := b.get("/usulan/periode?tahun=2031"); !strings.Contains(r.body, `id="fill"`) {
		t.Fatalf("an empty year offers no default periods: %s", r.body)
	}
	if r := b.post("/usulan/periode/isi", url.Values{"tahun": {"2031"}, "alasan": {"Periode triwulan bawaan"}}); r.status != http.StatusSeeOther {
		t.Fatalf("filling the year: %d %s", r.status, r.body)
	}
	page := b.get("/usulan/periode?tahun=2031&tersimpan=1")
	for _, want := range []string{`id="period-2031-1"`, `id="period-2031-4"`, "01-01-2031", "28-02-2031", "20-03-2031"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the year's periods lack %q", want)
		}
	}
	r := b.post("/usulan/periode", url.Values{"kode": {"2031-X"}, "dibuka": {"2031-02-01"}, "ditutup": {"2031-02-10"}, "musyawarah": {"2031-02-20"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "bertumpang tindih") {
		t.Fatalf("an overlapping period: %d %s", r.status, r.body)
	}
}

func householdURL(id int64) string { return fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d", id) }
