package wilayah

import "testing"

func TestReferenceHoldsBandung(t *testing.T) {
	ref := Default()
	if got := len(ref.Kecamatan()); got != 30 {
		t.Fatalf("kecamatan: got %d, want 30", got)
	}
	total := 0
	for _, k := range ref.Kecamatan() {
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
}

func TestParseRejectsDuplicates(t *testing.T) {
	_, err := Parse("level,code_kemendagri,code_bps,name,parent_code_kemendagri,population\n" +
		"kecamatan,32.73.01,1,A,32.73,\nkecamatan,32.73.01,1,B,32.73,\n")
	if err == nil {
		t.Fatal("want an error for a duplicate code")
	}
}
