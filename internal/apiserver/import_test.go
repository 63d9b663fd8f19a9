package apiserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const extractHeader = "no_kk,nik,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,hubungan,pendidikan,pekerjaan,disabilitas,penyakit_kronis,hamil,status_keberadaan,kelurahan,rt,rw,alamat,id_dtks,desil,program,penghasilan,pengeluaran\n"

func importCSV(t *testing.T, code, query, csv string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", api.URL+"/api/v1/kecamatan/"+code+"/impor"+query, bytes.NewReader([]byte(csv)))
	req.Header.Set("Authorization", "Bearer "+callers["dinsos"].token)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

// extractRow is one line of an extract with the columns the tests vary.
func extractRow(kk, n, name, birth, sex, rel, kel, street string) string {
	return strings.Join([]string{kk, n, name, "Bandung", birth, sex, rel, "", "", "", "", "", "", kel, "1", "2", street, "", "", "", "", ""}, ",") + "\n"
}

// What no single row shows the API finds across rows: a NIK twice, a
// household whose rows disagree, a second head, an unknown kelurahan. With
// one of them nothing loads; skipInvalid loads the rest. Loaded persons
// join the cross-kecamatan index.
func TestImportChecksAcrossRows(t *testing.T) {
	kk1, kk2, kk3 := newKK(), newKK(), newKK()
	head, wife, twice := newNIK("L", "1970-01-01"), newNIK("P", "1972-02-02"), newNIK("L", "1990-03-03")
	second, other := newNIK("L", "1975-04-04"), newNIK("P", "1980-05-05")
	row := extractRow
	csv := extractHeader +
		row(kk1, head, "Kepala Satu", "1970-01-01", "L", "kepala_keluarga", "32.73.03.1003", "Jl. Satu") + // line 2
		row(kk1, wife, "Istri Satu", "1972-02-02", "P", "istri", "32.73.03.1003", "Jl. Satu") + // 3
		row(kk1, twice, "Anak Dua Kali", "1990-03-03", "L", "anak", "32.73.03.1003", "Jl. Satu") + // 4
		row(kk1, twice, "Anak Dua Kali", "1990-03-03", "L", "anak", "32.73.03.1003", "Jl. Satu") + // 5: NIK twice
		row(kk1, second, "Kepala Kedua", "1975-04-04", "L", "kepala_keluarga", "32.73.03.1003", "Jl. Satu") + // 6: second head
		row(kk2, other, "Alamat Beda", "1980-05-05", "P", "kepala_keluarga", "32.73.03.1003", "Jl. Dua") + // 7
		row(kk2, newNIK("L", "2001-06-06"), "Anak Beda", "2001-06-06", "L", "anak", "32.73.03.1003", "Jl. Tiga") + // 8: household differs
		row(kk3, newNIK("L", "1960-07-07"), "Kelurahan Hilang", "1960-07-07", "L", "kepala_keluarga", "32.73.03.1099", "Jl. Empat") // 9
	status, out := importCSV(t, "32.73.03", "", csv)
	if status != http.StatusUnprocessableEntity || out["committed"] == true {
		t.Fatalf("status %d: %v", status, out)
	}
	problems := map[string]bool{}
	for _, p := range out["problems"].([]any) {
		m := p.(map[string]any)
		problems[strings.Join([]string{jsonNum(m["line"]), m["field"].(string), m["code"].(string)}, " ")] = true
	}
	for _, want := range []string{"5 nik bnba.nik_twice", "6 hubungan bnba.second_head", "8 no_kk bnba.household_differs", "9 kelurahan bnba.kelurahan_unknown"} {
		if !problems[want] {
			t.Errorf("no problem %q in %v", want, problems)
		}
	}
	found := do(t, "supervisor", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"nik": head})
	if strings.Contains(string(found.body), "Kepala Satu") {
		t.Error("a rejected file loaded rows")
	}

	status, out = importCSV(t, "32.73.03", "?skipInvalid=true", csv)
	if status != http.StatusOK || out["committed"] != true || jsonNum(out["loaded"]) != "4" || jsonNum(out["personsCreated"]) != "4" {
		t.Fatalf("skipInvalid: %d %v", status, out)
	}
	// The loaded head is known across kecamatan now.
	hhBK, _ := registerHousehold(t, "petugas-bk", "32.73.04.1001")
	resp := do(t, "petugas-bk", "POST", kec("32.73.04")+"/penduduk", map[string]any{"nik": head, "name": "Kepala Satu", "birthPlace": "Bandung",
		"birthDate": "1970-01-01", "sex": "L", "householdId": hhBK, "relationship": "kepala_keluarga"})
	expectStatus(t, resp, http.StatusConflict)
	if !strings.Contains(string(resp.body), `"otherKecamatan":["32.73.03"]`) {
		t.Errorf("imported NIK not in the index: %s", resp.body)
	}
}

// A file naming a new head for a household whose registered head it does
// not list is refused (409): nothing of it is loaded, and none of its NIKs
// stays in the cross-kecamatan index, although the index was written while
// the upsert ran.
func TestImportRefusedForAHeadConflictLeavesNoTrace(t *testing.T) {
	kk := newKK()
	head, member := newNIK("L", "1966-01-01"), newNIK("P", "1968-02-02")
	status, out := importCSV(t, "32.73.03", "", extractHeader+
		extractRow(kk, head, "Kepala Lama", "1966-01-01", "L", "kepala_keluarga", "32.73.03.1003", "Jl. Lama")+
		extractRow(kk, member, "Istri Lama", "1968-02-02", "P", "istri", "32.73.03.1003", "Jl. Lama"))
	if status != http.StatusOK {
		t.Fatalf("first import: %d %v", status, out)
	}
	newHead, elsewhere := newNIK("L", "1990-03-03"), newNIK("P", "1991-04-04")
	status, out = importCSV(t, "32.73.03", "", extractHeader+
		extractRow(kk, member, "Istri Lama", "1968-02-02", "P", "istri", "32.73.03.1003", "Jl. Lama")+
		extractRow(kk, newHead, "Kepala Baru", "1990-03-03", "L", "kepala_keluarga", "32.73.03.1003", "Jl. Lama")+
		extractRow(newKK(), elsewhere, "Warga Lain", "1991-04-04", "P", "kepala_keluarga", "32.73.03.1003", "Jl. Lain"))
	if status != http.StatusConflict || !strings.Contains(fmt.Sprint(out), "kepala_keluarga") {
		t.Fatalf("head conflict: %d %v", status, out)
	}
	for _, n := range []string{newHead, elsewhere} {
		found := do(t, "supervisor", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"nik": n})
		if strings.Contains(string(found.body), `"id"`) {
			t.Errorf("a refused file loaded %s", found.body)
		}
	}
	// Known nowhere: another kecamatan registers the resident without
	// being told that 32.73.03 holds them.
	hhBK, _ := registerHousehold(t, "petugas-bk", "32.73.04.1001")
	resp := do(t, "petugas-bk", "POST", kec("32.73.04")+"/penduduk", map[string]any{"nik": elsewhere, "name": "Warga Lain", "birthPlace": "Bandung",
		"birthDate": "1991-04-04", "sex": "P", "householdId": hhBK, "relationship": "kepala_keluarga"})
	expectStatus(t, resp, http.StatusCreated)
	if strings.Contains(string(resp.body), "32.73.03") {
		t.Errorf("the refused file's NIK stayed in the index: %s", resp.body)
	}
}

// jsonNum writes a decoded JSON number as an integer.
func jsonNum(v any) string {
	f, _ := v.(float64)
	return strconv.Itoa(int(f))
}

// A dry run says how the columns were read and what the load would do,
// and keeps nothing. A file that puts many registered persons into other
// households (a wrong No KK column, say) is refused with the moves listed
// until allowMoves says the moves are meant.
func TestImportPreviewAndTooManyMoves(t *testing.T) {
	var persons []string
	kk := newKK()
	var csv strings.Builder
	csv.WriteString("NO KK,NIK,NAMA,TEMPAT LAHIR,TGL LAHIR,JK,SHDK,KODE KELURAHAN,RT,RW,ALAMAT\n")
	for i := range 8 {
		n := newNIK("L", "1980-01-01")
		persons = append(persons, n)
		rel := "Anak"
		if i == 0 {
			rel = "Kepala Keluarga"
		}
		fmt.Fprintf(&csv, "%s,%s,Warga %d,Bandung,01-01-1980,Laki-laki,%s,32.73.03.1004,1,2,Jl. Lima\n", kk, n, i, rel)
	}
	status, out := importCSV(t, "32.73.03", "?dryRun=true", csv.String())
	if status != http.StatusOK || out["committed"] != false || jsonNum(out["personsCreated"]) != "8" ||
		out["columns"].(map[string]any)["hubungan"] != "SHDK" {
		t.Fatalf("dry run: %d %v", status, out)
	}
	if status, out := importCSV(t, "32.73.03", "", csv.String()); status != http.StatusOK || jsonNum(out["personsCreated"]) != "8" {
		t.Fatalf("after a dry run nothing was kept, so the load creates all: %d %v", status, out)
	}
	// The same persons under another No KK: every one of them would move.
	moved := strings.ReplaceAll(csv.String(), kk, newKK())
	status, out = importCSV(t, "32.73.03", "", moved)
	if status != http.StatusConflict || jsonNum(out["householdChanges"]) != "8" || len(out["moves"].([]any)) != 8 {
		t.Fatalf("moving every person: %d %v", status, out)
	}
	first := out["moves"].([]any)[0].(map[string]any)
	if first["nik"] == persons[0] || !strings.Contains(first["nik"].(string), "•") || first["line"] != float64(2) {
		t.Errorf("a move shows the NIK masked and its line: %v", first)
	}
	if status, out := importCSV(t, "32.73.03", "?allowMoves=true", moved); status != http.StatusOK || jsonNum(out["moved"]) != "8" {
		t.Fatalf("the moves allowed: %d %v", status, out)
	}
}
