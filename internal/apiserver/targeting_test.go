package apiserver_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/synth"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// targetingJSON is a targeting answer.
type targetingJSON struct {
	Rules []struct {
		Code     string
		MaxDesil int
		Quota    *int
	}
	Tables []struct {
		Name    string
		Columns []string
		Rows    [][]any
	}
	Unavailable []any
}

// cells maps a table's rows by their first dims columns joined, to their
// counts.
func (t targetingJSON) cells(name string, dims int) map[string][]any {
	out := map[string][]any{}
	for _, tb := range t.Tables {
		if tb.Name != name {
			continue
		}
		for _, row := range tb.Rows {
			key := make([]string, dims)
			for i := range dims {
				key[i] = fmt.Sprint(row[i])
			}
			out[strings.Join(key, "|")] = row[dims:]
		}
	}
	return out
}

// loadSynthetic imports n synthetic households into the kecamatan as
// Dinas Sosial does.
func loadSynthetic(t *testing.T, code string, n int, seed uint64) {
	t.Helper()
	var kel []string
	for _, a := range wilayah.Default().Children(code) {
		kel = append(kel, a.Code)
	}
	g := synth.New(code, kel, seed)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(bnba.Columns)
	for range n {
		for _, r := range g.Household() {
			_ = w.Write(r.Record())
		}
	}
	w.Flush()
	if status, out := importCSV(t, code, "", buf.String()); status != http.StatusOK {
		t.Fatalf("loading the synthetic registry: %d %v", status, out)
	}
}

// independentTargeting counts a kecamatan's exclusion and inclusion the
// long way: every household read, and counted here.
// expectCounts compares a kecamatan's targeting cells with the households'
// own counts; a kelurahan with no household ranked may have no row.
func expectCounts(t *testing.T, when string, got map[string][]any, want map[string][]int64) {
	t.Helper()
	for key, w := range want {
		if got[key] == nil && fmt.Sprint(w) == "[0 0 0 0 0 0]" {
			continue
		}
		if len(got[key]) != 7 || fmt.Sprint(got[key][1:]) != fmt.Sprint(w) {
			t.Errorf("%s, %s: the API counts %v, the households %v", when, key, got[key], w)
		}
	}
}

func independentTargeting(t *testing.T, code string, cutoffs map[string]int) map[string][]int64 {
	t.Helper()
	ctx := context.Background()
	db, err := env.Postgres.Connect(ctx, "slrt_"+strings.ReplaceAll(code, ".", "_"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	rows, err := db.Query(ctx, `SELECT h.kelurahan_code, h.desil, h.programmes,
		(SELECT count(*) FROM membership m WHERE m.household_id = h.id AND m.until IS NULL) FROM household h`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]int64{}
	for rows.Next() {
		var kel string
		var desil *int16
		var programmes []string
		var members int64
		if err := rows.Scan(&kel, &desil, &programmes, &members); err != nil {
			t.Fatal(err)
		}
		for p, cut := range cutoffs {
			key := kel + "|" + p
			c := out[key]
			if c == nil {
				c = make([]int64, 6)
				out[key] = c
			}
			has := slices.Contains(programmes, p)
			eligible := desil != nil && int(*desil) <= cut
			if eligible {
				c[0]++
			}
			if has && desil != nil {
				c[1]++
			}
			if eligible && !has {
				c[2]++
				c[3] += members
			}
			if desil != nil && int(*desil) > cut && has {
				c[4]++
				c[5] += members
			}
		}
	}
	return out
}

// Who is eligible for a programme by desil but missed, and who receives it
// above the cut-off: the kecamatan's counts equal an independent count of
// its households; the city's hide cells of 1 to 4 and sum to totals with
// the quota; the lists hold exactly the households counted, audited; the
// cut-offs are Dinas Sosial's data, and changing one changes the counts.
func TestTargetingCountsWhoIsMissedAndWhoShouldNotReceive(t *testing.T) {
	loadSynthetic(t, "32.73.04", 150, 1304)
	cutoffs := map[string]int{"PKH": 4, "BPNT": 5, "PBI_JK": 5}
	want := independentTargeting(t, "32.73.04", cutoffs)

	var kec targetingJSON
	resp := do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/sasaran", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &kec)
	expectCounts(t, "the counts", kec.cells("sasaran_per_program", 2), want)
	exclusion, inclusion := int64(0), int64(0)
	for _, w := range want {
		exclusion += w[2]
		inclusion += w[4]
	}
	if exclusion == 0 || inclusion == 0 {
		t.Fatalf("the synthetic registry has no exclusion (%d) or no inclusion (%d)", exclusion, inclusion)
	}

	// The Puskesos of one kelurahan sees its kelurahan only.
	var own targetingJSON
	do(t, "petugas-bk", "GET", "/api/v1/kecamatan/32.73.04/sasaran", nil).json(t, &own)
	for key := range own.cells("sasaran_per_program", 2) {
		if !strings.HasPrefix(key, "32.73.04.1001|") {
			t.Errorf("the petugas of 32.73.04.1001 sees %s", key)
		}
	}

	// The city: by kecamatan with small cells hidden, and the totals.
	var city targetingJSON
	resp = do(t, "dinsos", "GET", "/api/v1/sasaran", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &city)
	cityCells := city.cells("sasaran_per_program", 3)
	for key, w := range want {
		g := cityCells["32.73.04|"+key]
		if g == nil && fmt.Sprint(w) == "[0 0 0 0 0 0]" {
			continue
		}
		for i, n := range w {
			switch {
			case n > 0 && n < 5 && g[i+1] != nil:
				t.Errorf("city %s column %d shows %v, a cell under 5", key, i, g[i+1])
			case (n == 0 || n >= 5) && fmt.Sprint(g[i+1]) != fmt.Sprint(n):
				t.Errorf("city %s column %d: %v, want %d", key, i, g[i+1], n)
			}
		}
	}
	totals := city.cells("sasaran_kota", 1)
	others := independentTargeting(t, "32.73.03", cutoffs)
	for p := range cutoffs {
		var sum int64
		for key, w := range want {
			if strings.HasSuffix(key, "|"+p) {
				sum += w[2]
			}
		}
		for key, w := range others {
			if strings.HasSuffix(key, "|"+p) {
				sum += w[2]
			}
		}
		if g := totals[p]; len(g) < 5 || fmt.Sprint(g[4]) != fmt.Sprint(sum) {
			t.Errorf("the city's exclusion from %s: %v, want %d", p, g, sum)
		}
	}

	// The list of one kelurahan's exclusion from PKH holds exactly the
	// households counted.
	// The kelurahan whose petugas the tests have, so that it may change
	// the households listed.
	kel := "32.73.04.1001"
	if want[kel+"|PKH"][2] < 2 {
		t.Fatalf("too few excluded from PKH in %s to list: %v", kel, want[kel+"|PKH"])
	}
	var listed []struct {
		ID         int64
		Head       string
		Desil      int
		Programmes []string
	}
	cursor := ""
	for {
		var page struct {
			Items []struct {
				ID         int64
				Head       string
				Desil      int
				Programmes []string
			}
			NextCursor string
		}
		resp := do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/sasaran/keluarga?program=PKH&jenis=eksklusi&limit=2&kelurahan="+kel+"&cursor="+cursor, nil)
		expectStatus(t, resp, http.StatusOK)
		resp.json(t, &page)
		listed = append(listed, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if int64(len(listed)) != want[kel+"|PKH"][2] {
		t.Errorf("the list holds %d households, the count %d", len(listed), want[kel+"|PKH"][2])
	}
	for _, h := range listed {
		if h.Desil > 4 || slices.Contains(h.Programmes, "PKH") || h.Head == "" {
			t.Errorf("listed but not excluded from PKH: %+v", h)
		}
	}
	if !strings.Contains(auditOf(t, "dinsos"), "GET /api/v1/kecamatan/{code}/sasaran/keluarga") {
		t.Error("reading a targeting list is not audited")
	}
	expectStatus(t, do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/sasaran/keluarga?program=XYZ&jenis=eksklusi", nil), http.StatusUnprocessableEntity)

	// The counts follow the registry's changes: a household re-ranked and
	// given PKH, a member added to another, one leaving.
	expectStatus(t, do(t, "petugas-bk", "PATCH", fmt.Sprintf("/api/v1/kecamatan/32.73.04/keluarga/%d", listed[0].ID), map[string]any{
		"desil": 9, "programmes": []string{"PKH"}, "reason": "Hasil verifikasi lapangan"}), http.StatusOK)
	registerPerson(t, "petugas-bk", "32.73.04", listed[1].ID, personSpec{"Bayi Sasaran", "P", "2026-01-15", "anak"})
	want = independentTargeting(t, "32.73.04", cutoffs)
	do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/sasaran", nil).json(t, &kec)
	expectCounts(t, "after the registry changed", kec.cells("sasaran_per_program", 2), want)

	// Cut-offs are data: Dinas Sosial lowers PKH's to 3, and the counts
	// follow; nobody else may.
	expectStatus(t, do(t, "supervisor", "PUT", "/api/v1/program/PKH", map[string]any{"maxDesil": 3}), http.StatusForbidden)
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/program/PKH", map[string]any{"maxDesil": 11}), http.StatusUnprocessableEntity)
	expectStatus(t, do(t, "dinsos", "PUT", "/api/v1/program/PKH", map[string]any{"maxDesil": 3, "quota": 54000,
		"reason": "Keputusan uji 1/2026"}), http.StatusOK)
	t.Cleanup(func() {
		do(t, "dinsos", "PUT", "/api/v1/program/PKH", map[string]any{"maxDesil": 4, "reason": "Kembali ke batas semula"})
	})
	lowered := independentTargeting(t, "32.73.04", map[string]int{"PKH": 3})
	do(t, "dinsos", "GET", "/api/v1/kecamatan/32.73.04/sasaran", nil).json(t, &kec)
	expectCounts(t, "after the cut-off changed", kec.cells("sasaran_per_program", 2), lowered)
	do(t, "dinsos", "GET", "/api/v1/sasaran", nil).json(t, &city)
	if q := city.cells("sasaran_kota", 1)["PKH"]; len(q) < 2 || q[0] != 3.0 || q[1] != "54000" {
		t.Errorf("the city's PKH rule: %v", q)
	}

	// CSV carries the same tables.
	resp = do(t, "dinsos", "GET", "/api/v1/sasaran?format=csv", nil)
	if resp.status != http.StatusOK || !strings.Contains(string(resp.body), "sasaran_kota,PKH,3,54000,") {
		t.Errorf("the city's CSV: %d %.300s", resp.status, resp.body)
	}
}
