package httpapi

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/casework"
)

// referralList lists the kecamatan's referrals newest first, by status,
// kelurahan, agency, or only those past a target (?overdue=true).
func (s *Server) referralList(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := idPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := casework.ReferralFilter{Status: q.Get("status"), Kelurahan: q.Get("kelurahan"), Agency: q.Get("agency"),
		Overdue: q.Get("overdue") == "true", After: after, Limit: limit}
	items, err := s.app.Referrals(r.Context(), &RequestOf(r).Caller, f)
	s.answer(w, r, pageOf(items, limit, func(c casework.ReferralSummary) string { return strconv.FormatInt(c.ID, 10) }), err)
}
