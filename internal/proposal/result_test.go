package proposal

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/bnba"
)

// A result file is read as the centre writes it: header cells in any
// case and with spaces, programmes by their other names, the decision in
// words; every problem is named by line and column, and a row with one is
// left out.
func TestReadResultNamesEachProblemByLineAndColumn(t *testing.T) {
	file := "ID Usulan;No KK;Hasil;Desil;Program;Kolom Lain\n" +
		"32.73.03/15;3273031504100006;Ditetapkan;3;Sembako, PKH;x\n" +
		"32.73.03/16;3273031504100007;tidak ditetapkan;;;\n" +
		"32.73/17;32730315041;mungkin;0;BANSOS;\n" +
		"32.73.03/15;3273031504100006;ditetapkan;;;\n"
	r, err := bnba.OpenCSV(strings.NewReader(file), "")
	if err != nil {
		t.Fatal(err)
	}
	rows, problems, err := ReadResult(r, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Kecamatan != "32.73.03" || rows[0].ID != 15 || !rows[0].Decided || *rows[0].Desil != 3 ||
		!slices.Equal(rows[0].Programmes, []string{"BPNT", "PKH"}) || rows[1].Decided || rows[1].Programmes != nil || rows[1].Desil != nil {
		t.Errorf("rows: %+v", rows)
	}
	var got []string
	for _, p := range problems {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Field))
	}
	want := []string{"4 id_usulan", "4 no_kk", "4 hasil", "4 desil", "4 program", "5 id_usulan"}
	if !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
}

// A file without the columns a result needs is refused at its header.
func TestReadResultNeedsItsColumns(t *testing.T) {
	r, _ := bnba.OpenCSV(strings.NewReader("no_kk,desil\n3273031504100006,3\n"), "")
	_, problems, err := ReadResult(r, time.Now())
	if err != nil || len(problems) != 2 || problems[0].Field != "id_usulan" || problems[1].Field != "hasil" || problems[0].Line != 1 {
		t.Errorf("%v %v", problems, err)
	}
}
