package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// agencyAction is a step the agency may take on a referral from the page.
type agencyAction struct {
	To          rujukan.Status
	NeedsReason bool
}

// inboxShow is one referral as its agency sees it: documents, history, the
// resident's shared fields, and the steps the agency may take. The read is
// audited, as through the API.
func (h *Handler) inboxShow(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	rq := httpapi.RequestOf(r)
	ref, err := h.app.AgencyReferral(r.Context(), &rq.Caller, rq.Agency, id)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if err := h.http.Audit(r); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	var actions []agencyAction
	for _, to := range rujukan.Next(rujukan.Status(ref.Status), rujukan.Agency) {
		step, _ := rujukan.Check(rujukan.Status(ref.Status), to, rujukan.Agency)
		actions = append(actions, agencyAction{To: to, NeedsReason: step.NeedsReason})
	}
	code := rq.Kecamatan()
	render(w, r, http.StatusOK, "rujukan_instansi", newPage(r, "inbox.referral", struct {
		agencyPage
		Code, KecamatanName string
		Referral            *casework.AgencyReferral
		Actions             []agencyAction
		Moved               bool
	}{h.agencyPage(r), code, areaName(code), ref, actions, r.URL.Query().Get("diubah") == "1"}, ref.TrackingCode))
}
