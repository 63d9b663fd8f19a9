package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Dinas Sosial loads a workbook as offices keep them, with slrtctl and the
// slrt-api binary: a title above exported column names, values as family
// cards write them, a date cell, and a column name of the office's own that
// a --map file names. A NIK typed into a number cell is refused naming the
// cell, and nothing loads; the dry run then says how each column was read
// and what would happen, keeping nothing; the load follows.
func TestImportAnOfficeWorkbookThroughTheBinaries(t *testing.T) {
	server, admin := startPlatform(t, "slrt_control_workbook")
	mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", "32.73.12", "Batununggal"}, admin...)...)
	mustSlrtctl(t, "dinas-sosial-2026\n", append([]string{"accounts", "create", "rahmat", "--display-name", "Rahmat (Dinsos)"}, admin...)...)
	mustSlrtctl(t, "", append([]string{"grants", "add", "rahmat", "dinsos", "32.73"}, admin...)...)
	dinsos := []string{"--server", server, "--token", strings.TrimSpace(mustSlrtctl(t, "dinas-sosial-2026\n", "login", "rahmat", "--server", server))}
	waitReady(t, admin, "32.73.12")

	header := []any{"NO KK", "NIK", "NAMA LENGKAP", "TEMPAT LAHIR", "TGL LAHIR", "JENIS KELAMIN", "HUBUNGAN DALAM KELUARGA",
		"PENDIDIKAN", "WILAYAH (KODE KEMENDAGRI)", "RT", "RW", "ALAMAT", "PENGHASILAN"}
	rows := [][]any{
		{"3273121504100011", "3273121203800011", "Dedi Mulyadi", "Bandung", nil, "Laki-laki", "Kepala Keluarga", "SLTA/SEDERAJAT", "32.73.12.1001", "3", "11", "Jl. Pasteur 1", "Rp 1.500.000"},
		{"3273121504100011", "3273124507850012", "Neneng Hasanah", "Garut", "05/07/1985", "Perempuan", "Istri", "TAMAT SD/SEDERAJAT", "32.73.12.1001", "3", "11", "Jl. Pasteur 1", "1.500.000"},
	}
	write := func(name string, nikAsNumber bool) string {
		f := excelize.NewFile()
		_ = f.SetCellValue("Sheet1", "A1", "DATA USULAN KELUARGA MISKIN KECAMATAN BATUNUGGAL")
		_ = f.SetSheetRow("Sheet1", "A3", &header)
		for i, r := range rows {
			row := append([]any(nil), r...)
			cell, _ := excelize.CoordinatesToCellName(1, i+4)
			_ = f.SetSheetRow("Sheet1", cell, &row)
		}
		dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
		_ = f.SetCellFloat("Sheet1", "E4", 29292, 0, 64) // 12 March 1980, a date cell
		_ = f.SetCellStyle("Sheet1", "E4", "E4", dateStyle)
		if nikAsNumber {
			_ = f.SetCellInt("Sheet1", "B5", 3273124507850012)
		}
		path := filepath.Join(t.TempDir(), name)
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// A header cell no alias covers: named with its nearest columns, and
	// read once a --map file says which column it is.
	book := write("usulan.xlsx", false)
	out, err := runSlrtctl(t, "", append([]string{"import", "32.73.12", book}, dinsos...)...)
	if err == nil || !strings.Contains(out, `line 3, WILAYAH (KODE KEMENDAGRI): not a column of the extract; nearest:`) ||
		!strings.Contains(out, "line 3, kelurahan: the header lacks this column") {
		t.Fatalf("an unknown header cell: %v\n%s", err, out)
	}
	mapFile := filepath.Join(t.TempDir(), "kolom.txt")
	if err := os.WriteFile(mapFile, []byte("# the office's own names\nWILAYAH (KODE KEMENDAGRI) = kelurahan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withMap := append([]string{"--map", mapFile}, dinsos...)

	out, err = runSlrtctl(t, "", append([]string{"import", "32.73.12", write("angka.xlsx", true)}, withMap...)...)
	if err == nil || !strings.Contains(out, "line 5, nik: cell B5 holds a number") || !strings.Contains(out, "nothing imported") {
		t.Fatalf("a NIK in a number cell: %v\n%s", err, out)
	}

	out = mustSlrtctl(t, "", append([]string{"import", "32.73.12", "--dry-run", book}, withMap...)...)
	for _, want := range []string{`hubungan           <- "HUBUNGAN DALAM KELUARGA"`, `tanggal_lahir      <- "TGL LAHIR"`,
		`kelurahan          <- "WILAYAH (KODE KEMENDAGRI)"`,
		"2 rows: 2 would load (dry run: nothing kept), 0 skipped; households 1 new, 0 updated; persons 2 new"} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, out)
		}
	}
	out = mustSlrtctl(t, "", append([]string{"import", "32.73.12", book}, withMap...)...)
	if !strings.Contains(out, "2 rows: 2 loaded, 0 skipped; households 1 new, 0 updated; persons 2 new") {
		t.Fatalf("the load after the dry run: %s", out)
	}
	path := filepath.Join(t.TempDir(), "ekspor.csv")
	mustSlrtctl(t, "", append([]string{"export", "32.73.12", "-f", path}, dinsos...)...)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3273121504100011,3273121203800011,Dedi Mulyadi,Bandung,1980-03-12,L,kepala_keluarga,sma",
		"3273124507850012,Neneng Hasanah,Garut,1985-07-05,P,istri,sd"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the registry lacks %q:\n%s", want, data)
		}
	}
}
