// Package reportfile writes monitoring reports' tables as files people open
// in a spreadsheet: CSV (one block per table) or XLSX (a sheet per table).
// A suppressed cell (a count of 1 to 4 outside its kecamatan) is "<5".
package reportfile

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/slrt-id/slrt/internal/casework"
)

// Suppressed is what a suppressed cell shows.
const Suppressed = "<5"

// Cell writes a report's cell.
func Cell(v any) string {
	if v == nil {
		return Suppressed
	}
	return fmt.Sprint(v)
}

// WriteCSV writes the tables one after the other, each row led by its
// table's name.
func WriteCSV(w io.Writer, tables []*casework.Table) error {
	cw := csv.NewWriter(w)
	for _, t := range tables {
		_ = cw.Write(append([]string{"tabel"}, t.Columns...))
		for _, row := range t.Rows {
			rec := []string{t.Name}
			for _, v := range row {
				rec = append(rec, Cell(v))
			}
			_ = cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes a workbook with a sheet per table, counts as numbers.
func WriteXLSX(w io.Writer, tables []*casework.Table) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, t := range tables {
		sheet := t.Name
		if len(sheet) > 31 {
			sheet = sheet[:31] // the format's limit
		}
		if i == 0 {
			_ = f.SetSheetName("Sheet1", sheet)
		} else if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
		header := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			header[j] = c
		}
		_ = f.SetSheetRow(sheet, "A1", &header)
		for j, row := range t.Rows {
			values := make([]any, len(row))
			for k, v := range row {
				values[k] = v
				if v == nil {
					values[k] = Suppressed
				}
			}
			_ = f.SetSheetRow(sheet, fmt.Sprintf("A%d", j+2), &values)
		}
	}
	_, err := f.WriteTo(w)
	return err
}

// WriteRows writes rows as CSV, the first being the header.
func WriteRows(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(rows)
	return cw.Error()
}
