package httpapi

import (
	"net/http"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/usecase"
)

// inboxList is a receiving agency's inbox: the referrals sent to it from
// every kecamatan, soonest completion deadline first, by status, deadline
// (?dueBefore=) or overdue only. A kecamatan whose database does not
// answer is named in unavailable and the rest still served.
func (s *Server) inboxList(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := casework.InboxFilter{Status: q.Get("status"), Overdue: q.Get("overdue") == "true", Limit: limit}
	if raw := q.Get("dueBefore"); raw != "" {
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			invalid(w, r, FieldError{Field: "dueBefore", Code: "date", Message: "a date YYYY-MM-DD"})
			return
		}
		f.DueBefore = &d
	}
	if raw := q.Get("cursor"); raw != "" {
		after, ok := usecase.ParseInboxCursor(raw)
		if !ok {
			invalid(w, r, FieldError{Field: "cursor", Code: "page.cursor", Message: "not a cursor this inbox returned"})
			return
		}
		f.After = after
	}
	rq := RequestOf(r)
	out, err := s.app.AgencyInbox(r.Context(), &rq.Caller, rq.Agency, f)
	s.answer(w, r, out, err)
}
