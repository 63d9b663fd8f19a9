package web

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
)

// householdPage is a household (kartu keluarga) as Puskesos staff see it:
// the house, what the registry knows of its welfare, its members (NIK
// masked) and a form to add one.
type householdPage struct {
	kecamatanPage
	*registry.Household
	NoKKMasked    string
	Relationships []string
	Form          map[string]string
	Errors        map[string]string
	// OtherKecamatan hold the new member's NIK: ask to acknowledge.
	OtherKecamatan []string
	IdempotencyKey string
	Added          bool
	Changed        bool // the household's form was just saved
	CanWrite       bool // the caller may change the household
	CanPropose     bool // the caller may draft a proposal about it
	CanOffer       bool // the caller may offer it to another kecamatan
	OfferError     string
	Proposals      []proposalRow
	// Gaps say, in words, which programmes the household is eligible for
	// by its desil but does not receive, or receives above the cut-off.
	Gaps         []string
	History      []changeRow
	OlderHistory string // the ?sebelum= of the older changes, if any
}

// memberFields are the add-member form's fields.
var memberFields = []string{"nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "hubungan"}

// memberFormField names the form's field of each input field.
var memberFormField = map[string]string{"/nik": "nik", "/name": "nama", "/birthPlace": "tempat_lahir", "/birthDate": "tanggal_lahir",
	"/sex": "jenis_kelamin", "/relationship": "hubungan", "/householdId": "hubungan"}

// householdShow is a household's page. Reading it is audited: it is a
// full record.
func (h *Handler) householdShow(w http.ResponseWriter, r *http.Request) {
	d, ok := h.householdOf(w, r)
	if !ok {
		return
	}
	d.Added = r.URL.Query().Get("ditambah") == "1"
	d.Changed = r.URL.Query().Has("diubah")
	v := newPage(r, "household.title", d.NoKKMasked)
	var err error
	if d.History, d.OlderHistory, err = h.householdChanges(r, v, d.ID); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if err = h.householdProposals(r, v, d); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	gaps, err := h.app.HouseholdGaps(r.Context(), d.Household)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d.Gaps = gapSentences(v, gaps)
	render(w, r, http.StatusOK, keluarga(v, d))
}

// householdOf reads the household the path names, audited, into a page.
func (h *Handler) householdOf(w http.ResponseWriter, r *http.Request) (*householdPage, bool) {
	hh, ok := auditedRecord(h, w, r, h.app.Household)
	if !ok {
		return nil, false
	}
	return &householdPage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), nil), Household: hh, NoKKMasked: nik.Mask(hh.NoKK),
		Relationships: registry.Relationships[1:], Form: map[string]string{}, Errors: map[string]string{}, IdempotencyKey: rand.Text(),
		CanWrite: h.may(r, hh.Kelurahan, "penduduk", "write"), CanPropose: h.may(r, hh.Kelurahan, "usulan", "write"),
		CanOffer: h.may(r, hh.Kelurahan, "pindah", "write"), OfferError: r.URL.Query().Get("pindah_galat")}, true
}

// memberCreate adds a person to the household, checked by the registry's
// rules (the NIK against the sex and date of birth); what they refuse is
// shown next to its field. The form's idempotency key makes a double
// submit one member.
func (h *Handler) memberCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := h.householdOf(w, r)
	if !ok {
		return
	}
	v := newPage(r, "household.title", d.NoKKMasked)
	form := url.Values{}
	for _, f := range memberFields {
		d.Form[f] = strings.TrimSpace(r.PostFormValue(f))
		form.Set(f, d.Form[f])
	}
	if key := r.PostFormValue("idempotency_key"); key != "" {
		d.IdempotencyKey = key
	}
	in := &registry.NewPerson{NIK: d.Form["nik"], HouseholdID: d.ID, Relationship: d.Form["hubungan"],
		AcknowledgeOtherKecamatan: r.PostFormValue("pindahan") == "ya",
		PersonFacts: registry.PersonFacts{Name: d.Form["nama"], BirthPlace: d.Form["tempat_lahir"], BirthDate: registry.ParseDate(d.Form["tanggal_lahir"]),
			Sex: strings.ToUpper(d.Form["jenis_kelamin"]), Disabilities: []string{}, ChronicIllnesses: []string{}, Presence: "tinggal"}}
	_, err := h.app.RegisterPerson(r.Context(), caller(r), in, httpapi.Once(r, d.IdempotencyKey, []byte(form.Encode())))
	if err == nil {
		http.Redirect(w, r, householdURL(d.Code, d.ID)+"?ditambah=1#anggota", http.StatusSeeOther)
		return
	}
	status := registerRefusal(v, err, d.Errors, memberFormField, &d.OtherKecamatan)
	if status == 0 {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, status, keluarga(v, d))
}

// householdURL is the web app's page of a household.
func householdURL(code string, id int64) string {
	return "/kecamatan/" + code + "/keluarga/" + strconv.FormatInt(id, 10)
}

// householdProposals lists the proposals about the household, newest
// first, for its page.
func (h *Handler) householdProposals(r *http.Request, v *webPage, d *householdPage) error {
	items, err := h.app.Proposals(r.Context(), caller(r), proposal.Filter{Household: d.ID, Limit: 100})
	for _, p := range items {
		d.Proposals = append(d.Proposals, proposalRowOf(v, d.kecamatanPage, p))
	}
	return err
}
