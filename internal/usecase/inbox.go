package usecase

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
)

// Inbox is a page of an agency's inbox across kecamatan.
type Inbox = Across[casework.InboxItem]

// inboxCursor is the position after the last item of a page.
type inboxCursor struct {
	Due       string `json:"d"`
	Kecamatan string `json:"k"`
	ID        int64  `json:"i"`
}

// AgencyInbox reads a page of a receiving agency's inbox: the referrals
// sent to it from every kecamatan, soonest completion deadline first. Each
// kecamatan's database is read in parallel (bounded); one that does not
// answer is named in Unavailable and the rest still served.
func (a *App) AgencyInbox(ctx context.Context, c *Caller, agency string, f casework.InboxFilter) (*Inbox, error) {
	items, unavailable, err := gather(ctx, a, nil, func(ctx context.Context, code string, cn conn) ([]casework.InboxItem, error) {
		return casework.Inbox(ctx, cn, code, agency, f, c.Today())
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

// ParseInboxCursor reads a cursor AgencyInbox returned, or reports false.
func ParseInboxCursor(raw string) (*casework.InboxItem, bool) {
	data, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, false
	}
	var cur inboxCursor
	if json.Unmarshal(data, &cur) != nil {
		return nil, false
	}
	due, err := time.Parse(time.DateOnly, cur.Due)
	if err != nil {
		return nil, false
	}
	it := &casework.InboxItem{Kecamatan: cur.Kecamatan, ID: cur.ID}
	it.CompletionDue.Time = due
	return it, true
}

// AgencyReferral is one referral of the caller's kecamatan as the agency
// it is addressed to sees it: documents, history, and of the resident only
// the fields the service shares. It carries personal data: the caller
// audits the read.
func (a *App) AgencyReferral(ctx context.Context, c *Caller, agency string, id int64) (*casework.AgencyReferral, error) {
	return readOne(ctx, a, c, func(cn conn) (*casework.AgencyReferral, error) {
		return casework.GetForAgency(ctx, cn, c.Kecamatan(), agency, id, c.Today())
	})
}
