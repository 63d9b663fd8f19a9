package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registryload"
	"github.com/slrt-id/slrt/internal/tenant"
)

// maxImportBytes bounds an extract: a kecamatan's registry is tens of
// thousands of rows, a few MiB.
const maxImportBytes = 512 << 20

// ImportResult is the answer to an import.
type ImportResult struct {
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
	name := "extract.csv"
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
		name = "extract.xlsx"
	} else if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "text/csv") {
		problem(w, r, http.StatusUnsupportedMediaType, "Send text/csv, or an XLSX workbook with its content type.")
		return
	}
	reader, err := bnba.Open(name, http.MaxBytesReader(w, r.Body, maxImportBytes))
	if err != nil {
		invalid(w, r, FieldError{Field: "/", Code: "bnba.xlsx", Message: err.Error()})
		return
	}
	code := chi.URLParam(r, "code")
	o := registryload.Options{Kecamatan: code, SkipInvalid: skip, Actor: principalFrom(r.Context()).Account.ID, Now: time.Now()}
	s.withTenantDB(w, r, func(conn tenantConn) error {
		var res *registryload.Result
		err := pgx.BeginFunc(r.Context(), conn, func(tx pgx.Tx) error {
			var err error
			if res, err = registryload.Stage(r.Context(), tx, reader, o); err != nil {
				return err
			}
			if res.Failed(o) {
				return errNothingLoaded
			}
			return s.upsertAndIndex(r.Context(), tx, o, res)
		})
		var tooBig *http.MaxBytesError
		switch {
		case errors.Is(err, errNothingLoaded):
			writeProblem(w, http.StatusUnprocessableEntity, struct {
				Problem
				ImportResult
			}{newProblem(r, http.StatusUnprocessableEntity, "The file has problems; nothing was loaded. Fix the lines listed, or load the good rows with skipInvalid=true."),
				ImportResult{Result: res}})
			return nil
		case errors.Is(err, registryload.ErrHeadConflict):
			problem(w, r, http.StatusConflict, registryload.ErrHeadConflict.Error()+".")
			return nil
		case errors.As(err, &tooBig):
			problem(w, r, http.StatusRequestEntityTooLarge, "The file is larger than 512 MiB; split it by kelurahan.")
			return nil
		case err != nil:
			return err
		}
		if res.Large() {
			s.analyzeAfterImport(r.Context(), tenantFrom(r.Context()))
		}
		writeJSON(w, http.StatusOK, ImportResult{Result: res, Committed: true})
		return nil
	})
}

var errNothingLoaded = errors.New("nothing loaded")

// upsertAndIndex writes the staged rows into the tenant's registry and,
// meanwhile, their NIKs into the cross-kecamatan index in the control
// database: two databases working at once, and the index written before
// the tenant commits (as for one person). When the upsert fails, the
// entries this load added are removed again.
func (s *Server) upsertAndIndex(ctx context.Context, tx pgx.Tx, o registryload.Options, res *registryload.Result) error {
	type indexed struct {
		added [][]byte
		err   error
	}
	done := make(chan indexed, 1)
	go func() {
		hashes := make([][]byte, len(res.NIKs))
		for i, n := range res.NIKs {
			hashes[i] = s.nikHasher.Hash(n)
		}
		added, err := s.store.IndexNIKs(ctx, hashes, o.Kecamatan)
		done <- indexed{added, err}
	}()
	err := registryload.Upsert(ctx, tx, o, res)
	ix := <-done
	if err != nil && ix.err == nil && len(ix.added) > 0 {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if uerr := s.store.UnindexNIKs(ctx, ix.added, o.Kecamatan); uerr != nil {
			slog.ErrorContext(ctx, "a failed import left its NIKs in the cross-kecamatan index", "tenant", o.Kecamatan, "error", uerr)
		}
	}
	return errors.Join(err, ix.err)
}

// analyzeAfterImport refreshes the kecamatan's statistics in the
// background after a large import; the answer does not wait for it.
func (s *Server) analyzeAfterImport(ctx context.Context, t *tenant.Tenant) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		conn, err := s.tenants.Acquire(ctx, t)
		if err == nil {
			err = registryload.Analyze(ctx, conn)
			conn.Release()
		}
		if err != nil {
			slog.WarnContext(ctx, "statistics not refreshed after an import", "tenant", t.Code, "error", err)
		}
	}()
}
