package bnba

import (
	"errors"
	"io"
	"strings"
	"time"
)

// headerSearch is how many rows are looked at for the header: a title, a
// date or an office's name often stand above it.
const headerSearch = 10

// Extract reads an extract's rows, each checked on its own: the header
// found among the first rows and its columns mapped, a workbook's cells
// read by their type, empty rows passed over.
type Extract struct {
	r         Reader
	h         Header
	kecamatan string
	now       time.Time
	// HeaderLine is the header's line or row.
	HeaderLine int
	// Columns maps each column read to the header cell it was found under.
	Columns map[string]string
}

// cellReader is a Reader that knows what each cell holds (a workbook).
type cellReader interface {
	readCellsOf(h Header)
	cellProblems(line int) []Problem
}

// Read finds the header: the first of the first rows that names at least
// half the required columns (else the first row, whose problems say why).
// kecamatan is the code rows must lie in; now bounds dates. A header with
// problems ends the reading: they are returned with no Extract. An error is
// the Reader's (a *Problem for a line that cannot be read).
func Read(r Reader, kecamatan string, now time.Time) (*Extract, []Problem, error) {
	return ReadMapped(r, kecamatan, now, nil)
}

// ReadMapped is Read with the header cells m names columns for.
func ReadMapped(r Reader, kecamatan string, now time.Time, m ColumnMap) (*Extract, []Problem, error) {
	var first []string
	firstLine := 1
	for range headerSearch {
		rec, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if first == nil && !empty(rec) {
			first, firstLine = rec, line
		}
		if known(rec, m) < (len(Required)+1)/2 {
			continue
		}
		h, problems := parseHeader(rec, line, m)
		if problems != nil {
			return nil, problems, nil
		}
		if c, ok := r.(cellReader); ok {
			c.readCellsOf(h)
		}
		columns := make(map[string]string, len(h))
		for name, i := range h {
			columns[name] = strings.TrimSpace(rec[i])
		}
		return &Extract{r: r, h: h, kecamatan: kecamatan, now: now, HeaderLine: line, Columns: columns}, nil, nil
	}
	if first == nil {
		return nil, []Problem{{Line: 1, Code: "bnba.empty", Message: "the file is empty"}}, nil
	}
	_, problems := parseHeader(first, firstLine, m)
	return nil, problems, nil
}

// Next returns the next row checked: the row, or its problems. At the end
// it returns io.EOF; a line that cannot be read is a *Problem.
func (e *Extract) Next() (*Row, int, []Problem, error) {
	for {
		rec, line, err := e.r.Next()
		if err != nil {
			return nil, line, nil, err
		}
		if empty(rec) {
			continue
		}
		var cells []Problem
		if c, ok := e.r.(cellReader); ok {
			cells = c.cellProblems(line)
		}
		row, problems := Check(e.h, rec, line, e.kecamatan, e.now)
		if cells == nil {
			return row, line, problems, nil
		}
		// A cell of the wrong kind says why its field is wrong; what
		// Check found in the same field follows from it.
		for _, p := range problems {
			if !problemsHaveField(cells, p.Field) {
				cells = append(cells, p)
			}
		}
		return nil, line, cells, nil
	}
}

// empty reports whether a row has nothing in it (a workbook's trailing
// rows, a blank line).
func empty(record []string) bool {
	for _, v := range record {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
