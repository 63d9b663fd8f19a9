package bnba

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ColumnMap names columns for header cells the aliases do not cover: a
// header cell (compared as the aliases are) to a column.
type ColumnMap map[string]string

// Add maps a header cell to a column, refusing a column the extract does
// not have.
func (m ColumnMap) Add(cell, column string) error {
	column = strings.TrimSpace(column)
	if !slices.Contains(Columns, column) {
		return fmt.Errorf("%q is not a column of the extract; the columns are %s", column, strings.Join(Columns, ", "))
	}
	if normalName(cell) == "" {
		return fmt.Errorf("the header cell mapped to %s is empty", column)
	}
	m[normalName(cell)] = column
	return nil
}

// ParseColumnMap reads a map file: one `HEADER CELL = column` a line, `#`
// starting a comment. An error names the line.
func ParseColumnMap(r io.Reader) (ColumnMap, error) {
	m := ColumnMap{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(text) == "" {
			continue
		}
		cell, column, ok := strings.Cut(text, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: write HEADER CELL = column", line)
		}
		if err := m.Add(cell, column); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	return m, sc.Err()
}

// column returns the column a header cell names: by the map, else by the
// column's names and aliases.
func (m ColumnMap) column(cell string) (string, bool) {
	if c, ok := m[normalName(cell)]; ok {
		return c, true
	}
	return columnNamed(cell)
}
