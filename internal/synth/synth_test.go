package synth

import (
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/bnba"
)

// Every generated row passes the import's own checks, NIKs are unique, and
// households average about 4.4 persons.
func TestGeneratedRowsPassTheImportChecks(t *testing.T) {
	g := New("32.73.03", []string{"32.73.03.1001", "32.73.03.1002"}, 1)
	header := bnba.Header{}
	for i, c := range bnba.Columns {
		header[c] = i
	}
	niks := map[string]bool{}
	persons, households := 0, 2000
	for range households {
		heads := 0
		for _, r := range g.Household() {
			if _, problems := bnba.Check(header, r.Record(), 2, "32.73.03", time.Now()); problems != nil {
				t.Fatalf("%v: %v", r.Record(), problems)
			}
			if niks[r.NIK] {
				t.Fatalf("NIK %s twice", r.NIK)
			}
			niks[r.NIK] = true
			if r.Relationship == "kepala_keluarga" {
				heads++
			}
			persons++
		}
		if heads != 1 {
			t.Fatalf("a household with %d heads", heads)
		}
	}
	if avg := float64(persons) / float64(households); avg < 4.0 || avg > 4.8 {
		t.Errorf("%.2f persons per household", avg)
	}
}
