package bnba

import (
	"fmt"
	"slices"
)

// Across finds, as rows stream by, what no single row shows: a NIK on two
// lines, a household whose lines disagree, a second kepala_keluarga, a
// kelurahan the kecamatan does not have. The first line of a No KK sets its
// household's columns; later lines must repeat them. Doing this while
// reading, rather than in the database after a copy, keeps a bad row out
// of the load entirely and costs a few map lookups per row.
type Across struct {
	kelurahan  map[string]bool
	niks       map[string]int
	households map[string]*Row
	heads      map[string]int
}

// NewAcross checks rows against each other. kelurahan lists the codes a row
// may name (the kecamatan's own); nil leaves that check to the server.
func NewAcross(kelurahan []string) *Across {
	a := &Across{niks: map[string]int{}, households: map[string]*Row{}, heads: map[string]int{}}
	if kelurahan != nil {
		a.kelurahan = make(map[string]bool, len(kelurahan))
		for _, k := range kelurahan {
			a.kelurahan[k] = true
		}
	}
	return a
}

// Check reports r's problems with the rows checked before it, and
// remembers r. A row with problems is still remembered, so that a file's
// lines are judged the same whichever of them is skipped.
func (a *Across) Check(r *Row) []Problem {
	var problems []Problem
	bad := func(field, code, msg string) { problems = append(problems, Problem{r.Line, field, code, msg}) }
	if first, ok := a.niks[r.NIK]; ok {
		bad("nik", "bnba.nik_twice", fmt.Sprintf("this NIK is on line %d too", first))
	} else {
		a.niks[r.NIK] = r.Line
	}
	if a.kelurahan != nil && !a.kelurahan[r.Kelurahan] {
		bad("kelurahan", "bnba.kelurahan_unknown", "no such kelurahan in this kecamatan")
	}
	if first, ok := a.households[r.NoKK]; !ok {
		a.households[r.NoKK] = r
	} else if !sameHousehold(first, r) {
		bad("no_kk", "bnba.household_differs", fmt.Sprintf(
			"the household columns (kelurahan, rt, rw, alamat, id_dtks, desil, program, penghasilan, pengeluaran) differ from line %d, the first of this No KK", first.Line))
	}
	if r.Relationship == "kepala_keluarga" {
		if first, ok := a.heads[r.NoKK]; ok {
			bad("hubungan", "bnba.second_head", fmt.Sprintf("line %d already names the kepala_keluarga of this No KK", first))
		} else {
			a.heads[r.NoKK] = r.Line
		}
	}
	return problems
}

func sameHousehold(a, b *Row) bool {
	return a.Kelurahan == b.Kelurahan && a.RT == b.RT && a.RW == b.RW && a.Street == b.Street &&
		equalPtr(a.DTKSID, b.DTKSID) && equalPtr(a.Desil, b.Desil) && slices.Equal(a.Programmes, b.Programmes) &&
		equalPtr(a.Income, b.Income) && equalPtr(a.Spending, b.Spending)
}

func equalPtr[T comparable](a, b *T) bool {
	return a == b || (a != nil && b != nil && *a == *b)
}
