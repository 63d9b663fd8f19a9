// Package wilayah holds the reference list of Indonesia's administrative
// areas (provinsi, kabupaten/kota, kecamatan, desa/kelurahan) with their
// Kemendagri codes, embedded from wilayah-indonesia.csv.gz (see SOURCE.md
// for where it comes from and how it is made).
package wilayah

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed wilayah-indonesia.csv.gz
var gzData []byte

// Level is the administrative level of an area.
type Level string

// The levels present in the reference data.
const (
	LevelProvinsi  Level = "provinsi"
	LevelKota      Level = "kota" // a kabupaten too
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
	areas    []Area
	byCode   map[string]int32   // index in areas
	children map[string][]int32 // indexes in areas, by the parent's code
	byLevel  map[Level][]int32  // indexes in areas, ordered by code
}

// Default returns the reference data embedded in the binary, read on first
// use (some 91,000 areas: a command that never asks does not pay for them).
var Default = sync.OnceValue(func() *Reference {
	z, err := gzip.NewReader(bytes.NewReader(gzData))
	if err != nil {
		panic(fmt.Sprintf("embedded wilayah data: %v", err))
	}
	data, err := io.ReadAll(z)
	if err != nil {
		panic(fmt.Sprintf("embedded wilayah data: %v", err))
	}
	ref, err := Parse(string(data))
	if err != nil {
		panic(fmt.Sprintf("embedded wilayah data: %v", err))
	}
	return ref
})

// Parse reads reference data in the CSV shape of wilayah-indonesia.csv.gz
// (uncompressed).
func Parse(data string) (*Reference, error) {
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = 6
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("wilayah CSV: the header: %w", err)
	}
	n := strings.Count(data, "\n")
	ref := &Reference{areas: make([]Area, 0, n), byCode: make(map[string]int32, n), children: make(map[string][]int32, n/10),
		byLevel: map[Level][]int32{}}
	for line := 2; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("while reading wilayah CSV: %w", err)
		}
		a := Area{Level: levelOf(row[0]), Code: row[1], CodeBPS: row[2], Name: row[3], ParentCode: row[4]}
		// The parent's own string: 91,000 areas share a few thousand.
		if p, ok := ref.byCode[a.ParentCode]; ok {
			a.ParentCode = ref.areas[p].Code
		}
		if row[5] != "" {
			if a.Population, err = strconv.Atoi(row[5]); err != nil {
				return nil, fmt.Errorf("line %d: population: %w", line, err)
			}
		}
		if _, dup := ref.byCode[a.Code]; dup {
			return nil, fmt.Errorf("line %d: duplicate code %s", line, a.Code)
		}
		i := int32(len(ref.areas))
		ref.areas = append(ref.areas, a)
		ref.byCode[a.Code] = i
		ref.children[a.ParentCode] = append(ref.children[a.ParentCode], i)
		ref.byLevel[a.Level] = append(ref.byLevel[a.Level], i)
	}
	byCode := func(c []int32) {
		sort.Slice(c, func(i, j int) bool { return ref.areas[c[i]].Code < ref.areas[c[j]].Code })
	}
	for _, c := range ref.children {
		byCode(c)
	}
	for _, c := range ref.byLevel {
		byCode(c)
	}
	return ref, nil
}

// levelOf is a level as one of the constants, not a string per area.
func levelOf(s string) Level {
	for _, l := range []Level{LevelKelurahan, LevelKecamatan, LevelKota, LevelProvinsi} {
		if string(l) == s {
			return l
		}
	}
	return Level(s)
}

// Lookup returns the area with the given Kemendagri code.
func (r *Reference) Lookup(code string) (Area, bool) {
	i, ok := r.byCode[code]
	if !ok {
		return Area{}, false
	}
	return r.areas[i], true
}

// Children returns the areas directly under code, ordered by code.
func (r *Reference) Children(code string) []Area {
	return r.pick(r.children[code])
}

// AtLevel returns every area of a level, ordered by code.
func (r *Reference) AtLevel(l Level) []Area { return r.pick(r.byLevel[l]) }

func (r *Reference) pick(idx []int32) []Area {
	out := make([]Area, len(idx))
	for i, j := range idx {
		out[i] = r.areas[j]
	}
	return out
}
