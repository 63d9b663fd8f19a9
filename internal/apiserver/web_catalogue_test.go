package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Dinas Sosial adds a service from the home page's catalogue link, its
// form refusing what the API refuses next to each field and a double
// submit adding it once; changing its completion target shows in the
// service's history with who and why; other roles cannot open it.
func TestWebDinsosKeepsTheServiceCatalogue(t *testing.T) {
	b := newBrowser(t)
	b.signIn("dinsos")
	if r := b.get("/"); !strings.Contains(r.body, `href="/katalog"`) {
		t.Fatalf("no link to the catalogue on the home page: %d %s", r.status, r.body)
	}
	if r := b.get("/katalog"); r.status != http.StatusOK || !strings.Contains(rowOf(t, r.body, "service-PBI_JK"), "Dinas Kesehatan") {
		t.Fatalf("the catalogue: %d %s", r.status, r.body)
	}
	if r := b.get("/katalog/layanan/baru"); r.status != http.StatusOK || !strings.Contains(r.body, `name="dokumen" id="dokumen-KTP"`) {
		t.Fatalf("the new service's form: %d %s", r.status, r.body)
	}
	form := url.Values{"kode": {"uji_web_layanan"}, "nama": {"Layanan uji web"}, "instansi": {"DISDIK"}, "dokumen": {"KK", "KTP"},
		"data": {"nama", "pendidikan"}, "hari_respons": {"2"}, "hari_selesai": {"10"}, "aktif": {"1"}, "alasan": {"SK 1/2026"}}
	bad := url.Values{"kode": {"x"}, "nama": {""}, "instansi": {"DISDIK"}, "hari_respons": {"10"}, "hari_selesai": {"2"}}
	r := b.post("/katalog/layanan", bad)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "2-40 huruf besar") ||
		!strings.Contains(r.body, "Target selesai tidak boleh lebih pendek dari target respons.") || !strings.Contains(r.body, "Wajib diisi.") {
		t.Fatalf("a bad service: %d %s", r.status, r.body)
	}
	for range 2 {
		r = b.post("/katalog/layanan", form)
		if r.status != http.StatusSeeOther || r.location != "/katalog/layanan/UJI_WEB_LAYANAN?tersimpan=1" {
			t.Fatalf("adding the service: %d %q %s", r.status, r.location, r.body)
		}
	}
	form.Set("nama", "Layanan lain")
	if r = b.post("/katalog/layanan", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Kode ini sudah dipakai") {
		t.Fatalf("another service with a code in use: %d %s", r.status, r.body)
	}

	form.Set("nama", "Layanan uji web")
	form.Set("hari_selesai", "15")
	form.Set("alasan", "SK 2/2026")
	form.Del("kode")
	if r = b.post("/katalog/layanan/UJI_WEB_LAYANAN", form); r.status != http.StatusSeeOther {
		t.Fatalf("changing the service: %d %s", r.status, r.body)
	}
	r = b.get("/katalog/layanan/UJI_WEB_LAYANAN?tersimpan=1")
	history := r.body[strings.Index(r.body, `id="riwayat"`):]
	if !strings.Contains(r.body, `id="saved"`) || !strings.Contains(r.body, `value="15"`) || strings.Count(history, "<tr>") != 3 ||
		!strings.Contains(history, "Target selesai: 10 → 15") || !strings.Contains(history, "SK 2/2026") || !strings.Contains(history, "<td>dinsos</td>") ||
		!strings.Contains(history, "Dibuat") {
		t.Fatalf("the service's page after the change: %s", r.body)
	}

	for _, who := range []string{"petugas", "supervisor", "admin", "auditor"} {
		o := newBrowser(t)
		o.signIn(who)
		if r := o.get("/katalog"); r.status != http.StatusForbidden {
			t.Errorf("%s opened the catalogue: %d", who, r.status)
		}
		if r := o.post("/katalog/layanan/UJI_WEB_LAYANAN", form); r.status != http.StatusForbidden {
			t.Errorf("%s changed a service: %d", who, r.status)
		}
	}
}

// Dinas Sosial adds a complaint category and retires it; intake no longer
// offers it, and its page tells the change.
func TestWebDinsosRetiresAComplaintCategory(t *testing.T) {
	b := newBrowser(t)
	b.signIn("dinsos")
	b.get("/katalog/kategori")
	r := b.post("/katalog/kategori", url.Values{"kode": {"UJI_WEB_KATEGORI"}, "nama": {"Kategori uji web"}, "urutan": {"abc"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Tuliskan urutan sebagai angka.") || !strings.Contains(r.body, `id="categories"`) {
		t.Fatalf("a position that is not a number: %d %s", r.status, r.body)
	}
	r = b.post("/katalog/kategori", url.Values{"kode": {"UJI_WEB_KATEGORI"}, "nama": {"Kategori uji web"}, "urutan": {"900"}, "aktif": {"1"}})
	if r.status != http.StatusSeeOther || r.location != "/katalog/kategori/UJI_WEB_KATEGORI?tersimpan=1" {
		t.Fatalf("adding a category: %d %q %s", r.status, r.location, r.body)
	}
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Ujang Kategori", "L", "1968-04-02", "kepala_keluarga"})
	intake := fmt.Sprintf("/kecamatan/32.73.03/keluhan/baru?penduduk=%d", person)
	petugas := newBrowser(t)
	petugas.signIn("petugas")
	if r := petugas.get(intake); !strings.Contains(r.body, "Kategori uji web") {
		t.Fatalf("intake does not offer the new category")
	}
	r = b.post("/katalog/kategori/UJI_WEB_KATEGORI", url.Values{"nama": {"Kategori uji web"}, "urutan": {"900"}, "alasan": {"Digabung ke LAINNYA"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("retiring the category: %d %s", r.status, r.body)
	}
	r = b.get("/katalog/kategori/UJI_WEB_KATEGORI")
	if !strings.Contains(r.body, "Aktif: ya → tidak") || !strings.Contains(r.body, "Digabung ke LAINNYA") {
		t.Fatalf("the category's history: %s", r.body)
	}
	if r := b.get("/katalog/kategori"); !strings.Contains(rowOf(t, r.body, "category-UJI_WEB_KATEGORI"), "Tidak aktif") {
		t.Errorf("the list does not show the category retired")
	}
	if r := petugas.get(intake); strings.Contains(r.body, "Kategori uji web") {
		t.Errorf("intake still offers a retired category")
	}
}

// Dinas Sosial adds a holiday to a year's calendar and removes it; the
// calendar's history tells both, with why.
func TestWebDinsosKeepsTheHolidays(t *testing.T) {
	b := newBrowser(t)
	b.signIn("dinsos")
	b.get("/katalog/libur")
	if r := b.post("/katalog/libur", url.Values{"tanggal": {"2031-02-30"}, "nama": {""}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Pilih tanggal yang benar.") {
		t.Fatalf("a date that does not exist: %d %s", r.status, r.body)
	}
	r := b.post("/katalog/libur", url.Values{"tanggal": {"2031-03-20"}, "nama": {"Libur uji web"}, "alasan": {"Keppres uji"}})
	if r.status != http.StatusSeeOther || r.location != "/katalog/libur?tahun=2031&tersimpan=1" {
		t.Fatalf("adding a holiday: %d %q %s", r.status, r.location, r.body)
	}
	r = b.get(r.location)
	if !strings.Contains(rowOf(t, r.body, "holiday-2031-03-20"), "Libur uji web") || !strings.Contains(r.body, `href="/katalog/libur?tahun=2032"`) {
		t.Fatalf("the year's calendar: %s", r.body)
	}
	if r = b.post("/katalog/libur/2031-03-20/hapus", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("removing the holiday: %d %s", r.status, r.body)
	}
	r = b.get("/katalog/libur?tahun=2031")
	if strings.Contains(r.body, `id="holiday-2031-03-20"`) || !strings.Contains(r.body, "Dihapus · 20-03-2031") ||
		!strings.Contains(r.body, "Dibuat · 20-03-2031") || !strings.Contains(r.body, "Keppres uji") {
		t.Fatalf("the calendar after the removal: %s", r.body)
	}
	if r = b.post("/katalog/libur/2031-03-20/hapus", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("removing a day that is not a holiday: %d", r.status)
	}
}
