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
	if err == nil {
		http.Redirect(w, r, "/kecamatan/"+c.Kecamatan()+"/keluhan/baru?penduduk="+strconv.FormatInt(out.ID, 10), http.StatusSeeOther)
		return
	}
	status := registerRefusal(v, err, d.Errors, registerFormField, &d.OtherKecamatan)
	if status == 0 {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, status, keluargaBaru(v, d))
}

// registerRefusal puts what registering a household or person refused
// back on its form: the input's own checks and a No KK or NIK taken here
// next to their fields, a NIK another kecamatan holds into elsewhere (to
// acknowledge the move). It returns the status to show the form again
// with, or 0 for an error that is not about the form.
func registerRefusal(v *webPage, err error, errs, formField map[string]string, elsewhere *[]string) int {
	var conflict *registry.ConflictError
	var other *usecase.OtherKecamatanError
	switch {
	case fieldProblems(v, err, errs, formField):
		return http.StatusUnprocessableEntity
	case errors.As(err, &conflict) && conflict.Field == "/noKK":
		errs["no_kk"] = v.T("register.kk_taken")
	case errors.As(err, &conflict) && conflict.Field == "/nik":
		errs["nik"] = v.T("register.nik_taken")
	case errors.As(err, &other):
		*elsewhere = other.Kecamatan
	default:
		return 0
	}
	return http.StatusConflict
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
