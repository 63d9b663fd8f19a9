package wilayah

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

func TestReferenceHoldsBandung(t *testing.T) {
	ref := Default()
	kecamatan := ref.Children("32.73")
	if got := len(kecamatan); got != 30 {
		t.Fatalf("kecamatan: got %d, want 30", got)
	}
	total := 0
	for _, k := range kecamatan {
		total += len(ref.Children(k.Code))
	}
	if total != 151 {
		t.Fatalf("kelurahan: got %d, want 151", total)
	}
	kel := ref.Children("32.73.03")
	if len(kel) != 6 || kel[0].Code != "32.73.03.1001" || kel[0].Name != "Babakan Ciparay" {
		t.Fatalf("Babakan Ciparay kelurahan: %+v", kel)
	}
	if _, ok := ref.Lookup("32.73.99"); ok {
		t.Fatal("unknown code found")
	}
	// The city's own file gives what the national list lacks.
	if k, _ := ref.Lookup("32.73.03"); k.CodeBPS != "3273020" || k.Population == 0 {
		t.Errorf("Babakan Ciparay keeps its BPS code and population: %+v", k)
	}
}

// The whole nation is there, each level under the one above, so that a
// kecamatan anywhere gets its kelurahan and a kabupaten is a kota.
func TestReferenceHoldsTheNation(t *testing.T) {
	ref := Default()
	for level, want := range map[Level]int{LevelProvinsi: 38, LevelKota: 514, LevelKecamatan: 7285, LevelKelurahan: 83762} {
		if got := len(ref.AtLevel(level)); got != want {
			t.Errorf("%s: %d areas, want %d", level, got, want)
		}
	}
	k, ok := ref.Lookup("11.01.01")
	if !ok || k.Level != LevelKecamatan || k.Name != "Bakongan" || k.ParentCode != "11.01" {
		t.Fatalf("Bakongan in Aceh Selatan: %+v", k)
	}
	if kel := ref.Children("11.01.01"); len(kel) == 0 || kel[0].Level != LevelKelurahan {
		t.Errorf("Bakongan's desa: %+v", kel)
	}
	if kab, _ := ref.Lookup("11.01"); kab.Level != LevelKota || kab.Name != "Kabupaten Aceh Selatan" {
		t.Errorf("a kabupaten is at the kota level: %+v", kab)
	}
}

func BenchmarkReadTheNation(b *testing.B) {
	for b.Loop() {
		z, _ := gzip.NewReader(bytes.NewReader(gzData))
		data, _ := io.ReadAll(z)
		if _, err := Parse(string(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseRejectsDuplicates(t *testing.T) {
	_, err := Parse("level,code_kemendagri,code_bps,name,parent_code_kemendagri,population\n" +
		"kecamatan,32.73.01,1,A,32.73,\nkecamatan,32.73.01,1,B,32.73,\n")
	if err == nil {
		t.Fatal("want an error for a duplicate code")
	}
}
