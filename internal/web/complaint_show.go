package web

import (
	"cmp"
	"crypto/rand"
	"errors"
	"net/http"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// caseFilePage is a complaint's case file with what the caller may do.
type caseFilePage struct {
	kecamatanPage
	Complaint                                           *casework.Complaint
	Saved, Referred, Sent, Noted, Closed, Assessed      bool
	Cancelled                                           bool
	CanRefer, CanSend, CanFollowUp, CanClose, CanAssess bool
	CanPropose                                          bool // may propose the resident's household to DTSEN
	// Escalation to Dinas Sosial: the koordinator escalates, Dinas Sosial
	// takes and decides.
	CanEscalate, CanTake, CanDecide bool
	EscalationReasons               []string
	EscalationNote                  string // what was just done, in words
	FollowUpKinds, Outcomes         []string
	DocumentTypes                   []store.DocumentType
	PPKS                            []store.PPKS
	PPKSNames                       map[string]string
	AgencyNames, ServiceNames       map[string]string
	Services                        []store.Service
	Chosen                          *casework.Service
	IdempotencyKey                  string
}

// agencyName names an agency of the catalogue, or gives its code.
func (d *caseFilePage) agencyName(code string) string { return cmp.Or(d.AgencyNames[code], code) }

// complaintShow shows a complaint's case file; reading it is audited, as
// through the API. Staff who may refer see the referral form: first the
// service (?layanan=), then that service's document checklist.
func (h *Handler) complaintShow(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	cat, err := h.app.Catalogue(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := &caseFilePage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), cat.Categories), IdempotencyKey: rand.Text(), Saved: q.Get("tersimpan") == "1",
		Referred: q.Get("dirujuk") == "1", Sent: q.Get("terkirim") == "1", Noted: q.Get("dicatat") == "1", Closed: q.Get("ditutup") == "1",
		Assessed: q.Get("dikaji") == "1", Cancelled: q.Get("dibatalkan") == "1",
		FollowUpKinds: casework.FollowUpKinds, Outcomes: casework.Outcomes}
	d.Services, d.DocumentTypes, d.AgencyNames = cat.ActiveServices(), cat.DocumentTypes, cat.AgencyNames
	d.ServiceNames = map[string]string{}
	for _, svc := range d.Services {
		d.ServiceNames[svc.Code] = svc.Name
	}
	if code := q.Get("layanan"); code != "" {
		if d.Chosen, err = h.app.Service(r.Context(), code); err != nil && !errors.Is(err, usecase.ErrNoSuchService) {
			h.http.Fail(w, r, err)
			return
		}
	}
	if d.Complaint, err = h.app.Complaint(r.Context(), caller(r), id); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if d.PPKS, err = h.app.PPKSCategories(r.Context()); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d.PPKSNames = ppksNames(d.PPKS)
	if err := h.http.Audit(r); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	kel := d.Complaint.Kelurahan
	open := d.Complaint.Status != "ditutup"
	d.CanRefer = open && h.may(r, kel, "rujukan", "write")
	d.CanSend = h.may(r, kel, "rujukan", "decide")
	d.CanFollowUp = open && h.may(r, kel, "keluhan", "write")
	d.CanAssess = d.CanFollowUp
	d.CanPropose = h.may(r, kel, "usulan", "write")
	d.CanClose = open && h.may(r, kel, "keluhan", "close")
	d.EscalationReasons = casework.EscalationReasons
	var current *casework.Escalation
	if n := len(d.Complaint.Escalations); n > 0 && d.Complaint.Escalations[n-1].Status != "diputuskan" {
		current = &d.Complaint.Escalations[n-1]
	}
	d.CanEscalate = open && current == nil && h.may(r, kel, "eskalasi", "write")
	decides := h.may(r, kel, "eskalasi", "decide")
	d.CanTake = decides && current != nil && current.Status == "menunggu"
	d.CanDecide = decides && current != nil && current.Status == "ditangani"
	for flag, key := range map[string]string{"dieskalasi": "escalation.sent", "diambil": "escalation.taken", "diputuskan": "escalation.decided"} {
		if q.Get(flag) == "1" {
			d.EscalationNote = key
		}
	}
	render(w, r, http.StatusOK, keluhanDetail(newPage(r, "complaint.title", d.Complaint.ID), d))
}

// ppksNames maps the PPKS categories' codes to their names.
func ppksNames(cats []store.PPKS) map[string]string {
	out := make(map[string]string, len(cats))
	for _, c := range cats {
		out[c.Code] = c.Name
	}
	return out
}

// namesOf words codes by names, in a line.
func namesOf(codes []string, names map[string]string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = cmp.Or(names[c], c)
	}
	return joinOrDash(out)
}
