package bnba

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ProblemColumn heads the column Annotate adds.
const ProblemColumn = "masalah"

// Annotate writes a file back with a column saying what is wrong with each
// line (header at headerLine), to fix and load again: a workbook keeps its
// sheet and cells with the column added after its last one; a CSV file is
// written again in UTF-8 with its separator.
func Annotate(name string, data []byte, headerLine int, problems []Problem) ([]byte, error) {
	byLine := map[int][]string{}
	for _, p := range problems {
		text := p.Message
		if p.Field != "" {
			text = p.Field + ": " + p.Message
		}
		byLine[p.Line] = append(byLine[p.Line], text)
	}
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return annotateXLSX(data, headerLine, byLine)
	}
	return annotateCSV(data, headerLine, byLine)
}

func annotateXLSX(data []byte, headerLine int, byLine map[int][]string) ([]byte, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, err
	}
	width := 0
	for _, r := range rows {
		width = max(width, len(r))
	}
	set := func(line int, text string) error {
		cell, err := excelize.CoordinatesToCellName(width+1, line)
		if err != nil {
			return err
		}
		return f.SetCellStr(sheet, cell, text)
	}
	if err := set(headerLine, ProblemColumn); err != nil {
		return nil, err
	}
	for line, texts := range byLine {
		if err := set(max(line, 1), strings.Join(texts, "; ")); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	_, err = f.WriteTo(&out)
	return out.Bytes(), err
}

func annotateCSV(data []byte, headerLine int, byLine map[int][]string) ([]byte, error) {
	r, err := OpenCSV(bytes.NewReader(data), "")
	if err != nil {
		return nil, err
	}
	c, ok := r.(*CSVReader)
	if !ok {
		return nil, fmt.Errorf("not a CSV reader")
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.Comma = c.r.Comma
	for {
		rec, line, err := c.Next()
		var p *Problem
		switch {
		case errors.Is(err, io.EOF):
			w.Flush()
			return out.Bytes(), w.Error()
		case errors.As(err, &p):
			return nil, err // a line the reader cannot read: the problem says which
		case err != nil:
			return nil, err
		}
		extra := strings.Join(byLine[line], "; ")
		if line == headerLine {
			extra = ProblemColumn
		}
		if err := w.Write(append(rec, extra)); err != nil {
			return nil, err
		}
	}
}
