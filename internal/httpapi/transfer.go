package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/transfer"
	"github.com/slrt-id/slrt/internal/usecase"
)

// transferRequest asks another kecamatan for a household that lives here
// now, found by a member's NIK (in the body, never in a URL).
func (s *Server) transferRequest(w http.ResponseWriter, r *http.Request) {
	var in usecase.TransferRequest
	if _, ok := readBody(w, r, &in); !ok {
		return
	}
	t, made, err := s.app.RequestTransfer(r.Context(), &RequestOf(r).Caller, &in, r.Header.Get("Idempotency-Key"))
	s.answerTransferMade(w, r, t, made, err)
}

// transferOffer offers a household of this kecamatan to the one it moved to.
func (s *Server) transferOffer(w http.ResponseWriter, r *http.Request) {
	var in usecase.TransferOffer
	if _, ok := readBody(w, r, &in); !ok {
		return
	}
	t, made, err := s.app.OfferTransfer(r.Context(), &RequestOf(r).Caller, &in, r.Header.Get("Idempotency-Key"))
	s.answerTransferMade(w, r, t, made, err)
}

// answerTransferMade answers a transfer asked for: 201 with where to read
// it, or its first answer again for a retried key.
func (s *Server) answerTransferMade(w http.ResponseWriter, r *http.Request, t *transfer.Transfer, made bool, err error) {
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/kecamatan/"+RequestOf(r).Kecamatan()+"/pindah/"+t.ID)
	if !made {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, t)
}

// transferList lists the transfers from and to this kecamatan
// (?status=terbuka: those under way).
func (s *Server) transferList(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Transfers(r.Context(), &RequestOf(r).Caller, r.URL.Query().Get("status") == "terbuka")
	s.answer(w, r, Page[transfer.Transfer]{Items: items}, err)
}

// transferShow returns one transfer: it holds the new address, so the read
// is audited.
func (s *Server) transferShow(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.Transfer(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "id"))
	s.answerAudited(w, r, t, err)
}

// transferDecide accepts or rejects a transfer the other kecamatan asked
// for (the koordinator's decision).
func (s *Server) transferDecide(w http.ResponseWriter, r *http.Request) {
	var in usecase.TransferDecision
	if !decodeJSON(w, r, &in) {
		return
	}
	t, err := s.app.DecideTransfer(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "id"), &in)
	s.answer(w, r, t, err)
}

// transferRevokeInput says why a transfer is withdrawn.
type transferRevokeInput struct {
	Reason string `json:"reason"`
}

// transferRevoke withdraws a transfer this kecamatan asked for, before the
// other decides.
func (s *Server) transferRevoke(w http.ResponseWriter, r *http.Request) {
	var in transferRevokeInput
	if !decodeJSON(w, r, &in) {
		return
	}
	t, err := s.app.RevokeTransfer(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "id"), in.Reason)
	s.answer(w, r, t, err)
}

// cityTransfers lists the transfers of every kecamatan of the caller's
// city (Dinas Sosial), newest first (?status=terbuka).
func (s *Server) cityTransfers(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.CityTransfers(r.Context(), &RequestOf(r).Caller, r.URL.Query().Get("status") == "terbuka")
	s.answer(w, r, Page[transfer.Transfer]{Items: items}, err)
}
