package web

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usulan"
)

// proposalsPage lists a kecamatan's proposals (usulan) to the national
// registry, with the period open now, the musyawarah held and those late.
type proposalsPage struct {
	kecamatanPage
	Items      []proposalRow
	Status     string
	Statuses   []string
	Open, Next *store.Period
	Meetings   []proposal.Musyawarah
	Late       []proposal.Late
	CanWrite   bool // may draft
	CanDecide  bool // may record a muskel
	NextPage   string
}

// proposalRow is a proposal in a list, in words.
type proposalRow struct {
	ID                                       int64
	Subject, Kind, Status, Kelurahan, Period string
}

const proposalsPerPage = 50

// proposalList is the kecamatan's proposals, newest first, by status.
func (h *Handler) proposalList(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	v := newPage(r, "usulan.title")
	d := &proposalsPage{kecamatanPage: newKecamatanPage(c.Kecamatan(), nil), Status: r.URL.Query().Get("status"),
		CanWrite:  len(h.authz.AllowedWithin(account(r), c.Kecamatan(), "usulan", "write")) > 0,
		CanDecide: len(h.authz.AllowedWithin(account(r), c.Kecamatan(), "usulan", "decide")) > 0}
	for _, s := range usulan.Statuses {
		d.Statuses = append(d.Statuses, string(s))
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("sebelum"), 10, 64)
	items, err := h.app.Proposals(r.Context(), c, proposal.Filter{Status: d.Status, After: before, Limit: proposalsPerPage})
	if err == nil {
		d.Open, d.Next, err = h.app.PeriodsAround(r.Context(), c)
	}
	if err == nil {
		d.Meetings, err = h.app.MusyawarahList(r.Context(), c, "")
	}
	if err == nil {
		d.Late, err = h.app.LateMusyawarah(r.Context(), c)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if len(items) > proposalsPerPage {
		items = items[:proposalsPerPage]
		d.NextPage = query("status", d.Status, "sebelum", strconv.FormatInt(items[len(items)-1].ID, 10))
	}
	for _, p := range items {
		d.Items = append(d.Items, proposalRowOf(v, d.kecamatanPage, p))
	}
	render(w, r, http.StatusOK, usulanDaftar(v, d))
}

func proposalRowOf(v *webPage, k kecamatanPage, p proposal.Summary) proposalRow {
	row := proposalRow{ID: p.ID, Subject: p.Subject, Kind: v.T("usulan.kind." + string(p.Kind)), Status: v.T("usulan.status." + string(p.Status)),
		Kelurahan: k.KelurahanNames[p.Kelurahan], Period: "—"}
	if p.Period != nil {
		row.Period = *p.Period
	}
	return row
}

func proposalURL(code string, id int64) string {
	return "/kecamatan/" + code + "/usulan/" + strconv.FormatInt(id, 10)
}

func musyawarahURL(code string, id int64) string {
	return "/kecamatan/" + code + "/musyawarah/" + strconv.FormatInt(id, 10)
}
