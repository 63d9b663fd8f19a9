// Package wilayah holds the reference list of administrative areas (kota,
// kecamatan, kelurahan) with their Kemendagri codes, embedded from
// wilayah-kota-bandung.csv (see SOURCE.md for where it comes from).
package wilayah

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed wilayah-kota-bandung.csv
var csvData string

// Level is the administrative level of an area.
type Level string

// The levels present in the reference data.
const (
	LevelKota      Level = "kota"
	LevelKecamatan Level = "kecamatan"
	LevelKelurahan Level = "kelurahan"
)

// Area is one row of the reference data.
type Area struct {
	Level      Level
	Code       string // Kemendagri code, e.g. 32.73.03.1002
	CodeBPS    string
	Name       string
	ParentCode string
	Population int // 0 where the source has none
}

// Reference is an immutable index of areas by code.
type Reference struct {
	byCode   map[string]Area
	children map[string][]Area
}

var defaultRef = mustParse(csvData)

// Default returns the reference data embedded in the binary.
func Default() *Reference { return defaultRef }

func mustParse(data string) *Reference {
	ref, err := Parse(data)
	if err != nil {
		panic(fmt.Sprintf("embedded wilayah data: %v", err))
	}
	return ref
}

// Parse reads reference data in the CSV shape of wilayah-kota-bandung.csv.
func Parse(data string) (*Reference, error) {
	rows, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("while reading wilayah CSV: %w", err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("wilayah CSV is empty")
	}
	ref := &Reference{byCode: map[string]Area{}, children: map[string][]Area{}}
	for i, row := range rows[1:] {
		line := i + 2
		if len(row) != 6 {
			return nil, fmt.Errorf("line %d: want 6 fields, got %d", line, len(row))
		}
		a := Area{Level: Level(row[0]), Code: row[1], CodeBPS: row[2], Name: row[3], ParentCode: row[4]}
		if row[5] != "" {
			if a.Population, err = strconv.Atoi(row[5]); err != nil {
				return nil, fmt.Errorf("line %d: population: %w", line, err)
			}
		}
		if _, dup := ref.byCode[a.Code]; dup {
			return nil, fmt.Errorf("line %d: duplicate code %s", line, a.Code)
		}
		ref.byCode[a.Code] = a
		ref.children[a.ParentCode] = append(ref.children[a.ParentCode], a)
	}
	for _, c := range ref.children {
		sort.Slice(c, func(i, j int) bool { return c[i].Code < c[j].Code })
	}
	return ref, nil
}

// Lookup returns the area with the given Kemendagri code.
func (r *Reference) Lookup(code string) (Area, bool) {
	a, ok := r.byCode[code]
	return a, ok
}

// Children returns the areas directly under code, ordered by code.
func (r *Reference) Children(code string) []Area {
	return append([]Area(nil), r.children[code]...)
}

// Kecamatan returns every kecamatan, ordered by code.
func (r *Reference) Kecamatan() []Area { return r.AtLevel(LevelKecamatan) }

// AtLevel returns every area of a level, ordered by code.
func (r *Reference) AtLevel(l Level) []Area {
	var out []Area
	for _, a := range r.byCode {
		if a.Level == l {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
