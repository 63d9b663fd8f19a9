package httpapi

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintList lists complaints newest first, by status, kelurahan and
// category; the person's NIK is masked and no free text is shown.
func (s *Server) complaintList(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := idPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := casework.ComplaintFilter{Status: q.Get("status"), Kelurahan: q.Get("kelurahan"), Category: q.Get("category"), After: after, Limit: limit}
	items, err := s.app.Complaints(r.Context(), &RequestOf(r).Caller, f)
	s.answer(w, r, pageOf(items, limit, func(c casework.ComplaintSummary) string { return strconv.FormatInt(c.ID, 10) }), err)
}
