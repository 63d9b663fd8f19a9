package bnba

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

const header = "no_kk,nik,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,hubungan,pendidikan,pekerjaan,disabilitas,penyakit_kronis,hamil,status_keberadaan,kelurahan,rt,rw,alamat,id_dtks,desil,program,penghasilan,pengeluaran\n"

func readAll(t *testing.T, name string, data []byte) ([]*Row, []Problem) {
	t.Helper()
	r, err := Open(name, bytes.NewReader(data), "")
	if err != nil {
		t.Fatal(err)
	}
	extract, problems, err := Read(r, "32.73.03", now)
	if err != nil || problems != nil {
		return nil, problems
	}
	var rows []*Row
	for {
		row, _, ps, err := extract.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var p *Problem
		if errors.As(err, &p) {
			problems = append(problems, *p)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		problems = append(problems, ps...)
		if row != nil {
			rows = append(rows, row)
		}
	}
	return rows, problems
}

// Every bad field is reported with its line and field, the good rows read.
func TestCheckNamesEachBadLineAndField(t *testing.T) {
	data := header +
		"3273031504100001,3273031203800001,Asep,Bandung,1980-03-12,L,kepala_keluarga,sma,Buruh,,hipertensi,,tinggal,32.73.03.1001,3,11,Jl. Sukamaju 12,DTKS-1,2,PKH;BPNT,1.500.000,1200000\n" +
		"3273031504100001,3273034507850002,Euis,Bandung,05-07-1985,P,istri,,,,,ya,,32.73.03.1001,003,011,Jl. Sukamaju 12,DTKS-1,2,PKH;BPNT,,\n" +
		"3273031504100001,3273031203800003,Budi,Bandung,1980-03-12,P,anak,,,,,,,32.73.04.1001,3,11,Jl. X,,11,XYZ,-5,\n" +
		"3273031504100001,,Tanpa NIK,Bandung,1990-01-01,L,anak,,,,,,,32.73.03.1001,3,11,Jl. X,,,,,\n"
	rows, problems := readAll(t, "dtks.csv", []byte(data))
	if len(rows) != 2 || rows[0].RT != "003" || *rows[0].Income != 1500000 || !slices.Equal(rows[0].Programmes, []string{"PKH", "BPNT"}) ||
		!rows[1].Pregnant || rows[1].BirthDate.Day() != 5 {
		t.Errorf("rows: %+v %+v", rows[0], rows[1])
	}
	want := []string{"line 4, nik", "line 4, kelurahan", "line 4, desil", "line 4, program", "line 4, penghasilan", "line 5, nik"}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	for _, w := range want {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, w+":") }) {
			t.Errorf("no problem %q in %v", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %v, want %d", got, len(want))
	}
}

// A header names each column once, by its name or an alias; a cell that
// names none is listed once with the nearest names; a required column
// missing is named, an optional one is not.
func TestHeaderNamesMissingUnknownAndDoubledColumns(t *testing.T) {
	_, problems := ParseHeader(strings.Split("NO KK,nik,N.I.K,Nama Lengkap,TGL LAHIR,warna rumah,Jenis_Kelamin", ","), 3)
	var got []string
	for _, p := range problems {
		got = append(got, p.Code+" "+p.Field)
	}
	want := []string{"bnba.column_twice N.I.K", "bnba.column_unknown warna rumah", "bnba.column_missing tempat_lahir",
		"bnba.column_missing hubungan", "bnba.column_missing kelurahan", "bnba.column_missing rt", "bnba.column_missing rw",
		"bnba.column_missing alamat"}
	if !slices.Equal(got, want) || problems[0].Line != 3 {
		t.Errorf("problems %v, want %v", problems, want)
	}
	if !strings.Contains(problems[1].Message, "nearest: ") {
		t.Errorf("no nearest names: %s", problems[1].Message)
	}
}

// What is written as CSV or XLSX reads back as the same rows; semicolon
// CSV reads too.
func TestCSVAndXLSXRoundTrip(t *testing.T) {
	rows, problems := readAll(t, "a.csv", []byte(header+
		"3273031504100001,3273031203800001,Asep,Bandung,1980-03-12,L,kepala_keluarga,sma,Buruh,fisik;mental,hipertensi,,tinggal,32.73.03.1001,3,11,\"Jl. Sukamaju 12, Gg. 3\",DTKS-1,2,PKH;BPNT,1500000,1200000\n"+
		"3273031504100001,3273034507850002,Euis,Bandung,1985-07-05,P,istri,,,,,ya,,32.73.03.1001,003,011,\"Jl. Sukamaju 12, Gg. 3\",DTKS-1,2,PKH;BPNT,,\n"))
	if len(problems) != 0 || len(rows) != 2 {
		t.Fatalf("%v %v", rows, problems)
	}
	for _, format := range []string{"csv", "xlsx"} {
		var buf bytes.Buffer
		w, err := NewWriter(format, &buf)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r.Record()); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		back, problems := readAll(t, "x."+format, buf.Bytes())
		if len(problems) != 0 || len(back) != 2 {
			t.Fatalf("%s: %v %v", format, back, problems)
		}
		for i := range rows {
			if !slices.Equal(back[i].Record(), rows[i].Record()) {
				t.Errorf("%s row %d: %v, want %v", format, i, back[i].Record(), rows[i].Record())
			}
		}
	}
	semi := strings.ReplaceAll(header, ",", ";") + "3273031504100001;3273031203800001;Asep;Bandung;1980-03-12;L;kepala_keluarga;;;;;;;32.73.03.1001;3;11;Jl. A;;;;;\n"
	if rows, problems := readAll(t, "b.csv", []byte(semi)); len(rows) != 1 || len(problems) != 0 {
		t.Errorf("semicolon CSV: %v %v", rows, problems)
	}
}

// Whatever the bytes, reading and checking never panics, and a row that
// passes writes back to a record that passes again unchanged.
func FuzzCheckCSV(f *testing.F) {
	f.Add([]byte(header + "3273031504100001,3273031203800001,Asep,Bandung,1980-03-12,L,kepala_keluarga,,,,,,,32.73.03.1001,3,11,Jl. A,,,,,\n"))
	f.Add([]byte(header + "\"unterminated,\n"))
	f.Add([]byte("nik;no_kk\n1;2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open("f.csv", bytes.NewReader(data), "")
		if err != nil {
			return
		}
		rec, _, err := r.Next()
		if err != nil {
			return
		}
		h, _ := ParseHeader(rec, 1)
		across := NewAcross([]string{"32.73.03.1001"})
		for range 100 {
			rec, line, err := r.Next()
			if err != nil {
				return
			}
			row, _ := Check(h, rec, line, "32.73.03", now)
			if row == nil {
				continue
			}
			canonical := Header{}
			for i, c := range Columns {
				canonical[c] = i
			}
			again, ps := Check(canonical, row.Record(), line, "32.73.03", now)
			if again == nil || !slices.Equal(again.Record(), row.Record()) {
				t.Fatalf("row %v does not read back: %v", row.Record(), ps)
			}
			for _, p := range across.Check(row) {
				if p.Line != line || !slices.Contains(Columns, p.Field) {
					t.Fatalf("problem across rows not on this line and a column: %v", p)
				}
			}
			// The same row a second time is always its NIK twice.
			if ps := across.Check(again); !slices.ContainsFunc(ps, func(p Problem) bool { return p.Code == "bnba.nik_twice" }) {
				t.Fatalf("a repeated row passed: %v", ps)
			}
		}
	})
}

// Across rows: the second line of a NIK, a second head, a member whose
// household columns differ from the first line of the No KK, and a
// kelurahan outside the list, each named by line and field; the first
// lines and a consistent household pass.
func TestAcrossNamesTheLaterLine(t *testing.T) {
	line := func(kk, nik, rel, kel, street string) string {
		return strings.Join([]string{kk, nik, "Warga", "Bandung", "1980-03-12", "L", rel, "", "", "", "", "", "", kel, "3", "11", street, "", "", "", "", ""}, ",") + "\n"
	}
	data := header +
		line("3273031504100001", "3273031203800001", "kepala_keluarga", "32.73.03.1001", "Jl. A") + // 2
		line("3273031504100001", "3273031203800002", "anak", "32.73.03.1001", "Jl. A") + // 3
		line("3273031504100001", "3273031203800002", "anak", "32.73.03.1001", "Jl. A") + // 4: NIK twice
		line("3273031504100001", "3273031203800003", "kepala_keluarga", "32.73.03.1001", "Jl. A") + // 5: second head
		line("3273031504100001", "3273031203800004", "anak", "32.73.03.1001", "Jl. B") + // 6: household differs
		line("3273031504100002", "3273031203800005", "kepala_keluarga", "32.73.03.1009", "Jl. C") // 7: no such kelurahan
	rows, problems := readAll(t, "dtks.csv", []byte(data))
	if len(problems) != 0 || len(rows) != 6 {
		t.Fatalf("rows %d, problems %v", len(rows), problems)
	}
	a := NewAcross([]string{"32.73.03.1001", "32.73.03.1002"})
	var got []string
	for _, r := range rows {
		for _, p := range a.Check(r) {
			got = append(got, p.String())
		}
	}
	want := []string{
		"line 4, nik: this NIK is on line 3 too",
		"line 5, hubungan: line 2 already names the kepala_keluarga of this No KK",
		"line 6, no_kk: the household columns (kelurahan, rt, rw, alamat, id_dtks, desil, program, penghasilan, pengeluaran) differ from line 2, the first of this No KK",
		"line 7, kelurahan: no such kelurahan in this kecamatan",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without a kelurahan list (slrtctl, before sending) that check is the
	// server's.
	a = NewAcross(nil)
	for _, r := range rows[5:] {
		if ps := a.Check(r); ps != nil {
			t.Errorf("unexpected %v", ps)
		}
	}
}
