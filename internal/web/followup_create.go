package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
)

// followUpCreate records a follow-up (tindak lanjut) on the case from its
// file; the form's idempotency key makes a double submit one follow-up.
func (h *Handler) followUpCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	in := casework.NewFollowUp{Kind: r.PostFormValue("kind"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	body := url.Values{"complaint": {strconv.FormatInt(id, 10)}, "kind": {in.Kind}, "note": {in.Note}}.Encode()
	c := caller(r)
	if _, err := h.app.FollowUp(r.Context(), c, id, &in, httpapi.Once(r, r.PostFormValue("idempotency_key"), []byte(body))); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, caseFileURL(c.Kecamatan(), id)+"?dicatat=1", http.StatusSeeOther)
}
