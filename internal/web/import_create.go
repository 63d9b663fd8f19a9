package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/registryload"
	"github.com/slrt-id/slrt/internal/usecase"
)

// importCreate previews (?aksi=pratinjau) or loads (?aksi=muat) the
// uploaded extract, streamed from the form into the import: how its
// columns were read, what it would create, update and move, and every
// problem with its line. A preview keeps nothing. With ?aksi=masalah the
// answer is the file itself with a column of its problems, to fix.
func (h *Handler) importCreate(w http.ResponseWriter, r *http.Request) {
	v, d := newImportPage(r)
	action := r.URL.Query().Get("aksi")
	d.DryRun = action != "muat"
	opts := usecase.ImportOptions{DryRun: d.DryRun}
	h.uploaded(w, r, map[string]*bool{"lewati": &opts.SkipInvalid, "pindah": &opts.AllowMoves}, func(part *multipart.Part) {
		if action == "masalah" {
			h.annotatedFile(w, r, part)
			return
		}
		reader, err := bnba.Open(part.FileName(), part, "")
		if err != nil {
			h.http.Fail(w, r, unreadable(err.Error()))
			return
		}
		res, err := h.app.Import(r.Context(), caller(r), reader, opts)
		h.showImport(w, r, v, d, res, err)
	})
}

// uploaded reads an upload form's parts as they stream: the fields before
// the file are boxes, each ticked one setting its flag; then file reads
// the file. A form without its file is refused.
func (h *Handler) uploaded(w http.ResponseWriter, r *http.Request, boxes map[string]*bool, file func(*multipart.Part)) {
	for parts := httpapi.UploadParts(r); parts != nil; {
		part, err := parts.NextPart()
		if err != nil {
			break
		}
		if part.FormName() == "berkas" {
			file(part)
			_, _ = io.Copy(io.Discard, part)
			return
		}
		if flag, ok := boxes[part.FormName()]; ok {
			*flag = true
		}
	}
	h.http.Fail(w, r, errNoFile)
}

// errNoFile is an upload without its file.
var errNoFile = unreadable("choose a CSV or XLSX file")

// unreadable is a file the import cannot open, as a problem of the form's
// file field.
func unreadable(message string) error {
	return registry.Invalid("berkas", "bnba.file", message)
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
	render(w, r, status, impor(v, d))
}

// maxAnnotated bounds a file sent back with its problems (it is held in
// memory to be read twice).
const maxAnnotated = 64 << 20

// annotatedFile answers with the uploaded file and a column of each line's
// problems (the first registryload.MaxProblems), as a dry run finds them.
func (h *Handler) annotatedFile(w http.ResponseWriter, r *http.Request, part *multipart.Part) {
	data, err := io.ReadAll(io.LimitReader(part, maxAnnotated+1))
	if err != nil || len(data) > maxAnnotated {
		h.http.Fail(w, r, unreadable("the file is too large to send back; split it by kelurahan"))
		return
	}
	name := filepath.Base(part.FileName())
	reader, err := bnba.Open(name, bytes.NewReader(data), "")
	if err != nil {
		h.http.Fail(w, r, unreadable(err.Error()))
		return
	}
	res, err := h.app.Import(r.Context(), caller(r), reader, usecase.ImportOptions{DryRun: true, SkipInvalid: true, AllowMoves: true})
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	out, err := bnba.Annotate(name, data, max(res.HeaderLine, 1), res.Problems)
	if err != nil {
		h.http.Fail(w, r, unreadable(err.Error()))
		return
	}
	contentType := "text/csv; charset=utf-8"
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "masalah-" + name}))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(out)
}
