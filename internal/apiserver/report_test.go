package apiserver_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

type reportJSON struct {
	Tables []struct {
		Name       string   `json:"name"`
		Columns    []string `json:"columns"`
		Rows       [][]any  `json:"rows"`
		Suppressed int      `json:"suppressed"`
	} `json:"tables"`
	Unavailable []any `json:"unavailable"`
}

func (r *reportJSON) count(table string, key ...string) (any, bool) {
	for _, t := range r.Tables {
		if t.Name != table {
			continue
		}
		for _, row := range t.Rows {
			match := true
			for i, k := range key {
				if fmt.Sprint(row[i]) != k {
					match = false
				}
			}
			if match {
				return row[len(row)-1], true
			}
		}
	}
	return nil, false
}

// The counts match what the database says, counted here independently;
// the city view hides cells of fewer than five; CSV and XLSX carry the same.
func TestMonitoringCountsAndSuppressesSmallCells(t *testing.T) {
	person, _ := newCase(t)
	for i := range 7 {
		category, channel := "LANSIA", "telepon"
		if i >= 5 {
			category, channel = "DISABILITAS", "surat"
		}
		expectStatus(t, do(t, "petugas", "POST", kec("32.73.03")+"/keluhan", map[string]any{"personId": person, "channel": channel,
			"category": category, "description": "x", "urgency": "biasa"}), http.StatusCreated)
	}
	ctx := context.Background()
	tdb, err := env.Postgres.Connect(ctx, "slrt_32_73_03")
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close(ctx)
	independent := func(category, channel string) string {
		var n int
		if err := tdb.QueryRow(ctx, `SELECT count(*) FROM complaint WHERE kelurahan_code = '32.73.03.1001' AND category = $1 AND channel = $2`,
			category, channel).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(n)
	}
	var desil2 int
	if err := tdb.QueryRow(ctx, `SELECT count(*) FROM household WHERE kelurahan_code = '32.73.03.1001' AND desil = 2`).Scan(&desil2); err != nil {
		t.Fatal(err)
	}

	var kec reportJSON
	resp := do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.03/laporan", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &kec)
	for _, c := range [][2]string{{"LANSIA", "telepon"}, {"DISABILITAS", "surat"}} {
		got, _ := kec.count("keluhan_per_kategori_kanal", "32.73.03.1001", c[0], c[1])
		if fmt.Sprint(got) != independent(c[0], c[1]) {
			t.Errorf("kecamatan report %v: %v, the database says %s", c, got, independent(c[0], c[1]))
		}
	}
	if got, _ := kec.count("keluarga_per_desil", "32.73.03.1001", "2"); fmt.Sprint(got) != fmt.Sprint(desil2) {
		t.Errorf("households in desil 2: %v, the database says %d", got, desil2)
	}

	var city reportJSON
	resp = do(t, "dinsos", "GET", "/api/v1/laporan?format=json", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &city)
	if got, _ := city.count("keluhan_per_kategori_kanal", "32.73.03", "32.73.03.1001", "LANSIA", "telepon"); fmt.Sprint(got) != independent("LANSIA", "telepon") {
		t.Errorf("city report, 5 or more: %v", got)
	}
	if got, ok := city.count("keluhan_per_kategori_kanal", "32.73.03", "32.73.03.1001", "DISABILITAS", "surat"); !ok || got != nil {
		t.Errorf("city report, 2 complaints: %v (present %t), want suppressed", got, ok)
	}
	if len(city.Unavailable) != 0 {
		t.Errorf("unavailable: %v", city.Unavailable)
	}
	// The kecamatan view is only the supervisor's own; the city view only Dinsos'.
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.04/laporan", nil), http.StatusForbidden)
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/laporan", nil), http.StatusForbidden)

	csv := do(t, "dinsos", "GET", "/api/v1/laporan?format=csv", nil)
	expectStatus(t, csv, http.StatusOK)
	if !strings.Contains(string(csv.body), "keluhan_per_kategori_kanal,32.73.03,32.73.03.1001,DISABILITAS,surat,<5") ||
		!strings.Contains(string(csv.body), "keluhan_per_kategori_kanal,32.73.03,32.73.03.1001,LANSIA,telepon,"+independent("LANSIA", "telepon")) {
		t.Errorf("CSV:\n%s", csv.body)
	}
	xlsx := do(t, "dinsos", "GET", "/api/v1/laporan?format=xlsx", nil)
	expectStatus(t, xlsx, http.StatusOK)
	book, err := excelize.OpenReader(bytes.NewReader(xlsx.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows("keluhan_per_kategori_kanal")
	if err != nil || len(rows) < 3 || rows[0][0] != "kecamatan" {
		t.Errorf("XLSX sheet: %v %v", rows, err)
	}
	found := false
	for _, r := range rows {
		if strings.Join(r, ",") == "32.73.03,32.73.03.1001,DISABILITAS,surat,<5" {
			found = true
		}
	}
	if !found {
		t.Errorf("XLSX lacks the suppressed cell: %v", rows)
	}
}
