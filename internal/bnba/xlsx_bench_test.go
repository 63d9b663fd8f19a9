package bnba

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// BenchmarkReadXLSX reads a workbook of 10,000 persons whose cells are all
// text (as the export writes them): the cost of reading cells by type,
// against reading their text alone (x-typed).
func BenchmarkReadXLSX(b *testing.B) {
	var buf bytes.Buffer
	w, err := NewWriter("xlsx", &buf)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		rec := []string{fmt.Sprintf("327303150410%04d", i/4), fmt.Sprintf("32730312038%05d", i+1), "Warga", "Bandung", "1980-03-12", "L",
			"anak", "sma", "", "", "", "", "", "32.73.03.1001", "3", "11", "Jl. Holis", "", "2", "PKH", "1500000", ""}
		if i%4 == 0 {
			rec[6] = "kepala_keluarga"
		}
		if err := w.Write(rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	read := func(typed bool) int {
		r, err := Open("x.xlsx", bytes.NewReader(data), "")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if !typed {
			for {
				if _, _, err := r.Next(); err != nil {
					return n
				}
				n++
			}
		}
		e, problems, err := Read(r, "32.73.03", now)
		if err != nil || problems != nil {
			b.Fatal(err, problems)
		}
		for {
			if _, _, _, err := e.Next(); err != nil {
				return n
			}
			n++
		}
	}
	for b.Loop() {
		start := time.Now()
		read(false)
		plain := time.Since(start).Seconds()
		start = time.Now()
		read(true)
		typed := time.Since(start).Seconds()
		b.ReportMetric(typed/plain, "x-typed")
	}
}
