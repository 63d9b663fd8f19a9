package web

import (
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// referralSend sends a draft referral to its agency (the koordinator's
// decision), which starts the agency's clock, and returns to the case
// file.
func (h *Handler) referralSend(w http.ResponseWriter, r *http.Request) {
	h.referralStep(w, r, casework.Change{Status: rujukan.Requested}, "?terkirim=1")
}

// referralCancel cancels a referral from the case file, with the reason: a
// draft by any Puskesos staff, a sent one by the koordinator (the state
// machine's rules, as through the API).
func (h *Handler) referralCancel(w http.ResponseWriter, r *http.Request) {
	h.referralStep(w, r, formChange(r, rujukan.Cancelled), "?dibatalkan=1")
}

// referralStep moves the path's referral on the Puskesos side and shows
// its case file again, flagged with what was done.
func (h *Handler) referralStep(w http.ResponseWriter, r *http.Request, ch casework.Change, flag string) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	c := caller(r)
	ref, err := h.app.MoveReferral(r.Context(), c, id, &ch)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, caseFileURL(c.Kecamatan(), ref.ComplaintID)+flag, http.StatusSeeOther)
}

// formChange is a referral step from a form, with its reason when given.
func formChange(r *http.Request, to rujukan.Status) casework.Change {
	ch := casework.Change{Status: to}
	if reason := strings.TrimSpace(r.PostFormValue("reason")); reason != "" {
		ch.Reason = &reason
	}
	return ch
}
