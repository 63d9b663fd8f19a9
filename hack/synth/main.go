// Command synth writes a synthetic DTKS/BNBA extract for one kecamatan, for
// demos and measurements: go run ./hack/synth -kecamatan 32.73.03 -persons 23000 > extract.csv
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/synth"
	"github.com/slrt-id/slrt/internal/wilayah"
)

func main() {
	code := flag.String("kecamatan", "32.73.03", "Kemendagri code of a Kota Bandung kecamatan")
	persons := flag.Int("persons", 23000, "about how many persons")
	seed := flag.Uint64("seed", 1, "the same seed makes the same file")
	format := flag.String("format", "csv", "csv or xlsx")
	flag.Parse()
	var kelurahan []string
	for _, k := range wilayah.Default().Children(*code) {
		kelurahan = append(kelurahan, k.Code)
	}
	if len(kelurahan) == 0 {
		fmt.Fprintln(os.Stderr, "synth: no such kecamatan", *code)
		os.Exit(1)
	}
	w, err := bnba.NewWriter(*format, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
	g := synth.New(*code, kelurahan, *seed)
	for n := 0; n < *persons; {
		for _, r := range g.Household() {
			_ = w.Write(r.Record())
			n++
		}
	}
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}
