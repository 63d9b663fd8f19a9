package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
)

// referralCreate drafts a referral of the complaint to the chosen service,
// with the documents the resident brought; the form's idempotency key
// makes a double submit one referral.
func (h *Handler) referralCreate(w http.ResponseWriter, r *http.Request) {
	complaintID, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	in := casework.NewReferral{ComplaintID: complaintID, Service: r.PostFormValue("service"), DocumentsProvided: r.PostForm["documents"]}
	if in.DocumentsProvided == nil {
		in.DocumentsProvided = []string{}
	}
	body := url.Values{"complaint": {strconv.FormatInt(complaintID, 10)}, "service": {in.Service}, "documents": in.DocumentsProvided}.Encode()
	c := caller(r)
	if _, err := h.app.DraftReferral(r.Context(), c, &in, httpapi.Once(r, r.PostFormValue("idempotency_key"), []byte(body))); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, caseFileURL(c.Kecamatan(), complaintID)+"?dirujuk=1", http.StatusSeeOther)
}
