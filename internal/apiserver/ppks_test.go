package apiserver_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The assessment records the resident's PPKS categories, the 26 of
// Permensos 08/2012 kept as data; an unknown or repeated one is refused
// naming the field; the case file shows them and the reports count
// households and persons by them, equal to an independent count, the
// city's with small cells hidden.
func TestTheAssessmentRecordsPPKSAndTheReportsCountThem(t *testing.T) {
	var cats struct{ Items []struct{ Code, Name string } }
	do(t, "petugas", "GET", "/api/v1/ppks", nil).json(t, &cats)
	if len(cats.Items) != 26 || cats.Items[7].Code != "lansia_telantar" {
		t.Fatalf("the PPKS categories: %+v", cats.Items)
	}
	assess := func(complaint int64, ppks ...string) *response {
		return do(t, "petugas", "PUT", fmt.Sprintf("%s/keluhan/%d/asesmen", kec("32.73.03"), complaint), map[string]any{
			"documentsHeld": []string{}, "ppks": ppks})
	}
	_, first := newCase(t)
	for _, bad := range [][]string{{"bukan_ppks"}, {"fakir_miskin", "fakir_miskin"}} {
		if resp := assess(first, bad...); resp.status != http.StatusUnprocessableEntity || !strings.Contains(string(resp.body), `"/ppks"`) {
			t.Errorf("PPKS %v: %d %s", bad, resp.status, resp.body)
		}
	}
	expectStatus(t, assess(first, "lansia_telantar", "fakir_miskin"), http.StatusOK)
	var c struct{ Assessment struct{ PPKS []string } }
	do(t, "petugas", "GET", fmt.Sprintf("%s/keluhan/%d", kec("32.73.03"), first), nil).json(t, &c)
	if strings.Join(c.Assessment.PPKS, ",") != "lansia_telantar,fakir_miskin" {
		t.Errorf("the case file's PPKS: %v", c.Assessment.PPKS)
	}
	for range 5 {
		_, other := newCase(t)
		expectStatus(t, assess(other, "fakir_miskin"), http.StatusOK)
	}

	ctx := context.Background()
	tdb, err := env.Postgres.Connect(ctx, "slrt_32_73_03")
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close(ctx)
	independent := func(code string) (households, persons int) {
		// Every complaint of the tests was made today, inside the
		// report's default 30 days.
		if err := tdb.QueryRow(ctx, `SELECT count(DISTINCT c.household_id), count(DISTINCT c.person_id) FROM complaint c
			JOIN assessment a ON a.complaint_id = c.id WHERE $1 = ANY(a.ppks) AND c.kelurahan_code = '32.73.03.1001'`,
			code).Scan(&households, &persons); err != nil {
			t.Fatal(err)
		}
		return
	}
	var kecReport reportJSON
	do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.03/laporan", nil).json(t, &kecReport)
	var city reportJSON
	do(t, "dinsos", "GET", "/api/v1/laporan", nil).json(t, &city)
	for _, code := range []string{"fakir_miskin", "lansia_telantar"} {
		hh, persons := independent(code)
		row := kecReport.row("warga_per_ppks", "32.73.03.1001", code)
		if fmt.Sprint(row) != fmt.Sprint([]any{"32.73.03.1001", code, float64(hh), float64(persons)}) {
			t.Errorf("the kecamatan's %s: %v, the database says %d households, %d persons", code, row, hh, persons)
		}
		cityRow := city.row("warga_per_ppks", "32.73.03", "32.73.03.1001", code)
		if persons < 5 && (len(cityRow) < 5 || cityRow[4] != nil) {
			t.Errorf("the city shows %s's %d persons: %v", code, persons, cityRow)
		}
		if persons >= 5 && (len(cityRow) < 5 || cityRow[4] != float64(persons)) {
			t.Errorf("the city's %s: %v, want %d persons", code, cityRow, persons)
		}
	}
}

// row returns the row of a table whose first columns are key.
func (r *reportJSON) row(table string, key ...string) []any {
	for _, t := range r.Tables {
		if t.Name != table {
			continue
		}
		for _, row := range t.Rows {
			match := len(row) >= len(key)
			for i, k := range key {
				if match && fmt.Sprint(row[i]) != k {
					match = false
				}
			}
			if match {
				return row
			}
		}
	}
	return nil
}

// In the case file the back office ticks the resident's PPKS categories;
// the assessment shows them by name, and a kecamatan's report lists them.
func TestWebAssessmentRecordsPPKS(t *testing.T) {
	_, complaint := newCase(t)
	caseFile := fmt.Sprintf("/kecamatan/32.73.03/keluhan/%d", complaint)
	b := newBrowser(t)
	b.signIn("petugas")
	if r := b.get(caseFile); !strings.Contains(r.body, `id="ppks-choices"`) || !strings.Contains(r.body, `value="korban_bencana_alam"`) {
		t.Fatalf("the assessment form has no PPKS: %s", r.body)
	}
	if r := b.post(caseFile+"/asesmen", url.Values{"ppks": {"korban_bencana_alam", "fakir_miskin"}}); r.status != http.StatusSeeOther {
		t.Fatalf("assessing: %d %s", r.status, r.body)
	}
	if r := b.get(caseFile + "?dikaji=1"); !strings.Contains(r.body, "Korban bencana alam, Fakir miskin") {
		t.Errorf("the case file does not name the categories: %s", r.body)
	}
	s := newBrowser(t)
	s.signIn("supervisor")
	if r := s.get("/kecamatan/32.73.03/laporan"); !strings.Contains(r.body, "Warga yang dikaji per kategori PPKS") || !strings.Contains(r.body, "Korban bencana alam") {
		t.Errorf("the report does not count by PPKS: %s", r.body)
	}
}
