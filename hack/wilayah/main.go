// Command wilayah converts the national list of administrative areas (the
// idn-area-data package's provinces, regencies, districts and villages) into
// the reference file package wilayah embeds, taking each city's own codes
// from the city files that have them (BPS codes and populations). Run by
// `make wilayah`; the output is checked in.
//
//	go run ./hack/wilayah -data DIR -city internal/wilayah/wilayah-kota-bandung.csv -out internal/wilayah/wilayah-indonesia.csv.gz
package main

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The levels as package wilayah names them; a kabupaten is a kota there
// (the second level, where a city's Dinas Sosial and its grants sit), a
// desa a kelurahan.
var levels = []struct{ file, level string }{
	{"provinces.csv", "provinsi"}, {"regencies.csv", "kota"}, {"districts.csv", "kecamatan"}, {"villages.csv", "kelurahan"},
}

func main() {
	data := flag.String("data", "", "the folder of the package's CSV files")
	var cities cityFiles
	flag.Var(&cities, "city", "a city's own reference file (repeatable): its BPS codes and populations are kept")
	out := flag.String("out", "", "the gzip-compressed CSV to write")
	flag.Parse()
	if err := run(*data, cities, *out); err != nil {
		fmt.Fprintln(os.Stderr, "wilayah:", err)
		os.Exit(1)
	}
}

type cityFiles []string

func (c *cityFiles) String() string     { return fmt.Sprint(*c) }
func (c *cityFiles) Set(v string) error { *c = append(*c, v); return nil }

func run(data string, cities []string, out string) error {
	if data == "" || out == "" {
		return errors.New("-data and -out are required")
	}
	// code -> the city file's row (level, code, bps, name, parent, population)
	own := map[string][]string{}
	for _, path := range cities {
		rows, err := readCSV(path)
		if err != nil {
			return err
		}
		for _, r := range rows[1:] {
			own[r[1]] = r
		}
	}
	var rows [][]string
	seen := map[string]bool{}
	for _, l := range levels {
		in, err := readCSV(filepath.Join(data, l.file))
		if err != nil {
			return err
		}
		for i, r := range in[1:] {
			// provinces: code,name; the others: code,parent,name
			code, parent, name := r[0], "", r[len(r)-1]
			if len(r) == 3 {
				parent = r[1]
			}
			switch {
			case code == "" || name == "":
				return fmt.Errorf("%s line %d: a code and a name are required", l.file, i+2)
			case seen[code]:
				return fmt.Errorf("%s line %d: code %s twice", l.file, i+2, code)
			case parent != "" && !seen[parent]:
				return fmt.Errorf("%s line %d: %s's parent %s is not listed", l.file, i+2, code, parent)
			}
			seen[code] = true
			bps, population := "", ""
			if c, ok := own[code]; ok {
				bps, population = c[2], c[5]
				if c[3] != name {
					fmt.Fprintf(os.Stderr, "wilayah: %s is %q nationally, %q in its city's file: the national name is kept\n", code, name, c[3])
				}
			}
			rows = append(rows, []string{l.level, code, bps, name, parent, population})
		}
	}
	for code := range own {
		if !seen[code] {
			return fmt.Errorf("%s is in a city file but not in the national list", code)
		}
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[1], b[1]) })
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	// No name or time in the header: the same input gives the same bytes.
	z, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := csv.NewWriter(z)
	_ = w.Write([]string{"level", "code_kemendagri", "code_bps", "name", "parent_code_kemendagri", "population"})
	_ = w.WriteAll(rows)
	return errors.Join(w.Error(), z.Close(), f.Close())
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err == nil && len(rows) == 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}
