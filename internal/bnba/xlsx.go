package bnba

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSXReader reads the first sheet of a workbook, each cell by what the
// workbook says it is: a date cell as a date, whatever its display format;
// a number where text is needed (a NIK) refused, never converted, since
// Excel keeps only 15 digits of a number.
type XLSXReader struct {
	f     *excelize.File
	sheet string
	rows  *excelize.Rows
	line  int
	// date1904 is the workbook's date system (Excel for Mac's old one).
	date1904 bool
	// kinds are the watched cells' kinds in the row just read.
	kinds map[int]cellKind
	// watch are the columns whose cells are read by their type.
	watch map[int]string
	// dateStyle caches whether a style index formats a date.
	dateStyle map[int]bool
}

// cellKind is what a workbook keeps in a cell.
type cellKind int

const (
	cellText cellKind = iota
	cellNumber
	cellDate
	// cellFormula is a formula whose cached value is not text.
	cellFormula
)

// NewXLSXReader opens a workbook and reads its first sheet row by row.
func NewXLSXReader(r io.Reader) (*XLSXReader, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, &Problem{Line: 0, Code: "bnba.xlsx", Message: "not a readable XLSX workbook: " + err.Error()}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &Problem{Code: "bnba.xlsx", Message: "the workbook has no sheet"}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, err
	}
	props, _ := f.GetWorkbookProps()
	x := &XLSXReader{f: f, sheet: sheets[0], rows: rows, dateStyle: map[int]bool{}}
	x.date1904 = props.Date1904 != nil && *props.Date1904
	return x, nil
}

// Next returns the next row and its number.
func (x *XLSXReader) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, x.line, err
		}
		_ = x.rows.Close()
		_ = x.f.Close()
		return nil, x.line, io.EOF
	}
	x.line++
	cols, err := x.rows.Columns()
	if err != nil || x.watch == nil {
		return cols, x.line, err
	}
	clear(x.kinds)
	for i := range x.watch {
		empty := i >= len(cols) || strings.TrimSpace(cols[i]) == "" // a trailing empty cell is not in cols
		kind, value, err := x.cell(i, empty)
		if err != nil {
			return nil, x.line, err
		}
		x.kinds[i] = kind
		if kind == cellDate && !empty {
			cols[i] = value
		}
	}
	return cols, x.line, nil
}

// typedColumns are the columns whose cells are read by their type: the
// identity keys, which a number cell corrupts, and the date, which a date
// cell's display format can make ambiguous (3/12/1980 in an American
// format is 12 March). Other cells are read as the workbook shows them.
var typedColumns = []string{"no_kk", "nik", "tanggal_lahir"}

// readCellsOf makes Next read the typed columns of h by their cells' types.
func (x *XLSXReader) readCellsOf(h Header) {
	x.watch, x.kinds = map[int]string{}, map[int]cellKind{}
	for _, name := range typedColumns {
		if i, ok := h[name]; ok {
			x.watch[i] = name
		}
	}
}

// cellProblems are the row's cells whose kind its column does not take.
func (x *XLSXReader) cellProblems(line int) []Problem {
	var problems []Problem
	for i, kind := range x.kinds {
		column := x.watch[i]
		ref, _ := excelize.CoordinatesToCellName(i+1, line)
		switch {
		case kind == cellFormula:
			problems = append(problems, Problem{line, column, "bnba.formula", "cell " + ref +
				" holds a formula whose value is not text; copy the column and paste it as values"})
		case kind == cellNumber && (column == "nik" || column == "no_kk"):
			problems = append(problems, Problem{line, column, "bnba.number_cell", "cell " + ref +
				" holds a number, not text: Excel keeps only 15 digits of a number, so the last digit may be lost. " +
				"Format the column as Text and type the numbers again, or export the file as CSV from the source system"})
		case kind == cellDate && column != "tanggal_lahir":
			problems = append(problems, Problem{line, column, "bnba.date_cell", "cell " + ref + " holds a date, not text"})
		}
	}
	return problems
}

// cell reads the kind of the row's cell in column i, and a date's value as
// YYYY-MM-DD. An empty cell is text unless it holds a formula (one whose
// value the workbook did not keep).
func (x *XLSXReader) cell(i int, empty bool) (cellKind, string, error) {
	ref, err := excelize.CoordinatesToCellName(i+1, x.line)
	if err != nil {
		return cellText, "", err
	}
	if empty {
		if formula, err := x.f.GetCellFormula(x.sheet, ref); err != nil || formula == "" {
			return cellText, "", err
		}
		return cellFormula, "", nil
	}
	typ, err := x.f.GetCellType(x.sheet, ref)
	if err != nil {
		return cellText, "", err
	}
	switch typ {
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula, excelize.CellTypeBool:
		return cellText, "", nil // a formula of type "str" has text as its value
	}
	formula, err := x.f.GetCellFormula(x.sheet, ref)
	if err != nil {
		return cellText, "", err
	}
	if formula != "" {
		return cellFormula, "", nil
	}
	raw, err := x.f.GetCellValue(x.sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		return cellText, "", err
	}
	if typ == excelize.CellTypeDate { // an ISO 8601 date cell
		if t, err := time.Parse(time.RFC3339, raw); err == nil {
			return cellDate, t.Format(time.DateOnly), nil
		}
		return cellDate, raw, nil
	}
	style, err := x.f.GetCellStyle(x.sheet, ref)
	if err != nil {
		return cellText, "", err
	}
	if !x.isDateStyle(style) {
		return cellNumber, "", nil
	}
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return cellNumber, "", nil
	}
	t, err := excelize.ExcelDateToTime(serial, x.date1904)
	if err != nil {
		return cellNumber, "", nil
	}
	return cellDate, t.Format(time.DateOnly), nil
}

// isDateStyle reports whether a cell style shows its number as a date.
func (x *XLSXReader) isDateStyle(style int) bool {
	if d, ok := x.dateStyle[style]; ok {
		return d
	}
	d := false
	if s, err := x.f.GetStyle(style); err == nil && s != nil {
		d = isDateFormat(s.NumFmt, s.CustomNumFmt)
	}
	x.dateStyle[style] = d
	return d
}

// isDateFormat reports whether a number format shows a date: one of the
// built-in date formats, or a custom one with a day or a year in it
// (outside quoted text and brackets).
func isDateFormat(id int, custom *string) bool {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return true
	case custom == nil:
		return false
	}
	quoted, bracket := false, false
	for _, r := range strings.ToLower(*custom) {
		switch {
		case r == '"':
			quoted = !quoted
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case !quoted && !bracket && (r == 'd' || r == 'y'):
			return true
		}
	}
	return false
}
