package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/registryload"
	"github.com/slrt-id/slrt/internal/usecase"
)

// importCreate previews (?aksi=pratinjau) or loads (?aksi=muat) the
// uploaded extract, streamed from the form into the import: how its
// columns were read, what it would create, update and move, and every
// problem with its line. A preview keeps nothing.
func (h *Handler) importCreate(w http.ResponseWriter, r *http.Request) {
	v, d, err := h.newImportPage(r)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	parts := httpapi.UploadParts(r)
	if parts == nil {
		h.http.Fail(w, r, errNoFile)
		return
	}
	d.DryRun = r.URL.Query().Get("aksi") != "muat"
	opts := usecase.ImportOptions{DryRun: d.DryRun}
	// The form's fields come before its file: read them, then stream the
	// file through the import.
	for {
		part, err := parts.NextPart()
		if err != nil {
			h.http.Fail(w, r, errNoFile)
			return
		}
		switch part.FormName() {
		case "lewati":
			opts.SkipInvalid = true
		case "pindah":
			opts.AllowMoves = true
		case "berkas":
			reader, err := bnba.Open(part.FileName(), part, "")
			if err != nil {
				h.http.Fail(w, r, unreadable(err.Error()))
				return
			}
			res, err := h.app.Import(r.Context(), caller(r), reader, opts)
			h.showImport(w, r, v, d, res, err)
			_, _ = io.Copy(io.Discard, part)
			return
		}
	}
}

// errNoFile is an upload without its file.
var errNoFile = unreadable("choose a CSV or XLSX file")

// unreadable is a file the import cannot open, as a problem of the form's
// file field.
func unreadable(message string) error {
	return &registry.InvalidError{Fields: []registry.FieldError{{Field: "berkas", Code: "bnba.file", Message: message}}}
}

// showImport shows what an import did, or would do, or why nothing was
// loaded.
func (h *Handler) showImport(w http.ResponseWriter, r *http.Request, v *webPage, d *importPage, res *registryload.Result, err error) {
	status := http.StatusOK
	switch {
	case err == nil:
		d.Loaded = !d.DryRun
	case errors.Is(err, usecase.ErrNothingLoaded):
		status, d.Refusal = http.StatusUnprocessableEntity, v.T("import.refused_problems")
	case errors.Is(err, registryload.ErrTooManyMoves):
		status, d.Refusal = http.StatusConflict, v.T("import.refused_moves")
	case errors.Is(err, registryload.ErrHeadConflict):
		status, d.Refusal = http.StatusConflict, v.T("import.refused_head")
	default:
		h.http.Fail(w, r, err)
		return
	}
	if res != nil {
		d.Result, d.Columns = res, columnsRead(res)
	}
	render(w, r, status, "impor", v)
}
