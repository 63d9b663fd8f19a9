package web

import (
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/registry"
)

// residentSearch finds the resident of a new complaint by NIK or name, in
// the caller's kelurahan. A POST, so that a NIK never sits in a URL or a
// browser's history.
func (h *Handler) residentSearch(w http.ResponseWriter, r *http.Request) {
	v, d, err := h.newIntakePage(r)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d.NIK, d.Name = strings.TrimSpace(r.PostFormValue("nik")), strings.TrimSpace(r.PostFormValue("name"))
	q := &registry.Query{NIK: d.NIK, Limit: 20}
	switch {
	case d.NIK != "" && (len(d.NIK) != 16 || strings.Trim(d.NIK, "0123456789") != ""):
		d.Errors["nik"] = v.T("field.nik_format")
	case d.NIK == "" && d.Name == "":
		d.Errors["nik"] = v.T("field.one_of")
	case d.NIK == "":
		q.Name = d.Name
	}
	if len(d.Errors) > 0 {
		render(w, r, http.StatusUnprocessableEntity, keluhanBaru(v, d))
		return
	}
	if d.Found, _, err = h.app.SearchPersons(r.Context(), caller(r), q); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d.Searched = true
	render(w, r, http.StatusOK, keluhanBaru(v, d))
}
