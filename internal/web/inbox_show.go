package web

import (
	"net/http"
	"strconv"

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
	render(w, r, http.StatusOK, rujukanInstansi(newPage(r, "inbox.referral", ref.TrackingCode),
		&inboxReferralPage{h.agencyPage(r), code, areaName(code), ref, actions, r.URL.Query().Get("diubah") == "1"}))
}

// inboxReferralPage is a referral of an agency's inbox and the steps the
// agency may take on it.
type inboxReferralPage struct {
	agencyPage
	Code, KecamatanName string
	Referral            *casework.AgencyReferral
	Actions             []agencyAction
	Moved               bool
}

// agencyReferralURL is the web app's page of a referral sent to agency.
func agencyReferralURL(agency, kecamatan string, id int64) string {
	return "/instansi/" + agency + "/rujukan/" + kecamatan + "/" + strconv.FormatInt(id, 10)
}

// withNote writes a step of a referral's history with its note, if any.
func withNote(step string, note *string) string {
	if note == nil {
		return step
	}
	return step + ": " + *note
}
