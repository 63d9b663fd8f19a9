// Package bnba reads, checks and writes registry extracts by name and by
// address (BNBA): one row per person, the household's columns repeated on
// each member's row, as DTKS/DTSEN extracts come. CSV and XLSX carry the
// same columns (docs/import.md). slrtctl checks a file with it before
// sending; the API checks again while it loads.
package bnba

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
)

// Columns are the columns of an extract, in order. The first row of a file
// names them; order in a file may differ, names may not.
var Columns = []string{
	"no_kk", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "hubungan",
	"pendidikan", "pekerjaan", "disabilitas", "penyakit_kronis", "hamil", "status_keberadaan",
	"kelurahan", "rt", "rw", "alamat", "id_dtks", "desil", "program", "penghasilan", "pengeluaran",
}

// Required are the columns a row must fill.
var Required = []string{"no_kk", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "hubungan", "kelurahan", "rt", "rw", "alamat"}

// Row is one person of an extract, checked and typed.
type Row struct {
	Line             int // the file's line (CSV) or row (XLSX), the header being 1
	NoKK, NIK, Name  string
	BirthPlace       string
	BirthDate        time.Time
	Sex              string
	Relationship     string
	Education        *string
	Occupation       *string
	Disabilities     []string
	ChronicIllnesses []string
	Pregnant         bool
	Presence         string
	Kelurahan        string
	RT, RW, Street   string
	DTKSID           *string
	Desil            *int16
	Programmes       []string
	Income           *int64
	Spending         *int64
}

// Problem is one thing wrong with a file: its line and field.
type Problem struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", p.Line, p.Field, p.Message)
}

// Header maps column names to their position in a file's records.
type Header map[string]int

// ParseHeader maps a header row (at line) to the columns: each cell by
// its name or one of its aliases (docs/import.md), case, spaces and
// punctuation aside; an empty cell names nothing. A cell that names no
// column is a problem, with the nearest names (a misspelt column would
// silently be lost), and so is a required column missing; an optional
// one missing reads as empty.
func ParseHeader(record []string, line int) (Header, []Problem) {
	return parseHeader(record, line, nil)
}

// parseHeader is ParseHeader with the header cells m maps.
func parseHeader(record []string, line int, m ColumnMap) (Header, []Problem) {
	h := Header{}
	var problems []Problem
	for i, cell := range record {
		if strings.TrimSpace(cell) == "" {
			continue
		}
		name, known := m.column(cell)
		switch {
		case !known:
			problems = append(problems, Problem{line, strings.TrimSpace(cell), "bnba.column_unknown",
				"not a column of the extract; nearest: " + strings.Join(nearest(cell), ", ") + " (docs/import.md lists every spelling)"})
		case hasKey(h, name):
			problems = append(problems, Problem{line, strings.TrimSpace(cell), "bnba.column_twice", "names column " + name + " again"})
		default:
			h[name] = i
		}
	}
	for _, c := range Required {
		if !hasKey(h, c) {
			problems = append(problems, Problem{line, c, "bnba.column_missing", "the header lacks this column"})
		}
	}
	return h, problems
}

// known counts the cells of a row that name a column.
func known(record []string, m ColumnMap) int {
	n := 0
	for _, cell := range record {
		if _, ok := m.column(cell); ok {
			n++
		}
	}
	return n
}

func hasKey(h Header, k string) bool {
	_, ok := h[k]
	return ok
}

// Check turns a record into a Row, or says what is wrong with it, field by
// field. kecamatan is the code of the kecamatan being loaded: a row's
// kelurahan must lie in it. now bounds dates of birth and issue.
func Check(h Header, record []string, line int, kecamatan string, now time.Time) (*Row, []Problem) {
	var problems []Problem
	bad := func(field, code, msg string) { problems = append(problems, Problem{line, field, code, msg}) }
	get := func(c string) string {
		i, ok := h[c]
		if !ok || i >= len(record) {
			return ""
		}
		return strings.TrimSpace(record[i])
	}
	for _, c := range Required {
		if get(c) == "" {
			bad(c, "bnba.required", "must not be empty")
		}
	}
	if problems != nil {
		return nil, problems
	}
	r := &Row{Line: line, NoKK: get("no_kk"), NIK: get("nik"), Name: get("nama"), BirthPlace: get("tempat_lahir"),
		Sex: codedValue("jenis_kelamin", get("jenis_kelamin")), Relationship: codedValue("hubungan", get("hubungan")),
		Kelurahan: get("kelurahan"), RT: pad3(get("rt")), RW: pad3(get("rw")), Street: get("alamat")}
	if len([]rune(r.Name)) > 150 {
		bad("nama", "bnba.too_long", "at most 150 characters")
	}
	if len([]rune(r.BirthPlace)) > 100 {
		bad("tempat_lahir", "bnba.too_long", "at most 100 characters")
	}
	if len([]rune(r.Street)) > 200 {
		bad("alamat", "bnba.too_long", "at most 200 characters")
	}
	if d, ok := parseDate(get("tanggal_lahir")); !ok || d.After(now) {
		bad("tanggal_lahir", "bnba.date", "a real date of birth, YYYY-MM-DD or DD-MM-YYYY, not in the future")
	} else {
		r.BirthDate = d
	}
	if r.Sex != "L" && r.Sex != "P" {
		bad("jenis_kelamin", "bnba.enum", "L or P")
	}
	if p := nik.CheckKK(r.NoKK, now); p != nil {
		bad("no_kk", p.Code, p.Message)
	}
	if problemsHaveField(problems, "tanggal_lahir") || problemsHaveField(problems, "jenis_kelamin") {
		if _, p := nik.CheckNIK(r.NIK, "", time.Time{}, now); p != nil {
			bad("nik", p.Code, p.Message)
		}
	} else if _, p := nik.CheckNIK(r.NIK, nik.Sex(r.Sex), r.BirthDate, now); p != nil {
		bad("nik", p.Code, p.Message)
	}
	oneOf(bad, "hubungan", r.Relationship, registry.Relationships)
	if v := codedValue("pendidikan", get("pendidikan")); v != "" {
		oneOf(bad, "pendidikan", v, registry.Educations)
		r.Education = &v
	}
	if v := get("pekerjaan"); v != "" {
		if len([]rune(v)) > 100 {
			bad("pekerjaan", "bnba.too_long", "at most 100 characters")
		}
		r.Occupation = &v
	}
	r.Disabilities = list(bad, "disabilitas", get("disabilitas"), normalValue, registry.Disabilities)
	r.ChronicIllnesses = list(bad, "penyakit_kronis", get("penyakit_kronis"), normalValue, registry.ChronicIllnesses)
	r.Programmes = list(bad, "program", get("program"), Programme, registry.Programmes)
	switch codedValue("hamil", get("hamil")) {
	case "", "tidak":
	case "ya":
		r.Pregnant = true
		if r.Sex == "L" {
			bad("hamil", "person.pregnant_sex", "only a woman (P) can be recorded as pregnant")
		}
	default:
		bad("hamil", "bnba.enum", "ya or tidak")
	}
	r.Presence = "tinggal"
	if v := codedValue("status_keberadaan", get("status_keberadaan")); v != "" {
		oneOf(bad, "status_keberadaan", v, registry.Presences)
		r.Presence = v
	}
	if !strings.HasPrefix(r.Kelurahan, kecamatan+".") || len(r.Kelurahan) != len(kecamatan)+5 {
		bad("kelurahan", "bnba.kelurahan", "a kelurahan code of kecamatan "+kecamatan+", e.g. "+kecamatan+".1001")
	}
	if !digits(r.RT, 3) {
		bad("rt", "bnba.rt", "up to 3 digits")
	}
	if !digits(r.RW, 3) {
		bad("rw", "bnba.rw", "up to 3 digits")
	}
	if v := get("id_dtks"); v != "" {
		if len(v) > 40 {
			bad("id_dtks", "bnba.too_long", "at most 40 characters")
		}
		r.DTKSID = &v
	}
	if v := get("desil"); v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 1 || d > 10 {
			bad("desil", "bnba.desil", "a number from 1 to 10")
		}
		d16 := int16(d)
		r.Desil = &d16
	}
	r.Income = rupiah(bad, "penghasilan", get("penghasilan"))
	r.Spending = rupiah(bad, "pengeluaran", get("pengeluaran"))
	if problems != nil {
		return nil, problems
	}
	return r, nil
}

func problemsHaveField(ps []Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}

func oneOf(bad func(string, string, string), field, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		bad(field, "bnba.enum", "one of "+strings.Join(allowed, ", "))
	}
}

// list reads a list of allowed values separated by ";" or ",", each read
// as code does.
func list(bad func(string, string, string), field, v string, code func(string) string, allowed []string) []string {
	out := []string{}
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		item = code(item)
		if item == "" || slices.Contains(out, item) {
			continue
		}
		if !slices.Contains(allowed, item) {
			bad(field, "bnba.enum", "values separated by ; from "+strings.Join(allowed, ", "))
			return nil
		}
		out = append(out, item)
	}
	return out
}

func rupiah(bad func(string, string, string), field, v string) *int64 {
	if v == "" {
		return nil
	}
	// As people write rupiah: "Rp 1.500.000", "1.500.000,00", "1,500,000".
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "Rp"), "."))
	v = strings.TrimSuffix(strings.TrimSuffix(v, ",00"), ".00")
	n, err := strconv.ParseInt(strings.NewReplacer(".", "", ",", "", " ", "").Replace(v), 10, 64)
	if err != nil || n < 0 {
		bad(field, "bnba.rupiah", "whole rupiah, e.g. 1500000 or 1.500.000")
		return nil
	}
	return &n
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2-1-2006", "2/1/2006", "2006/1/2", "2.1.2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

func pad3(s string) string {
	for len(s) > 0 && len(s) < 3 {
		s = "0" + s
	}
	return s
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Record writes a row back as a record in Columns order (the export's and
// the canonical form slrtctl sends).
func (r *Row) Record() []string {
	opt := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	num := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	desil := ""
	if r.Desil != nil {
		desil = strconv.Itoa(int(*r.Desil))
	}
	hamil := ""
	if r.Pregnant {
		hamil = "ya"
	}
	return []string{r.NoKK, r.NIK, r.Name, r.BirthPlace, r.BirthDate.Format(time.DateOnly), r.Sex, r.Relationship,
		opt(r.Education), opt(r.Occupation), strings.Join(r.Disabilities, ";"), strings.Join(r.ChronicIllnesses, ";"), hamil, r.Presence,
		r.Kelurahan, r.RT, r.RW, r.Street, opt(r.DTKSID), desil, strings.Join(r.Programmes, ";"), num(r.Income), num(r.Spending)}
}

// Reader reads records with their line numbers from a CSV or XLSX file.
type Reader interface {
	// Next returns the next record and its line, io.EOF at the end.
	Next() ([]string, int, error)
}

// CSVReader reads a CSV extract (comma or semicolon separated, as
// spreadsheets in Indonesian locales write them).
type CSVReader struct {
	r *csv.Reader
}

// NewCSVReader reads CSV from r, guessing the separator from the header.
func NewCSVReader(r io.Reader, sep rune) *CSVReader {
	c := csv.NewReader(r)
	c.Comma = sep
	c.FieldsPerRecord = -1
	c.ReuseRecord = false
	return &CSVReader{r: c}
}

// Next returns the next record and its line.
func (c *CSVReader) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		return nil, perr.Line, &Problem{Line: perr.Line, Code: "bnba.csv", Message: perr.Err.Error()}
	}
	if err != nil {
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

func (p *Problem) Error() string { return p.String() }
