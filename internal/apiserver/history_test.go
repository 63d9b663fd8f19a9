package apiserver_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// registryChange is an entry of a household's history as the API answers.
type registryChange struct {
	ID                   int64
	Entity, Kind, Via    string
	Username, PersonName string
	Reason               *string
	ActorID              *int64
	Before, After        map[string]any
}

func historyOf(t *testing.T, who, code string, household int64) []registryChange {
	t.Helper()
	var page struct{ Items []registryChange }
	resp := do(t, who, "GET", fmt.Sprintf("%s/keluarga/%d/riwayat", kec(code), household), nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &page)
	return page.Items
}

// Every change to a household, its house and its members is kept with who,
// how, why and the fields before and after, newest first; a change that
// changes nothing records nothing; the read is audited.
func TestTheRegistryKeepsItsHistory(t *testing.T) {
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ := registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Wawan Riwayat", "L", "1971-03-03", "kepala_keluarga"})
	change := map[string]any{"monthlyIncome": 900000, "house": map[string]any{"floorMaterial": "keramik"}, "reason": "Kunjungan rumah 3 Desember"}
	for range 2 {
		expectStatus(t, do(t, "petugas", "PATCH", fmt.Sprintf("%s/keluarga/%d", kec("32.73.03"), hh), change), http.StatusOK)
	}
	expectStatus(t, do(t, "petugas", "PATCH", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person),
		map[string]any{"occupation": "Buruh harian"}), http.StatusOK)

	h := historyOf(t, "supervisor", "32.73.03", hh)
	var got []string
	for _, c := range h {
		got = append(got, c.Entity+" "+c.Kind)
	}
	want := "person changed, house changed, household changed, membership created, person created, household created, house created"
	if strings.Join(got, ", ") != want {
		t.Fatalf("history: %s, want %s", strings.Join(got, ", "), want)
	}
	if p := h[0]; p.PersonName != "Wawan Riwayat" || p.Before["occupation"] != nil || p.After["occupation"] != "Buruh harian" || p.Username != "petugas" ||
		p.ActorID == nil || p.Via != "edit" || len(p.After) != 1 {
		t.Errorf("the person's change: %+v", p)
	}
	if house := h[1]; house.Before["floor_material"] != "semen" || house.After["floor_material"] != "keramik" ||
		house.Reason == nil || *house.Reason != "Kunjungan rumah 3 Desember" {
		t.Errorf("the house's change: %+v", house)
	}
	if household := h[2]; household.Before["monthly_income"] != nil || household.After["monthly_income"] != 900000.0 {
		t.Errorf("the household's change: %+v", household)
	}
	if m := h[3]; m.After["relationship"] != "kepala_keluarga" || m.PersonName != "Wawan Riwayat" {
		t.Errorf("the membership: %+v", m)
	}
	if !strings.Contains(auditOf(t, "supervisor"), "GET /api/v1/kecamatan/{code}/keluarga/{id}/riwayat") {
		t.Error("reading the history is not audited")
	}
}

// An import records one change per row it changed, as an import's, and
// none for what it created: loading a registry does not copy it into the
// history.
func TestAnImportRecordsWhatItChanged(t *testing.T) {
	kk, head := newKK(), newNIK("P", "1969-12-12")
	row := func(street string) string {
		return extractRow(kk, head, "Imas Impor", "1969-12-12", "P", "kepala_keluarga", "32.73.03.1002", street)
	}
	for _, street := range []string{"Jl. Impor Lama 1", "Jl. Impor Baru 2", "Jl. Impor Baru 2"} {
		if status, out := importCSV(t, "32.73.03", "", extractHeader+row(street)); status != http.StatusOK {
			t.Fatalf("importing: %d %v", status, out)
		}
	}
	var found struct{ Items []struct{ HouseholdID int64 } }
	do(t, "dinsos", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"nik": head}).json(t, &found)
	if len(found.Items) != 1 {
		t.Fatalf("the imported head: %+v", found)
	}
	h := historyOf(t, "dinsos", "32.73.03", found.Items[0].HouseholdID)
	if len(h) != 1 || h[0].Entity != "house" || h[0].Via != "import" || h[0].Username != "dinsos" ||
		h[0].Before["street"] != "Jl. Impor Lama 1" || h[0].After["street"] != "Jl. Impor Baru 2" {
		t.Fatalf("the imported household's history: %+v", h)
	}
}
