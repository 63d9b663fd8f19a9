package bnba

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// The workbooks and CSV files offices pass around, made here: each either
// reads the rows a person would expect or says what is wrong in a way a
// person can act on, and a NIK is never altered.

// exportedHeader is how registry exports and hand-made sheets name the
// columns.
var exportedHeader = []string{"NO KK", "NIK", "NAMA", "TEMPAT LAHIR", "TGL LAHIR", "JENIS KELAMIN", "HUBUNGAN DALAM KELUARGA",
	"PENDIDIKAN", "KODE KELURAHAN", "RT", "RW", "ALAMAT", "DESIL", "PROGRAM", "PENGHASILAN"}

// workbook writes a sheet: a title row, then the header at row 3, then the
// rows, each cell set as the test gives it (a string is text, an int64 a
// number, a float64 with dateStyle a date).
func workbook(t *testing.T, date1904 bool, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	if date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			t.Fatal(err)
		}
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	custom := "dd/mm/yyyy"
	customDate, err := f.NewStyle(&excelize.Style{CustomNumFmt: &custom})
	if err != nil {
		t.Fatal(err)
	}
	set := func(col, row int, v any) {
		ref, _ := excelize.CoordinatesToCellName(col, row)
		switch x := v.(type) {
		case excelDate:
			_ = f.SetCellFloat("Sheet1", ref, float64(x), 0, 64)
			_ = f.SetCellStyle("Sheet1", ref, ref, dateStyle)
		case customExcelDate:
			_ = f.SetCellFloat("Sheet1", ref, float64(x), 0, 64)
			_ = f.SetCellStyle("Sheet1", ref, ref, customDate)
		case formula:
			_ = f.SetCellFormula("Sheet1", ref, string(x))
		default:
			_ = f.SetCellValue("Sheet1", ref, v)
		}
	}
	set(1, 1, "DATA KELUARGA MISKIN KECAMATAN BABAKAN CIPARAY 2026")
	_ = f.MergeCell("Sheet1", "A1", "O1") // a title across the sheet
	for i, h := range exportedHeader {
		set(i+1, 3, h)
	}
	for r, row := range rows {
		for c, v := range row {
			if v != nil {
				set(c+1, r+4, v)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type (
	excelDate       float64 // a date cell in a built-in date format
	customExcelDate float64 // a date cell in a custom format
	formula         string
)

// serial is a date as the workbook's date system counts it.
func serial(d time.Time, date1904 bool) float64 {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return d.Sub(epoch).Hours() / 24
}

func person(kk, nik, name string, born any, sex, rel string) []any {
	return []any{kk, nik, name, "Bandung", born, sex, rel, "SMA", "32.73.03.1001", "3", "11", "Jl. Holis 12", "2", "PKH, Sembako", "Rp 1.500.000"}
}

// An exported workbook: a title above the header, exported column names,
// values as people write them, dates as date cells in both date systems
// and in a custom format, trailing empty rows: every row reads.
func TestExportedWorkbookReads(t *testing.T) {
	born := time.Date(1980, 3, 12, 0, 0, 0, 0, time.UTC)
	for _, date1904 := range []bool{false, true} {
		data := workbook(t, date1904,
			person("3273031504100001", "3273031203800001", "Asep Sunandar", excelDate(serial(born, date1904)), "Laki-laki", "Kepala Keluarga"),
			person("3273031504100001", "3273035203800002", "Euis Rahayu", customExcelDate(serial(born, date1904)), "PEREMPUAN", "Istri"),
			person("3273031504100001", "3273031203800003", "Ujang", "12/03/1980", "L", "Anak Kandung"),
			[]any{nil, nil, nil}, []any{"", " "})
		rows, problems := readAll(t, "x.xlsx", data)
		if len(problems) != 0 || len(rows) != 3 {
			t.Fatalf("1904 %v: %d rows, problems %v", date1904, len(rows), problems)
		}
		for _, r := range rows {
			if !r.BirthDate.Equal(born) || r.Line < 4 {
				t.Errorf("1904 %v, line %d: born %v, want %v", date1904, r.Line, r.BirthDate, born)
			}
		}
		got := rows[0]
		if got.Sex != "L" || rows[1].Sex != "P" || got.Relationship != "kepala_keluarga" || rows[2].Relationship != "anak" ||
			*got.Education != "sma" || *got.Income != 1500000 || strings.Join(got.Programmes, ";") != "PKH;BPNT" {
			t.Errorf("values as written: %+v", got)
		}
	}
}

// A NIK or No KK typed as a number is refused with the cell and the way to
// fix it, never read as a NIK: Excel has already lost its 16th digit.
func TestNumberInANIKCellIsRefused(t *testing.T) {
	data := workbook(t, false,
		person("3273031504100001", "3273031203800001", "Asep", "1980-03-12", "L", "kepala_keluarga"),
		[]any{"3273031504100001", int64(3273031203850021), "Budi", "Bandung", "1985-03-12", "L", "anak", "", "32.73.03.1001", "3", "11", "Jl. Holis 12", "2", "PKH, Sembako", "Rp 1.500.000"},
		[]any{int64(3273031504100001), "3273031203850031", "Cecep", "Bandung", "1985-03-12", "L", "anak", "", "32.73.03.1001", "3", "11", "Jl. Holis 12", "2", "PKH, Sembako", "Rp 1.500.000"})
	rows, problems := readAll(t, "x.xlsx", data)
	if len(rows) != 1 || len(problems) != 2 {
		t.Fatalf("rows %d, problems %v", len(rows), problems)
	}
	for i, want := range []string{"line 5, nik: cell B5 holds a number", "line 6, no_kk: cell A6 holds a number"} {
		if !strings.HasPrefix(problems[i].String(), want) || problems[i].Code != "bnba.number_cell" || !strings.Contains(problems[i].Message, "Text") {
			t.Errorf("problem %d: %v, want %q", i, problems[i], want)
		}
	}
}

// A formula in an identity column is read only when its value is text.
func TestFormulaCellsAreRefused(t *testing.T) {
	row := person("3273031504100001", "3273031203800001", "Asep", "1980-03-12", "L", "kepala_keluarga")
	row[1] = formula("3273031203800000+1")
	_, problems := readAll(t, "x.xlsx", workbook(t, false, row))
	if len(problems) != 1 || problems[0].Code != "bnba.formula" || problems[0].Field != "nik" || !strings.Contains(problems[0].Message, "B4") {
		t.Fatalf("problems %v", problems)
	}
}

// CSV as offices save it: Windows-1252 (names with é and ñ), tabs or
// semicolons, a byte order mark.
func TestCSVAsOfficesSaveIt(t *testing.T) {
	line := func(sep string) string {
		return strings.Join([]string{"NO KK", "NIK", "NAMA", "TEMPAT LAHIR", "TGL LAHIR", "JK", "SHDK", "KODE DESA", "RT", "RW", "ALAMAT"}, sep) + "\r\n" +
			strings.Join([]string{"3273031504100001", "3273031203800001", "José Muñoz", "Bandung", "12-03-1980", "1", "1", "32.73.03.1001", "3", "11", "Jl. Holis"}, sep) + "\r\n"
	}
	cp1252, err := charmap.Windows1252.NewEncoder().String(line(";"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"windows-1252 ;": []byte(cp1252),
		"utf-8 tab":      []byte(line("\t")),
		"utf-8 BOM ,":    append([]byte("\xef\xbb\xbf"), line(",")...),
	} {
		rows, problems := readAll(t, "x.csv", data)
		if len(problems) != 0 || len(rows) != 1 {
			t.Fatalf("%s: %v %v", name, rows, problems)
		}
		if rows[0].Name != "José Muñoz" || rows[0].Sex != "L" || rows[0].Relationship != "kepala_keluarga" {
			t.Errorf("%s: %+v", name, rows[0])
		}
	}
}

// Whatever the bytes of a workbook, reading it never panics.
func FuzzReadXLSX(f *testing.F) {
	t := &testing.T{}
	f.Add(workbook(t, false, person("3273031504100001", "3273031203800001", "Asep", excelDate(29292), "L", "kepala_keluarga")))
	f.Add(workbook(t, true, []any{int64(1), formula("A1"), excelDate(-3)}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open("f.xlsx", bytes.NewReader(data), "")
		if err != nil {
			return
		}
		e, _, err := Read(r, "32.73.03", now)
		if err != nil || e == nil {
			return
		}
		for range 1000 {
			if _, _, _, err := e.Next(); err != nil {
				return
			}
		}
	})
}

// The values as family cards and exports write them read as the codes.
func TestValuesAsWritten(t *testing.T) {
	for _, c := range []struct{ column, written, code string }{
		{"jenis_kelamin", "LAKI-LAKI", "L"}, {"jenis_kelamin", "Perempuan", "P"}, {"jenis_kelamin", "2", "P"},
		{"hubungan", "KEPALA KELUARGA", "kepala_keluarga"}, {"hubungan", "Orang Tua", "orang_tua"}, {"hubungan", "FAMILI LAIN", "famili_lain"},
		{"hubungan", "3", "istri"},
		{"pendidikan", "TIDAK/BELUM SEKOLAH", "tidak_sekolah"}, {"pendidikan", "BELUM TAMAT SD/SEDERAJAT", "belum_tamat_sd"},
		{"pendidikan", "TAMAT SD/SEDERAJAT", "sd"}, {"pendidikan", "SLTP/SEDERAJAT", "smp"}, {"pendidikan", "SLTA/SEDERAJAT", "sma"},
		{"pendidikan", "DIPLOMA I/II", "diploma"}, {"pendidikan", "AKADEMI/DIPLOMA III/S. MUDA", "diploma"},
		{"pendidikan", "DIPLOMA IV/STRATA I", "s1"}, {"pendidikan", "STRATA II", "s2"}, {"pendidikan", "STRATA III", "s3"},
		{"hamil", "Y", "ya"}, {"status_keberadaan", "Tidak Ditemukan", "tidak_ditemukan"},
	} {
		if got := codedValue(c.column, c.written); got != c.code {
			t.Errorf("%s %q: %q, want %q", c.column, c.written, got, c.code)
		}
	}
	for written, code := range map[string]string{"Sembako": "BPNT", "PBI-JK": "PBI_JK", "pkh": "PKH", "BPNT/Sembako": "BPNT"} {
		if got := Programme(written); got != code {
			t.Errorf("programme %q: %q, want %q", written, got, code)
		}
	}
}

// A map file names columns for an office's own header cells; a line it
// cannot read is named.
func TestColumnMap(t *testing.T) {
	m, err := ParseColumnMap(strings.NewReader("# kolom kantor\nWILAYAH (KODE KEMENDAGRI) = kelurahan\n\nNAMA KRT=nama\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := m.column("wilayah kode kemendagri"); !ok || c != "kelurahan" {
		t.Errorf("mapped cell: %q %v", c, ok)
	}
	if c, ok := m.column("TGL LAHIR"); !ok || c != "tanggal_lahir" {
		t.Errorf("the aliases still read: %q %v", c, ok)
	}
	for text, want := range map[string]string{"A = b\n": "line 1: \"b\" is not a column", "ok = nik\nno equals\n": "line 2: write HEADER CELL = column"} {
		if _, err := ParseColumnMap(strings.NewReader(text)); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// A file comes back with a column saying what is wrong on each line, in
// its own shape: a workbook keeps its title and cells, CSV its separator.
func TestAnnotate(t *testing.T) {
	problems := []Problem{{Line: 5, Field: "nik", Message: "cell B5 holds a number"}, {Line: 5, Field: "nama", Message: "required"}}
	book := workbook(t, false, person("3273031504100001", "3273031203800001", "Asep", "1980-03-12", "L", "kepala_keluarga"),
		person("3273031504100001", "3273031203800002", "", "1980-03-12", "L", "anak"))
	out, err := Annotate("x.xlsx", book, 3, problems)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	column, _ := excelize.ColumnNumberToName(len(exportedHeader) + 1)
	title, _ := f.GetCellValue("Sheet1", "A1")
	head, _ := f.GetCellValue("Sheet1", column+"3")
	note, _ := f.GetCellValue("Sheet1", column+"5")
	clean, _ := f.GetCellValue("Sheet1", column+"4")
	if !strings.HasPrefix(title, "DATA KELUARGA") || head != ProblemColumn || note != "nik: cell B5 holds a number; nama: required" || clean != "" {
		t.Errorf("workbook: title %q, header %q, row 5 %q, row 4 %q", title, head, note, clean)
	}
	csvOut, err := Annotate("x.csv", []byte("NIK;NAMA\r\n1;A\r\n2;B\r\n"), 1, []Problem{{Line: 3, Field: "nik", Message: "16 digits"}})
	if err != nil || string(csvOut) != "NIK;NAMA;masalah\n1;A;\n2;B;nik: 16 digits\n" {
		t.Errorf("CSV: %q %v", csvOut, err)
	}
}

// Ten thousand rows as an office exports them read, each one.
func TestTenThousandRowsOfAnExport(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 rows")
	}
	var rows [][]any
	for i := range 10000 {
		day := 12 + i/5000 // two birthdays, so that NIK serials suffice
		born := excelDate(serial(time.Date(1980, 3, day, 0, 0, 0, 0, time.UTC), false))
		kk := fmt.Sprintf("327303150410%04d", i/4+1)
		rel := "Anak"
		if i%4 == 0 {
			rel = "Kepala Keluarga"
		}
		rows = append(rows, person(kk, fmt.Sprintf("327303%02d0380%04d", day, i%5000+1), fmt.Sprintf("Warga %d", i), born, "Laki-laki", rel))
	}
	got, problems := readAll(t, "x.xlsx", workbook(t, false, rows...))
	if len(got) != 10000 || len(problems) != 0 {
		t.Fatalf("%d rows, problems %v", len(got), problems[:min(len(problems), 5)])
	}
	if got[9999].Line != 10003 || got[9999].NIK != "3273031303805000" {
		t.Errorf("the last row: line %d, NIK %s", got[9999].Line, got[9999].NIK)
	}
}
