package bnba

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Open reads an extract from r: XLSX when name ends in .xlsx, else CSV
// (comma or semicolon separated, guessed from the header line).
func Open(name string, r io.Reader) (Reader, error) {
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return NewXLSXReader(r)
	}
	br := bufio.NewReader(r)
	head, _ := br.Peek(4096)
	first, _, _ := strings.Cut(string(head), "\n")
	sep := ','
	if strings.Count(first, ";") > strings.Count(first, ",") {
		sep = ';'
	}
	return NewCSVReader(br, sep), nil
}

// XLSXReader reads the first sheet of a workbook.
type XLSXReader struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

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
	return &XLSXReader{f: f, rows: rows}, nil
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
	return cols, x.line, err
}

// Writer writes an extract.
type Writer interface {
	Write(record []string) error
	// Close finishes the file (an XLSX workbook is written out here).
	Close() error
}

// NewWriter writes format "csv" or "xlsx" to w, starting with the header.
func NewWriter(format string, w io.Writer) (Writer, error) {
	var out Writer
	switch format {
	case "csv":
		out = &csvWriter{w: csv.NewWriter(w)}
	case "xlsx":
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return nil, err
		}
		out = &xlsxWriter{f: f, sw: sw, w: w}
	default:
		return nil, fmt.Errorf("format %q: csv or xlsx", format)
	}
	return out, out.Write(Columns)
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) Write(record []string) error { return c.w.Write(record) }
func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

type xlsxWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	w   io.Writer
	row int
}

func (x *xlsxWriter) Write(record []string) error {
	x.row++
	cells := make([]any, len(record))
	for i, v := range record {
		cells[i] = v // text, always: a NIK must not become a number
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) Close() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.w)
	return err
}
