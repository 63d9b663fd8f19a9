package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/usecase"
)

// inboxList is a receiving agency's inbox: the referrals sent to it from
// every kecamatan, soonest completion deadline first, 50 a page; a
// kecamatan whose database did not answer is named.
func (h *Handler) inboxList(w http.ResponseWriter, r *http.Request) {
	const limit = 50
	q := r.URL.Query()
	f := casework.InboxFilter{Status: q.Get("status"), Overdue: q.Get("terlambat") == "1", Limit: limit}
	if !rujukan.Valid(rujukan.Status(f.Status)) || f.Status == string(rujukan.Draft) {
		f.Status = ""
	}
	if raw := q.Get("setelah"); raw != "" {
		f.After, _ = usecase.ParseInboxCursor(raw)
	}
	inbox, err := h.app.AgencyInbox(r.Context(), caller(r), httpapi.RequestOf(r).Agency, f)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	next := ""
	if inbox.NextCursor != "" {
		overdue := ""
		if f.Overdue {
			overdue = "1"
		}
		next = query("setelah", inbox.NextCursor, "status", f.Status, "terlambat", overdue)
	}
	render(w, r, http.StatusOK, rujukanMasuk(newPage(r, "inbox.title"), &inboxListPage{h.agencyPage(r), inbox.Items,
		rujukan.Statuses[1:], f.Status, f.Overdue, next, unavailableNames(inbox.Unavailable)}))
}

// inboxListPage is a page of an agency's inbox, with its filter.
type inboxListPage struct {
	agencyPage
	Items       []casework.InboxItem
	Statuses    []rujukan.Status
	Status      string
	Overdue     bool
	Next        string
	Unavailable string // the kecamatan that did not answer
}
