package web

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// inboxTransition moves a referral on the agency's side from the page:
// accept, reject (with the reason), start, complete (with the result) or
// report a failure (with the reason).
func (h *Handler) inboxTransition(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	ch := formChange(r, rujukan.Status(r.PostFormValue("status")))
	rq := httpapi.RequestOf(r)
	if _, err := h.app.MoveReferralAsAgency(r.Context(), &rq.Caller, rq.Agency, id, &ch); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/instansi/"+rq.Agency+"/rujukan/"+rq.Kecamatan()+"/"+strconv.FormatInt(id, 10)+"?diubah=1", http.StatusSeeOther)
}
