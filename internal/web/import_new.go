package web

import (
	"net/http"
	"sort"

	"github.com/slrt-id/slrt/internal/registryload"
)

// importPage is the import of a DTKS/BNBA extract into a kecamatan, and
// what the last upload did or would do.
type importPage struct {
	kecamatanPage
	Result  *registryload.Result
	Columns []columnRead
	DryRun  bool
	Loaded  bool
	// Refusal says why nothing was loaded.
	Refusal string
}

// columnRead is a column and the header cell it was read from.
type columnRead struct{ Column, Cell string }

func newImportPage(r *http.Request) (*webPage, *importPage) {
	d := &importPage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), nil)}
	return newPage(r, "import.title"), d
}

// importNew shows the upload form for Dinas Sosial: a workbook or CSV,
// previewed before it is loaded.
func (h *Handler) importNew(w http.ResponseWriter, r *http.Request) {
	v, d := newImportPage(r)
	render(w, r, http.StatusOK, impor(v, d))
}

// columnsRead lists a result's columns in the extract's order.
func columnsRead(res *registryload.Result) []columnRead {
	out := make([]columnRead, 0, len(res.Columns))
	for column, cell := range res.Columns {
		out = append(out, columnRead{column, cell})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Column < out[j].Column })
	return out
}
