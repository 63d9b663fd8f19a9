package bnba

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Open reads an extract from r: XLSX when name ends in .xlsx, else CSV as
// offices save it: comma, semicolon or tab separated (guessed from the
// header line), UTF-8 with or without a byte order mark, or Windows-1252
// (the encoding of Excel's "CSV" on Windows) when the text is not UTF-8,
// unless encoding names it ("utf-8" or "windows-1252").
func Open(name string, r io.Reader, encoding string) (Reader, error) {
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return NewXLSXReader(r)
	}
	return OpenCSV(r, encoding)
}

// OpenCSV reads CSV in encoding "utf-8" or "windows-1252", or, with "",
// the one its first 64 KiB are in.
func OpenCSV(r io.Reader, encoding string) (Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	more := err == nil // the file goes on past what was peeked
	bom := bytes.HasPrefix(head, []byte("\xef\xbb\xbf"))
	first, _, _ := bytes.Cut(head, []byte("\n"))
	sep, most := ',', bytes.Count(first, []byte(","))
	for _, s := range []rune{';', '\t'} {
		if n := bytes.Count(first, []byte(string(s))); n > most {
			sep, most = s, n
		}
	}
	switch encoding {
	case "":
		if !bom && !validUTF8(head, more) {
			return NewCSVReader(charmap.Windows1252.NewDecoder().Reader(br), sep), nil
		}
	case "utf-8", "utf8":
	case "windows-1252", "cp1252":
		return NewCSVReader(charmap.Windows1252.NewDecoder().Reader(br), sep), nil
	default:
		return nil, fmt.Errorf("encoding %q: utf-8 or windows-1252", encoding)
	}
	if bom {
		_, _ = br.Discard(3)
	}
	return NewCSVReader(br, sep), nil
}

// validUTF8 reports whether b is UTF-8; when more follows, a rune cut at
// its end does not count against it.
func validUTF8(b []byte, more bool) bool {
	for cut := 0; cut < utf8.UTFMax && cut <= len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
		if !more {
			return false
		}
	}
	return false
}

// Writer writes an extract.
type Writer interface {
	Write(record []string) error
	// Close finishes the file (an XLSX workbook is written out here).
	Close() error
}

// NewWriter writes format "csv" or "xlsx" to w, starting with the header.
func NewWriter(format string, w io.Writer) (Writer, error) { return NewWriterWith(format, w, Columns) }

// NewWriterWith is NewWriter for a file whose header is not Columns (a
// batch of proposals has columns of its own around them).
func NewWriterWith(format string, w io.Writer, header []string) (Writer, error) {
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
	return out, out.Write(header)
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
