package web

import (
	"crypto/rand"
	"maps"
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// musyawarahFormPage records a musyawarah kelurahan: the meeting, who
// attended, and the decision on each proposal waiting for it.
type musyawarahFormPage struct {
	kecamatanPage
	Kelurahan      string  // the kelurahan whose muskel it is
	Kelurahans     []place // those the koordinator may record for
	Waiting        []proposalRow
	Roles          []choice
	Attendees      int // rows of the attendees' list
	Form           map[string]string
	Errors         map[string]string
	IdempotencyKey string
}

// attendeeRows is how many attendees the form takes.
const attendeeRows = 10

// musyawarahFormFields names the form's field by the input's pointer.
var musyawarahFormFields = func() map[string]string {
	m := map[string]string{"/kelurahan": "kelurahan", "/heldOn": "tanggal", "/place": "tempat", "/chair": "pimpinan",
		"/attendees": "hadir0_nama", "/decisions": "keputusan", "/notes": "catatan"}
	for i := range attendeeRows {
		n := strconv.Itoa(i)
		m["/attendees/"+n+"/name"], m["/attendees/"+n+"/role"] = "hadir"+n+"_nama", "hadir"+n+"_peran"
	}
	return m
}()

// musyawarahNew is the form, for ?kelurahan= (or the koordinator's one
// kelurahan), listing the proposals submitted there.
func (h *Handler) musyawarahNew(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newMusyawarahForm(w, r, r.URL.Query().Get("kelurahan"))
	if !ok {
		return
	}
	d.Form["tanggal"] = caller(r).Today().Format("2006-01-02")
	render(w, r, http.StatusOK, musyawarahBaru(v, d))
}

func (h *Handler) newMusyawarahForm(w http.ResponseWriter, r *http.Request, kelurahan string) (*webPage, *musyawarahFormPage, bool) {
	c := caller(r)
	v := newPage(r, "muskel.new_title")
	d := &musyawarahFormPage{kecamatanPage: newKecamatanPage(c.Kecamatan(), nil), Attendees: attendeeRows, Form: map[string]string{},
		Errors: map[string]string{}, IdempotencyKey: rand.Text()}
	d.Kelurahans = kelurahanIn(d.kecamatanPage, c.Scope)
	d.Kelurahan = kelurahan
	if d.Kelurahan == "" && len(d.Kelurahans) > 0 {
		d.Kelurahan = d.Kelurahans[0].Code
	}
	for _, role := range proposal.AttendeeRoles {
		d.Roles = append(d.Roles, choice{Value: role, Words: v.T("muskel.role." + role)})
	}
	waiting, err := h.app.Proposals(r.Context(), c, proposal.Filter{Status: string(usulan.Submitted), Kelurahan: d.Kelurahan, Limit: 500})
	if err != nil {
		h.http.Fail(w, r, err)
		return nil, nil, false
	}
	for _, p := range waiting {
		d.Waiting = append(d.Waiting, proposalRowOf(v, d.kecamatanPage, p))
	}
	return v, d, true
}

// musyawarahCreate records the muskel the form sent: the proposals marked
// agreed or rejected (with why) move with it; those left undiscussed
// wait. What the checks refuse is shown next to its field.
func (h *Handler) musyawarahCreate(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newMusyawarahForm(w, r, r.PostFormValue("kelurahan"))
	if !ok {
		return
	}
	form := readForm(r, d.Form)
	if key := d.Form["idempotency_key"]; key != "" {
		d.IdempotencyKey = key
	}
	f := d.Form
	m := &proposal.Meeting{Kelurahan: d.Kelurahan, HeldOn: registry.ParseDate(f["tanggal"]), Place: f["tempat"], Chair: f["pimpinan"],
		Notes: f["catatan"], Attendees: []proposal.Attendee{}, Decisions: []proposal.Decision{}}
	for i := range attendeeRows {
		n := strconv.Itoa(i)
		if name := f["hadir"+n+"_nama"]; name != "" {
			m.Attendees = append(m.Attendees, proposal.Attendee{Name: name, Role: f["hadir"+n+"_peran"]})
		}
	}
	for _, p := range d.Waiting {
		n := strconv.FormatInt(p.ID, 10)
		switch f["keputusan_"+n] {
		case "setuju":
			m.Decisions = append(m.Decisions, proposal.Decision{UsulanID: p.ID, Agreed: true})
		case "tolak":
			m.Decisions = append(m.Decisions, proposal.Decision{UsulanID: p.ID, Reason: f["alasan_"+n]})
		}
	}
	out, err := h.app.RecordMusyawarah(r.Context(), caller(r), m, httpapi.Once(r, d.IdempotencyKey, []byte(form.Encode())))
	if err == nil {
		http.Redirect(w, r, musyawarahURL(d.Code, out.ID)+"?dicatat=1", http.StatusSeeOther)
		return
	}
	fields := maps.Clone(musyawarahFormFields)
	for i, dec := range m.Decisions {
		// A decision's problem shows beside its proposal.
		n, id := strconv.Itoa(i), strconv.FormatInt(dec.UsulanID, 10)
		fields["/decisions/"+n+"/reason"], fields["/decisions/"+n+"/usulanId"] = "alasan_"+id, "keputusan_"+id
	}
	if !fieldProblems(v, err, d.Errors, fields) {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusUnprocessableEntity, musyawarahBaru(v, d))
}

// musyawarahPage is a recorded muskel with its decisions and the link to
// its berita acara.
type musyawarahPage struct {
	kecamatanPage
	*proposal.Musyawarah
	Decided  []decidedRow
	Roles    map[string]string
	Recorded bool
}

// decidedRow is a proposal the muskel decided, in words.
type decidedRow struct {
	proposalRow
	Agreed bool
	Reason string
}

// musyawarahShow is a recorded muskel's page.
func (h *Handler) musyawarahShow(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	m, err := h.app.Musyawarah(r.Context(), caller(r), id)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "muskel.title", areaName(m.Kelurahan), m.Period)
	d := &musyawarahPage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), nil), Musyawarah: m, Roles: map[string]string{},
		Recorded: r.URL.Query().Has("dicatat")}
	for _, role := range proposal.AttendeeRoles {
		d.Roles[role] = v.T("muskel.role." + role)
	}
	for _, dec := range m.Decided {
		row := decidedRow{proposalRow: proposalRowOf(v, d.kecamatanPage, dec.Summary), Agreed: dec.Agreed}
		if dec.Reason != nil {
			row.Reason = *dec.Reason
		}
		d.Decided = append(d.Decided, row)
	}
	render(w, r, http.StatusOK, musyawarahDetail(v, d))
}
