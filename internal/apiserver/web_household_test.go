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
	members, _, _ := strings.Cut(r.body, `id="riwayat"`)
	if strings.Count(members, "Rina Hermawan") != 1 || !strings.Contains(r.body, `id="added"`) || !strings.Contains(r.body, "<td>Anak</td>") {
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

// A person's page: the record (read audited) corrected and a departure
// recorded from a form, a value the form never offers refused and nothing
// changed, a move into another household found by its No KK (one not
// in the kelurahan refused next to the field), the history showing both
// households and the new one listing the person.
func TestWebPersonPageCorrectsAndMoves(t *testing.T) {
	from, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", from, personSpec{"Ujang Suryana", "L", "1965-03-03", "kepala_keluarga"})
	son, _ := registerPerson(t, "petugas", "32.73.03", from, personSpec{"Asep Suryana", "L", "1995-07-07", "anak"})
	to, toKK := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", to, personSpec{"Neng Yuliani", "P", "1997-09-09", "kepala_keluarga"})
	page := fmt.Sprintf("/kecamatan/32.73.03/penduduk/%d", son)
	b := newBrowser(t)
	b.signIn("petugas")
	if r := b.get(page); r.status != http.StatusOK || !strings.Contains(r.body, `value="Asep Suryana"`) {
		t.Fatalf("the person's page: %d %s", r.status, r.body)
	}
	correct := url.Values{"nama": {"Asep Suryana Putra"}, "tempat_lahir": {"Bandung"}, "pendidikan": {"sma"}, "pekerjaan": {"Ojek"}, "keberadaan": {"tinggal"}}
	if r := b.post(page, correct); r.status != http.StatusSeeOther {
		t.Fatalf("correcting: %d %s", r.status, r.body)
	}
	bad := url.Values{"nama": {"X"}, "tempat_lahir": {"Bandung"}, "keberadaan": {"hilang"}}
	if r := b.post(page, bad); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Pilih salah satu.") {
		t.Fatalf("a presence the form does not offer: %d %s", r.status, r.body)
	}
	if r := b.get(page + "?tersimpan=1"); !strings.Contains(r.body, `value="Asep Suryana Putra"`) || !strings.Contains(r.body, `id="saved"`) {
		t.Fatalf("after correcting: %s", r.body)
	}
	if r := b.post(page+"/pindah", url.Values{"no_kk": {"3273031111110001"}, "hubungan": {"suami"}, "alasan": {"menikah"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Tidak ada keluarga dengan nomor KK ini") {
		t.Fatalf("a move to an unknown No KK: %d %s", r.status, r.body)
	}
	if r := b.post(page+"/pindah", url.Values{"no_kk": {toKK}, "hubungan": {"suami"}, "alasan": {"menikah"}}); r.status != http.StatusSeeOther {
		t.Fatalf("moving: %d %s", r.status, r.body)
	}
	r := b.get(page + "?pindah=1")
	if !strings.Contains(r.body, fmt.Sprintf(`id="membership-%d"`, from)) || !strings.Contains(r.body, fmt.Sprintf(`id="membership-%d"`, to)) ||
		!strings.Contains(r.body, "menikah") || !strings.Contains(r.body, ">Suami</a>") {
		t.Fatalf("the history after the move: %s", r.body)
	}
	if r := b.get(fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d", to)); !strings.Contains(r.body, "Asep Suryana Putra") {
		t.Errorf("the household moved into does not list the person: %s", r.body)
	}
	departed := url.Values{"nama": {"Asep Suryana Putra"}, "tempat_lahir": {"Bandung"}, "keberadaan": {"meninggal"}}
	if r := b.post(page, departed); r.status != http.StatusSeeOther {
		t.Fatalf("recording a death: %d %s", r.status, r.body)
	}
	if r := b.get(page); !strings.Contains(r.body, `<td id="presence">Meninggal</td>`) {
		t.Errorf("the departure is not shown: %s", r.body)
	}
	if !strings.Contains(auditOf(t, "petugas"), "GET /kecamatan/{code}/penduduk/{id}") {
		t.Error("reading the person's page is not audited")
	}
}

// After a home visit, the officer changes a household's address, its
// house's condition, its assets and income from the household's page: a
// value the registry refuses is shown next to its field and nothing
// changes; RT and RW are padded as the registry keeps them; desil and
// programmes, which come from the national registry, are not in the form.
// A supervisor, who reads but does not write, is not offered the form.
func TestWebHouseholdChangesAfterAHomeVisit(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Asep Kunjungan", "L", "1966-09-09", "kepala_keluarga"})
	page := fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d", hh)
	b := newBrowser(t)
	b.signIn("petugas")
	if r := b.get(page); !strings.Contains(r.body, `href="`+page+`/ubah"`) || !strings.Contains(r.body, "Jenis lantai terluas: Semen") {
		t.Fatalf("the household's page: %s", r.body)
	}
	r := b.get(page + "/ubah")
	if r.status != http.StatusOK || !strings.Contains(r.body, `<option value="semen" selected>`) || strings.Contains(r.body, `name="desil"`) ||
		!strings.Contains(r.body, "Belum didata") {
		t.Fatalf("the household's form: %d %s", r.status, r.body)
	}
	form := url.Values{"rt": {"7"}, "rw": {"2"}, "alamat": {"Jl. Sukamaju Baru 5"}, "lantai": {"tanah"}, "atap": {"seng"},
		"aset": {"sepeda_motor", "televisi"}, "penghasilan": {"1.500.000"}, "luas_lantai": {"dua puluh"}}
	if r := b.post(page, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Tuliskan sebagai angka") {
		t.Fatalf("a floor area in words: %d %s", r.status, r.body)
	}
	form.Set("luas_lantai", "24,5")
	form.Set("lantai", "marmer")
	if r := b.post(page, form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Pilih dari daftar.") {
		t.Fatalf("a floor the registry does not know: %d %s", r.status, r.body)
	}
	var hhv struct {
		RT, Street, FloorMaterial string
		FloorAreaM2               *float64
		MonthlyIncome             *int64
		Assets                    []string
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), hh), nil).json(t, &hhv)
	if hhv.RT != "003" || hhv.FloorMaterial != "semen" || hhv.MonthlyIncome != nil {
		t.Fatalf("a refused form changed the household: %+v", hhv)
	}
	form.Set("lantai", "tanah")
	if r := b.post(page, form); r.status != http.StatusSeeOther || r.location != page+"?diubah=1" {
		t.Fatalf("saving the household: %d %q %s", r.status, r.location, r.body)
	}
	r = b.get(page + "?diubah=1")
	if !strings.Contains(r.body, `id="changed"`) || !strings.Contains(r.body, "RT 007 / RW 002") || !strings.Contains(r.body, "Jenis lantai terluas: Tanah") ||
		!strings.Contains(r.body, "Sepeda motor, Televisi") {
		t.Fatalf("the household after the visit: %s", r.body)
	}
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), hh), nil).json(t, &hhv)
	if hhv.MonthlyIncome == nil || *hhv.MonthlyIncome != 1500000 || hhv.FloorAreaM2 == nil || *hhv.FloorAreaM2 != 24.5 || hhv.Street != "Jl. Sukamaju Baru 5" {
		t.Errorf("the registry after the visit: %+v", hhv)
	}

	supervisor := newBrowser(t)
	supervisor.signIn("supervisor")
	if r := supervisor.get(page); r.status != http.StatusOK || strings.Contains(r.body, "/ubah") || strings.Contains(r.body, `id="add-member"`) {
		t.Errorf("a supervisor is offered changes: %d %s", r.status, r.body)
	}
	if r := supervisor.get(page + "/ubah"); r.status != http.StatusForbidden {
		t.Errorf("a supervisor opened the household's form: %d", r.status)
	}
}

// The household's page tells its history in words, with who and why, NIK
// masked.
func TestWebHouseholdPageShowsItsHistory(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Euis Riwayat", "P", "1979-05-05", "kepala_keluarga"})
	page := fmt.Sprintf("/kecamatan/32.73.03/keluarga/%d", hh)
	b := newBrowser(t)
	b.signIn("petugas")
	b.get(page + "/ubah")
	form := url.Values{"rt": {"003"}, "rw": {"011"}, "alamat": {"Jl. Babakan Ciparay Gg. Sukamaju 12"}, "lantai": {"keramik"},
		"alasan": {"Kunjungan rumah 4 Desember"}}
	if r := b.post(page, form); r.status != http.StatusSeeOther {
		t.Fatalf("saving the household: %d %s", r.status, r.body)
	}
	r := b.get(page)
	history := r.body[strings.Index(r.body, `id="riwayat"`):]
	for _, want := range []string{"Rumah diubah", "Jenis lantai terluas: Semen → Keramik", "Kunjungan rumah 4 Desember", "<td>petugas</td>",
		"Euis Riwayat masuk keluarga ini (Kepala keluarga)", "Euis Riwayat didaftarkan", "Keluarga didaftarkan"} {
		if !strings.Contains(history, want) {
			t.Errorf("the history does not say %q: %s", want, history)
		}
	}
}
