package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// Inbox is a page of an agency's inbox across kecamatan.
type Inbox struct {
	Items      []casework.InboxItem `json:"items"`
	NextCursor string               `json:"nextCursor,omitempty"`
	// Unavailable names the kecamatan whose referrals are missing from this
	// page because their database did not answer.
	Unavailable []Unavailable `json:"unavailable"`
}

// inboxCursor is the position after the last item of a page.
type inboxCursor struct {
	Due       string `json:"d"`
	Kecamatan string `json:"k"`
	ID        int64  `json:"i"`
}

// inboxList is a receiving agency's inbox: the referrals sent to it from
// every kecamatan, soonest completion deadline first, by status, deadline
// (?dueBefore=) or overdue only. Each kecamatan's database is read in
// parallel (bounded); one that does not answer is named in unavailable and
// the rest still served.
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
		after, ok := parseInboxCursor(raw)
		if !ok {
			invalid(w, r, FieldError{Field: "cursor", Code: "page.cursor", Message: "not a cursor this inbox returned"})
			return
		}
		f.After = after
	}
	out, err := s.readInbox(r.Context(), chi.URLParam(r, "agency"), f)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// readInbox reads a page of an agency's inbox from every kecamatan at once.
func (s *Server) readInbox(ctx context.Context, agency string, f casework.InboxFilter) (*Inbox, error) {
	var mu sync.Mutex
	var items []casework.InboxItem
	unavailable, err := s.fanOut(ctx, nil, func(ctx context.Context, code string, conn tenantConn) error {
		got, err := casework.Inbox(ctx, conn, code, agency, f, today())
		if err != nil {
			return err
		}
		mu.Lock()
		items = append(items, got...)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, casework.InboxLess)
	out := &Inbox{Items: items, Unavailable: orNone(unavailable)}
	if len(items) > f.Limit {
		last := items[f.Limit-1]
		out.Items = items[:f.Limit]
		data, _ := json.Marshal(inboxCursor{Due: last.CompletionDue.Format(time.DateOnly), Kecamatan: last.Kecamatan, ID: last.ID})
		out.NextCursor = base64.RawURLEncoding.EncodeToString(data)
	}
	if out.Items == nil {
		out.Items = []casework.InboxItem{}
	}
	return out, nil
}

func parseInboxCursor(raw string) (*casework.InboxItem, bool) {
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, false
	}
	var c inboxCursor
	if json.Unmarshal(data, &c) != nil {
		return nil, false
	}
	due, err := time.Parse(time.DateOnly, c.Due)
	if err != nil {
		return nil, false
	}
	it := &casework.InboxItem{Kecamatan: c.Kecamatan, ID: c.ID}
	it.CompletionDue.Time = due
	return it, true
}

func orNone(u []Unavailable) []Unavailable {
	if u == nil {
		return []Unavailable{}
	}
	return u
}
