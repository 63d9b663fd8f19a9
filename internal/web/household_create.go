package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usecase"
)

// householdCreate registers the household (with a new house) and its head
// in one transaction, then goes on to record the resident's complaint.
// The form is checked by the registry's own rules, as the API's records
// are; what they refuse is shown next to its field.
func (h *Handler) householdCreate(w http.ResponseWriter, r *http.Request) {
	v, d := newRegisterPage(r)
	form := url.Values{}
	for _, f := range registerFields {
		d.Form[f] = strings.TrimSpace(r.PostFormValue(f))
		form.Set(f, d.Form[f])
	}
	d.Acknowledged = r.PostFormValue("pindahan") == "ya"
	if key := r.PostFormValue("idempotency_key"); key != "" {
		d.IdempotencyKey = key
	}
	c := caller(r)
	out, err := h.app.RegisterHouseholdWithHead(r.Context(), c, newHouseholdWithHead(d), httpapi.Once(r, d.IdempotencyKey, []byte(form.Encode())))
	var conflict *registry.ConflictError
	var elsewhere *usecase.OtherKecamatanError
	switch {
	case err == nil:
		http.Redirect(w, r, "/kecamatan/"+c.Kecamatan()+"/keluhan/baru?penduduk="+strconv.FormatInt(out.ID, 10), http.StatusSeeOther)
		return
	case fieldProblems(v, err, d.Errors, registerFormField):
		render(w, r, http.StatusUnprocessableEntity, keluargaBaru(v, d))
		return
	// What the registry refuses goes back to the form, next to its field.
	case errors.As(err, &conflict) && conflict.Field == "/noKK":
		d.Errors["no_kk"] = v.T("register.kk_taken")
	case errors.As(err, &conflict) && conflict.Field == "/nik":
		d.Errors["nik"] = v.T("register.nik_taken")
	case errors.As(err, &elsewhere):
		d.OtherKecamatan = elsewhere.Kecamatan
	default:
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusConflict, keluargaBaru(v, d))
}

// newHouseholdWithHead builds the registry's records from the form: a
// household in a new house, and its head.
func newHouseholdWithHead(d *registerPage) *usecase.NewHouseholdWithHead {
	f := d.Form
	return &usecase.NewHouseholdWithHead{
		Household: registry.NewHousehold{NoKK: f["no_kk"],
			House: &registry.House{Kelurahan: f["kelurahan"], RT: pad3(f["rt"]), RW: pad3(f["rw"]), Street: f["alamat"]}},
		Head: registry.NewPerson{NIK: f["nik"], PersonFacts: registry.PersonFacts{Name: f["nama"], BirthPlace: f["tempat_lahir"],
			BirthDate: registry.ParseDate(f["tanggal_lahir"]), Sex: strings.ToUpper(f["jenis_kelamin"]), Disabilities: []string{}, ChronicIllnesses: []string{}, Presence: "tinggal"},
			Relationship: "kepala_keluarga", AcknowledgeOtherKecamatan: d.Acknowledged},
	}
}

// pad3 writes an RT or RW as the registry keeps it: "3" is "003".
func pad3(s string) string {
	if s != "" && len(s) < 3 {
		return strings.Repeat("0", 3-len(s)) + s
	}
	return s
}
