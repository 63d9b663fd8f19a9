package httpapi

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registryload"
	"github.com/slrt-id/slrt/internal/usecase"
)

// maxImportBytes bounds an extract: a kecamatan's registry is tens of
// thousands of rows, a few MiB.
const maxImportBytes = 512 << 20

// importResult is the answer to an import.
type importResult struct {
	*registryload.Result
	// Committed says whether anything was loaded.
	Committed bool `json:"committed"`
}

// registryImport loads a DTKS/BNBA extract (CSV, or XLSX by its content
// type) into the kecamatan in one transaction. Every row is checked; with a
// problem nothing is loaded (422 listing each line and field) unless
// ?skipInvalid=true, which loads the good rows and lists the bad. Loading
// the same file again changes nothing (upsert by No KK and NIK).
func (s *Server) registryImport(w http.ResponseWriter, r *http.Request) {
	skip := r.URL.Query().Get("skipInvalid") == "true"
	reader, ok := openUpload(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	opts := usecase.ImportOptions{SkipInvalid: skip, DryRun: q.Get("dryRun") == "true", AllowMoves: q.Get("allowMoves") == "true",
		Columns: bnba.ColumnMap{}}
	for _, pair := range q["column"] {
		cell, column, _ := strings.Cut(pair, "=")
		if err := opts.Columns.Add(cell, column); err != nil {
			invalid(w, r, FieldError{Field: "column", Code: "bnba.column_map", Message: err.Error()})
			return
		}
	}
	res, err := s.app.Import(r.Context(), &RequestOf(r).Caller, reader, opts)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, usecase.ErrNothingLoaded):
		writeProblem(w, http.StatusUnprocessableEntity, struct {
			problemDoc
			importResult
		}{newProblem(r, http.StatusUnprocessableEntity, "The file has problems; nothing was loaded. Fix the lines listed, or load the good rows with skipInvalid=true."),
			importResult{Result: res}})
	case errors.Is(err, registryload.ErrTooManyMoves):
		writeProblem(w, http.StatusConflict, struct {
			problemDoc
			importResult
		}{newProblem(r, http.StatusConflict, registryload.ErrTooManyMoves.Error()+"; nothing was loaded."), importResult{Result: res}})
	case errors.Is(err, registryload.ErrHeadConflict):
		problem(w, r, http.StatusConflict, registryload.ErrHeadConflict.Error()+".")
	case errors.As(err, &tooBig):
		problem(w, r, http.StatusRequestEntityTooLarge, "The file is larger than 512 MiB; split it by kelurahan.")
	case err != nil:
		s.Fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, importResult{Result: res, Committed: !opts.DryRun})
	}
}

// openUpload opens a request's body as a CSV (by its charset) or XLSX (by
// its content type) file, answering one it cannot read.
func openUpload(w http.ResponseWriter, r *http.Request) (bnba.Reader, bool) {
	name, charset := "extract.csv", ""
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		name = "extract.xlsx"
	case "", "text/csv":
		charset = strings.ToLower(params["charset"]) // none: UTF-8, or Windows-1252 when the text is not UTF-8
	default:
		problem(w, r, http.StatusUnsupportedMediaType, "Send text/csv (charset utf-8 or windows-1252), or an XLSX workbook with its content type.")
		return nil, false
	}
	reader, err := bnba.Open(name, http.MaxBytesReader(w, r.Body, maxImportBytes), charset)
	if err != nil {
		invalid(w, r, FieldError{Field: "/", Code: "bnba.file", Message: err.Error()})
		return nil, false
	}
	return reader, true
}
