package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// agencyPage is what an agency's pages share.
type agencyPage struct {
	Agency, AgencyName string
}

func (s *Server) agencyPage(r *http.Request) agencyPage {
	a := agencyPage{Agency: chi.URLParam(r, "agency")}
	a.AgencyName = a.Agency
	if name, err := s.store.AgencyName(r.Context(), a.Agency); err == nil {
		a.AgencyName = name
	}
	return a
}

// webInbox is a receiving agency's inbox: the referrals sent to it from
// every kecamatan, soonest completion deadline first, 50 a page; a
// kecamatan whose database did not answer is named.
func (s *Server) webInbox(w http.ResponseWriter, r *http.Request) {
	const limit = 50
	q := r.URL.Query()
	f := casework.InboxFilter{Status: q.Get("status"), Overdue: q.Get("terlambat") == "1", Limit: limit}
	if !rujukan.Valid(rujukan.Status(f.Status)) || f.Status == string(rujukan.Draft) {
		f.Status = ""
	}
	if raw := q.Get("setelah"); raw != "" {
		f.After, _ = parseInboxCursor(raw)
	}
	inbox, err := s.readInbox(r.Context(), chi.URLParam(r, "agency"), f)
	if err != nil {
		serverError(w, r, err)
		return
	}
	next := ""
	if inbox.NextCursor != "" {
		v := url.Values{"setelah": {inbox.NextCursor}}
		if f.Status != "" {
			v.Set("status", f.Status)
		}
		if f.Overdue {
			v.Set("terlambat", "1")
		}
		next = "?" + v.Encode()
	}
	var unavailable []string
	for _, u := range inbox.Unavailable {
		unavailable = append(unavailable, areaName(u.Kecamatan))
	}
	render(w, r, http.StatusOK, "rujukan_masuk", newPage(r, "inbox.title", struct {
		agencyPage
		Items       []casework.InboxItem
		Statuses    []rujukan.Status
		Status      string
		Overdue     bool
		Next        string
		Unavailable string
	}{s.agencyPage(r), inbox.Items, rujukan.Statuses[1:], f.Status, f.Overdue, next, strings.Join(unavailable, ", ")}))
}

// agencyAction is a step the agency may take on a referral from the page.
type agencyAction struct {
	To          rujukan.Status
	NeedsReason bool
}

// webInboxShow is one referral as its agency sees it: documents, history,
// the resident's shared fields, and the steps the agency may take. The
// read is audited, as through the API.
func (s *Server) webInboxShow(w http.ResponseWriter, r *http.Request) {
	s.withAgencyReferral(w, r, func(ref *casework.AgencyReferral) error {
		var actions []agencyAction
		for _, to := range rujukan.Next(rujukan.Status(ref.Status), rujukan.Agency) {
			step, _ := rujukan.Check(rujukan.Status(ref.Status), to, rujukan.Agency)
			actions = append(actions, agencyAction{To: to, NeedsReason: step.NeedsReason})
		}
		code := chi.URLParam(r, "code")
		render(w, r, http.StatusOK, "rujukan_instansi", newPage(r, "inbox.referral", struct {
			agencyPage
			Code, KecamatanName string
			Referral            *casework.AgencyReferral
			Actions             []agencyAction
			Moved               bool
		}{s.agencyPage(r), code, areaName(code), ref, actions, r.URL.Query().Get("diubah") == "1"}, ref.TrackingCode))
		return nil
	})
}

// webInboxTransition moves a referral on the agency's side from the page:
// accept, reject (with the reason), start, complete (with the result) or
// report a failure (with the reason).
func (s *Server) webInboxTransition(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	ch := formChange(r, rujukan.Status(r.PostFormValue("status")))
	s.agencyTransition(w, r, id, &ch, func(tenantConn) error {
		http.Redirect(w, r, "/instansi/"+chi.URLParam(r, "agency")+"/rujukan/"+chi.URLParam(r, "code")+"/"+strconv.FormatInt(id, 10)+"?diubah=1",
			http.StatusSeeOther)
		return nil
	})
}
