package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/usulan"
)

// verificationPage is Dinas Sosial's queue across kecamatan: the
// proposals in one of the queue's statuses, the verified sent in batches,
// and the latest batches with their BNBA uploads.
type verificationPage struct {
	Status      string
	Statuses    []string
	Kecamatan   string
	Kecamatans  []kecamatanOption
	Items       []queueRow
	NextPage    string
	Unavailable string
	Batches     []store.Batch
	// Sent is the batch just made.
	Sent           *store.Batch
	IdempotencyKey string
}

// kecamatanOption is a kecamatan in a filter.
type kecamatanOption struct{ Code, Name string }

// queueRow is a proposal of the queue, in words.
type queueRow struct {
	proposalRow
	URL, Kecamatan, HeldOn string
}

const queuePerPage = 50

// verificationQueue is the queue (?status=, ?kecamatan=, ?lanjut= the next
// page's cursor); a kecamatan whose database does not answer is named.
func (h *Handler) verificationQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &verificationPage{Status: q.Get("status"), Kecamatan: q.Get("kecamatan"), IdempotencyKey: rand.Text()}
	if d.Status == "" {
		d.Status = string(usulan.Agreed)
	}
	for _, s := range proposal.QueueStatuses {
		d.Statuses = append(d.Statuses, string(s))
	}
	if !slices.Contains(d.Statuses, d.Status) {
		h.http.Fail(w, r, registry.Invalid("status", "usulan.queue_status", "one of the queue's statuses"))
		return
	}
	v := newPage(r, "verify.title")
	queue, err := h.app.ProposalsToVerify(r.Context(), usecase.QueueQuery{QueueFilter: proposal.QueueFilter{Status: usulan.Status(d.Status),
		Limit: queuePerPage}, Kecamatan: d.Kecamatan, Cursor: q.Get("lanjut")})
	if err == nil {
		d.Batches, err = h.app.Batches(r.Context(), 10)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if id, _ := strconv.ParseInt(q.Get("batch"), 10, 64); id > 0 {
		for i := range d.Batches {
			if d.Batches[i].ID == id {
				d.Sent = &d.Batches[i]
			}
		}
	}
	onboarded, err := h.app.Onboarded(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	for _, k := range onboarded {
		d.Kecamatans = append(d.Kecamatans, kecamatanOption{k, areaName(k)})
	}
	d.Unavailable = unavailableNames(queue.Unavailable)
	for _, it := range queue.Items {
		k := kecamatanPage{KelurahanNames: map[string]string{it.Kelurahan: areaName(it.Kelurahan)}}
		row := queueRow{proposalRow: proposalRowOf(v, k, it.Summary), URL: proposalURL(it.Kecamatan, it.ID), Kecamatan: areaName(it.Kecamatan),
			HeldOn: "—"}
		if it.HeldOn != nil {
			row.HeldOn = it.HeldOn.Format("02-01-2006")
		}
		d.Items = append(d.Items, row)
	}
	if queue.NextCursor != "" {
		d.NextPage = query("status", d.Status, "kecamatan", d.Kecamatan, "lanjut", queue.NextCursor)
	}
	render(w, r, http.StatusOK, verifikasi(v, d))
}

// batchSend sends every verified proposal of the city in a new batch and
// shows it; the form's key makes a second press the same batch.
func (h *Handler) batchSend(w http.ResponseWriter, r *http.Request) {
	b, err := h.app.SendBatch(r.Context(), caller(r), "", r.PostFormValue("idempotency_key"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/usulan/verifikasi?status=dikirim&batch=%d", b.ID), http.StatusSeeOther)
}

// proposalVerify is Dinas Sosial's word from the proposal's page:
// verified, returned with a note, or rejected with the reason.
func (h *Handler) proposalVerify(w http.ResponseWriter, r *http.Request) {
	h.moveFromPage(w, r, h.app.VerifyProposal)
}

// resultPage is the import of the centre's result, and what the last
// upload did or would do.
type resultPage struct {
	Result  *usecase.ResultImport
	DryRun  bool
	Applied bool
	Refusal string
	Columns string
}

func newResultPage(r *http.Request) (*webPage, *resultPage) {
	return newPage(r, "result.title"), &resultPage{Columns: strings.Join(proposal.ResultColumns, ", ")}
}

// resultNew is the upload form of the centre's result.
func (h *Handler) resultNew(w http.ResponseWriter, r *http.Request) {
	v, d := newResultPage(r)
	render(w, r, http.StatusOK, hasil(v, d))
}

// resultCreate previews (?aksi=pratinjau) or applies (?aksi=terapkan) the
// uploaded result file, streamed from the form.
func (h *Handler) resultCreate(w http.ResponseWriter, r *http.Request) {
	v, d := newResultPage(r)
	d.DryRun = r.URL.Query().Get("aksi") != "terapkan"
	opts := usecase.ResultOptions{DryRun: d.DryRun}
	h.uploaded(w, r, map[string]*bool{"lewati": &opts.SkipInvalid}, func(part *multipart.Part) {
		reader, err := bnba.Open(part.FileName(), part, "")
		if err != nil {
			h.http.Fail(w, r, unreadable(err.Error()))
			return
		}
		res, err := h.app.ImportResult(r.Context(), caller(r), reader, opts)
		status := http.StatusOK
		switch {
		case err == nil:
			d.Applied = !d.DryRun
		case errors.Is(err, usecase.ErrNothingLoaded):
			status, d.Refusal = http.StatusUnprocessableEntity, v.T("result.refused")
		default:
			h.http.Fail(w, r, err)
			return
		}
		d.Result = res
		render(w, r, status, hasil(v, d))
	})
}

// batchTotal counts the proposals a batch sent.
func batchTotal(b *store.Batch) int {
	n := 0
	for _, c := range b.Sent {
		n += c
	}
	return n
}
