package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/usulan"
)

// verificationQueue is Dinas Sosial's queue across kecamatan: the
// proposals the muskel agreed (?status= another of the queue's statuses),
// by kecamatan, kind or period. A kecamatan whose database does not answer
// is named in unavailable and the rest still served.
func (s *Server) verificationQueue(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	in := usecase.QueueQuery{QueueFilter: proposal.QueueFilter{Status: usulan.Status(q.Get("status")), Kind: q.Get("kind"),
		Period: q.Get("periode"), Limit: limit}, Kecamatan: q.Get("kecamatan"), Cursor: q.Get("cursor")}
	if in.Status == "" {
		in.Status = usulan.Agreed
	}
	if !slices.Contains(proposal.QueueStatuses, in.Status) {
		invalid(w, r, FieldError{Field: "status", Code: "usulan.queue_status", Message: "disepakati, diverifikasi, dikembalikan, ditolak_dinsos or dikirim"})
		return
	}
	if _, _, ok := proposal.ParseRef(in.Cursor); in.Cursor != "" && !ok {
		invalid(w, r, FieldError{Field: "cursor", Code: "page.cursor", Message: "not a cursor this queue returned"})
		return
	}
	out, err := s.app.ProposalsToVerify(r.Context(), in)
	s.answer(w, r, out, err)
}

// proposalVerify is Dinas Sosial's word on an agreed proposal: diverifikasi,
// dikembalikan with a note, or ditolak_dinsos with the reason.
func (s *Server) proposalVerify(w http.ResponseWriter, r *http.Request) {
	s.moveProposal(w, r, s.app.VerifyProposal)
}

// batchInput is what a batch is made of.
type batchInput struct {
	// Period sends only the proposals of one period.
	Period string `json:"period,omitempty"`
}

// batchCreate sends every verified proposal of the city (or of a period)
// in a new batch, kecamatan by kecamatan; one that cannot be reached is
// named and keeps its proposals for the next batch. A retry with the same
// Idempotency-Key returns the same batch.
func (s *Server) batchCreate(w http.ResponseWriter, r *http.Request) {
	var in batchInput
	if _, ok := readBody(w, r, &in); !ok {
		return
	}
	b, err := s.app.SendBatch(r.Context(), &RequestOf(r).Caller, in.Period, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	location := fmt.Sprintf("/api/v1/usulan/batch/%d", b.ID)
	w.Header().Set("Location", location)
	if b.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, b.Batch)
}

// batchList lists the latest batches.
func (s *Server) batchList(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	items, err := s.app.Batches(r.Context(), limit)
	s.answer(w, r, Page[store.Batch]{Items: items}, err)
}

// batchShow returns a batch with what each kecamatan sent in it.
func (s *Server) batchShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	b, err := s.app.Batch(r.Context(), id)
	s.answer(w, r, b, err)
}

// batchFile writes a batch's BNBA upload, CSV or XLSX (?format=). It holds
// every NIK of the batch, so it is audited; a kecamatan of the batch that
// does not answer fails it with 503 before anything is written.
func (s *Server) batchFile(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	format, contentType, ok := fileFormat(w, r)
	if !ok {
		return
	}
	b, err := s.app.Batch(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	err = s.app.WriteBatchFile(r.Context(), b, func() (bnba.Writer, error) {
		if err := s.Audit(r); err != nil {
			return nil, err
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+b.Code+"."+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		return bnba.NewWriterWith(format, w, proposal.BatchColumns)
	})
	switch {
	case errors.Is(err, usecase.ErrBatchIncomplete):
		w.Header().Set("Retry-After", "30")
		problem(w, r, http.StatusServiceUnavailable, "A kecamatan of this batch cannot be read now; the file is written whole or not at all. Try again later.")
	case err != nil && !written(w):
		s.Fail(w, r, err)
	case err != nil:
		logFailure(r, err)
	}
}

// resultImport brings the centre's result back (a CSV or XLSX of
// proposal.ResultColumns): desil, programmes and DTSEN ids set on the
// households, decided proposals taking effect, every proposal closed as
// ditetapkan or tidak_ditetapkan, one transaction per kecamatan. With a
// problem in any row nothing is kept (422 listing each line and field)
// unless ?skipInvalid=true; ?dryRun=true keeps nothing. Importing the same
// file again changes nothing.
func (s *Server) resultImport(w http.ResponseWriter, r *http.Request) {
	reader, ok := openUpload(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	o := usecase.ResultOptions{SkipInvalid: q.Get("skipInvalid") == "true", DryRun: q.Get("dryRun") == "true"}
	res, err := s.app.ImportResult(r.Context(), &RequestOf(r).Caller, reader, o)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, usecase.ErrNothingLoaded):
		writeProblem(w, http.StatusUnprocessableEntity, struct {
			problemDoc
			*usecase.ResultImport
		}{newProblem(r, http.StatusUnprocessableEntity, "The result file has problems; nothing was applied. Fix the lines listed, or apply the good rows with skipInvalid=true."),
			res})
	case errors.As(err, &tooBig):
		problem(w, r, http.StatusRequestEntityTooLarge, "The file is larger than 512 MiB; split it by kecamatan.")
	case err != nil:
		s.Fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}
