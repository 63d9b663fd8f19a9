package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
)

// complaintCreate records the complaint from the form and shows it. The
// form's idempotency key makes a double submit (or a retry after a lost
// answer) land on the same complaint.
func (h *Handler) complaintCreate(w http.ResponseWriter, r *http.Request) {
	v, d, err := h.newIntakePage(r)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	personID, _ := strconv.ParseInt(r.PostFormValue("person"), 10, 64)
	d.Form = casework.NewComplaint{PersonID: personID, Category: r.PostFormValue("category"), Channel: r.PostFormValue("channel"),
		Urgency: r.PostFormValue("urgency"), Description: strings.TrimSpace(r.PostFormValue("description"))}
	if key := r.PostFormValue("idempotency_key"); key != "" {
		d.IdempotencyKey = key
	}
	body := url.Values{"person": {strconv.FormatInt(personID, 10)}, "category": {d.Form.Category}, "channel": {d.Form.Channel},
		"urgency": {d.Form.Urgency}, "description": {d.Form.Description}}.Encode()
	c := caller(r)
	out, err := h.app.RecordComplaint(r.Context(), c, &d.Form, httpapi.Once(r, d.IdempotencyKey, []byte(body)))
	switch {
	case err == nil:
		http.Redirect(w, r, caseFileURL(d.Code, out.ID)+"?tersimpan=1", http.StatusSeeOther)
	case fieldProblems(v, err, d.Errors, nil):
		if d.Resident, err = h.app.Resident(r.Context(), c, personID); err != nil {
			h.http.Fail(w, r, err)
			return
		}
		render(w, r, http.StatusUnprocessableEntity, keluhanBaru(v, d))
	default:
		h.http.Fail(w, r, err)
	}
}
