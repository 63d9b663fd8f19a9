package web

import (
	"net/http"
	"strconv"
)

// complaintNew shows the intake page: the search for the resident, or,
// once one is chosen (?penduduk=), the complaint form.
func (h *Handler) complaintNew(w http.ResponseWriter, r *http.Request) {
	v, d, err := h.newIntakePage(r)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if personID, _ := strconv.ParseInt(r.URL.Query().Get("penduduk"), 10, 64); personID > 0 {
		if d.Resident, err = h.app.Resident(r.Context(), caller(r), personID); err != nil {
			h.http.Fail(w, r, err)
			return
		}
	}
	render(w, r, http.StatusOK, keluhanBaru(v, d))
}
