package web

import (
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
)

// complaintClose closes the case with its outcome (the koordinator); a
// case with referrals still open stays open, and the page says which.
func (h *Handler) complaintClose(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	in := casework.Closing{Outcome: r.PostFormValue("outcome")}
	if note := strings.TrimSpace(r.PostFormValue("note")); note != "" {
		in.Note = &note
	}
	_, err := h.app.CloseCase(r.Context(), caller(r), id, &in)
	h.backToCaseFile(w, r, id, "?ditutup=1", err)
}

// backToCaseFile shows the case file again after a change, with a note of
// what was done (flag), or the change's error.
func (h *Handler) backToCaseFile(w http.ResponseWriter, r *http.Request, id int64, flag string, err error) {
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, caseFileURL(caller(r).Kecamatan(), id)+flag, http.StatusSeeOther)
}
