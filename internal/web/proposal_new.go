package web

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// proposalFormPage drafts a proposal. About a registered household it
// offers three forms (a programme, a deactivation, a correction); without
// one, the form of a new household with its head and members.
type proposalFormPage struct {
	kecamatanPage
	Household  *registry.Household // nil: a new household
	InDTSEN    bool                // DTSEN holds the household (it has a DTKS id or desil)
	NoKKMasked string
	Members    []choice // the household's members, NIK masked
	Programmes []string // those it does not receive yet
	Reasons    []choice // why a deactivation
	Kelurahan  []place  // where a new household may be proposed
	Relations  []choice // a new household's members' relationships
	// Complaint is the complaint whose assessment led here, if any.
	Complaint      string
	Kind           string // the form sent, shown again with its problems
	Form           map[string]string
	Errors         map[string]string
	IdempotencyKey string
}

// extraMembers is how many members beyond the head the new household's
// form offers; more are added after the centre registers it.
const extraMembers = 3

// proposalFormFields names a form's field by the input's JSON pointer.
var proposalFormFields = func() map[string]string {
	m := map[string]string{"/programme": "program", "/deactivationReason": "sebab", "/evidence": "bukti", "/reason": "alasan",
		"/personId": "anggota", "/householdChange": "penghasilan", "/personChange": "anggota",
		"/householdChange/monthlyIncome": "penghasilan", "/householdChange/monthlySpending": "pengeluaran",
		"/personChange/name": "nama_baru", "/personChange/occupation": "pekerjaan",
		"/household/noKK": "no_kk", "/household/house/kelurahan": "kelurahan", "/household/house/rt": "rt", "/household/house/rw": "rw",
		"/household/house/street": "alamat", "/household/members": "nik", "/complaintId": "alasan"}
	for i := 0; i <= extraMembers; i++ {
		at, prefix := "/household/members/"+strconv.Itoa(i), memberPrefix(i)
		for pointer, field := range map[string]string{"/nik": "nik", "/name": "nama", "/birthPlace": "tempat_lahir",
			"/birthDate": "tanggal_lahir", "/sex": "jenis_kelamin", "/relationship": "hubungan"} {
			m[at+pointer] = prefix + field
		}
	}
	return m
}()

// memberPrefix names the new household form's fields of member i: the
// head's are the registration form's own (nik, nama, ...).
func memberPrefix(i int) string {
	if i == 0 {
		return ""
	}
	return "anggota" + strconv.Itoa(i) + "_"
}

// proposalNew shows the forms: about ?keluarga= (audited, as the
// household's page is), or for a new household.
func (h *Handler) proposalNew(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newProposalForm(w, r, r.URL.Query().Get("keluarga"), r.URL.Query().Get("keluhan"))
	if !ok {
		return
	}
	render(w, r, http.StatusOK, usulanBaru(v, d))
}

func (h *Handler) newProposalForm(w http.ResponseWriter, r *http.Request, household, complaint string) (*webPage, *proposalFormPage, bool) {
	c := caller(r)
	d := &proposalFormPage{kecamatanPage: newKecamatanPage(c.Kecamatan(), nil), Form: map[string]string{}, Errors: map[string]string{},
		IdempotencyKey: rand.Text(), Complaint: complaint}
	if household == "" {
		v := newPage(r, "usulan.new_household")
		d.Kelurahan = kelurahanIn(d.kecamatanPage, c.Scope)
		for _, rel := range registry.Relationships[1:] {
			d.Relations = append(d.Relations, choice{Value: rel, Words: v.T("relationship." + rel)})
		}
		return v, d, true
	}
	id, err := strconv.ParseInt(household, 10, 64)
	if err != nil {
		h.http.Fail(w, r, registry.ErrNotFound)
		return nil, nil, false
	}
	hh, err := h.app.Household(r.Context(), c, id)
	if err == nil {
		err = h.http.Audit(r)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return nil, nil, false
	}
	d.Household, d.NoKKMasked, d.InDTSEN = hh, nik.Mask(hh.NoKK), hh.DTKSID != nil || hh.Desil != nil
	v := newPage(r, "usulan.new_title", d.NoKKMasked)
	for _, m := range hh.Members {
		d.Members = append(d.Members, choice{Value: strconv.FormatInt(m.PersonID, 10), Words: m.Name + " (" + nik.Mask(m.NIK) + ")"})
	}
	for _, p := range registry.Programmes {
		if !slices.Contains(hh.Programmes, p) {
			d.Programmes = append(d.Programmes, p)
		}
	}
	for _, reason := range usulan.DeactivationReasons {
		d.Reasons = append(d.Reasons, choice{Value: reason, Words: v.T("usulan.deactivation." + reason)})
	}
	return v, d, true
}

// proposalCreate drafts the proposal the form sent (jenis says which), and
// opens it; what the checks refuse is shown next to its field. The form's
// idempotency key makes a double submit one proposal.
func (h *Handler) proposalCreate(w http.ResponseWriter, r *http.Request) {
	v, d, ok := h.newProposalForm(w, r, r.PostFormValue("keluarga"), r.PostFormValue("keluhan"))
	if !ok {
		return
	}
	form := url.Values{}
	for name := range r.PostForm {
		if name != "csrf_token" {
			d.Form[name] = strings.TrimSpace(r.PostFormValue(name))
			form.Set(name, d.Form[name])
		}
	}
	d.Kind = d.Form["jenis"]
	if key := d.Form["idempotency_key"]; key != "" {
		d.IdempotencyKey = key
	}
	in := d.proposal(v)
	c := caller(r)
	if len(d.Errors) == 0 {
		out, err := h.app.DraftProposal(r.Context(), c, in, httpapi.Once(r, d.IdempotencyKey, []byte(form.Encode())))
		if err == nil {
			http.Redirect(w, r, proposalURL(c.Kecamatan(), out.ID)+"?dibuat=1", http.StatusSeeOther)
			return
		}
		if !fieldProblems(v, err, d.Errors, proposalFormFields) {
			h.http.Fail(w, r, err)
			return
		}
	}
	render(w, r, http.StatusUnprocessableEntity, usulanBaru(v, d))
}

// proposal builds the proposal from the form sent; numbers that are not
// numbers are refused here, the rest by the proposal's own checks.
func (d *proposalFormPage) proposal(v *webPage) *proposal.New {
	f := d.Form
	in := &proposal.New{Kind: usulan.Kind(f["jenis"]), Reason: f["alasan"]}
	if d.Complaint != "" {
		if id, err := strconv.ParseInt(d.Complaint, 10, 64); err == nil {
			in.ComplaintID = &id
		}
	}
	if d.Household == nil {
		in.Kind = usulan.NewHousehold
		h := &proposal.NewHousehold{NoKK: f["no_kk"],
			House: registry.House{Kelurahan: f["kelurahan"], RT: pad3(f["rt"]), RW: pad3(f["rw"]), Street: f["alamat"]}}
		for i := 0; i <= extraMembers; i++ {
			p := memberPrefix(i)
			if i > 0 && f[p+"nik"] == "" && f[p+"nama"] == "" {
				continue // a row left empty
			}
			rel := f[p+"hubungan"]
			if i == 0 {
				rel = "kepala_keluarga"
			}
			h.Members = append(h.Members, proposal.ProposedMember{NIK: f[p+"nik"], Relationship: rel,
				PersonFacts: registry.PersonFacts{Name: f[p+"nama"], BirthPlace: f[p+"tempat_lahir"], BirthDate: registry.ParseDate(f[p+"tanggal_lahir"]),
					Sex: strings.ToUpper(f[p+"jenis_kelamin"]), Disabilities: []string{}, ChronicIllnesses: []string{}, Presence: "tinggal"}})
		}
		in.Household = h
		return in
	}
	in.HouseholdID = &d.Household.ID
	if raw := f["anggota"]; raw != "" {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
			in.PersonID = &id
		}
	}
	switch in.Kind {
	case usulan.Programme:
		in.Programme = f["program"]
	case usulan.Deactivation:
		in.DeactivationReason, in.Evidence = f["sebab"], f["bukti"]
	case usulan.Correction:
		if in.PersonID != nil {
			in.PersonChange = &registry.PersonChange{}
			if f["nama_baru"] != "" {
				name := f["nama_baru"]
				in.PersonChange.Name = &name
			}
			if f["pekerjaan"] != "" {
				job := f["pekerjaan"]
				in.PersonChange.Occupation = &job
			}
			return in
		}
		in.HouseholdChange = &registry.HouseholdChange{Socioeconomic: registry.Socioeconomic{
			MonthlyIncome: rupiah(v, f, d.Errors, "penghasilan"), MonthlySpending: rupiah(v, f, d.Errors, "pengeluaran")}}
	}
	return in
}

// formOf is a field of the form sent, when it was kind's form.
func formOf(d *proposalFormPage, kind, name string) string {
	if d.Kind != kind {
		return ""
	}
	return d.Form[name]
}
