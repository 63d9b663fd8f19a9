package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
)

// householdEditPage is the form that changes a household's address, its
// house's condition and what it owns and earns, as a home visit finds
// them. Desil and programmes come from the national registry's results
// and are shown, not edited.
type householdEditPage struct {
	kecamatanPage
	*registry.Household
	NoKKMasked string
	Form       map[string]string
	Selects    []houseSelect
	Assets     []checkChoice
	Errors     map[string]string
}

// houseSelect is one of the house's coded facts as a list to choose from.
type houseSelect struct {
	Name, Label string
	Options     []choice
	Value       string
	Unset       bool // not recorded yet: the list offers "not recorded"
}

// houseFact is a coded fact of a house: its form field, where it sits in a
// house and a change, and its values.
type houseFact struct {
	form, pointer string
	values        []string
	of            func(*registry.House) *string
	to            func(*registry.HouseChange) **string
}

var houseFacts = []houseFact{
	{"kepemilikan", "ownership", registry.Ownerships, func(h *registry.House) *string { return h.Ownership }, func(c *registry.HouseChange) **string { return &c.Ownership }},
	{"lantai", "floorMaterial", registry.FloorMaterials, func(h *registry.House) *string { return h.FloorMaterial }, func(c *registry.HouseChange) **string { return &c.FloorMaterial }},
	{"dinding", "wallMaterial", registry.WallMaterials, func(h *registry.House) *string { return h.WallMaterial }, func(c *registry.HouseChange) **string { return &c.WallMaterial }},
	{"atap", "roofMaterial", registry.RoofMaterials, func(h *registry.House) *string { return h.RoofMaterial }, func(c *registry.HouseChange) **string { return &c.RoofMaterial }},
	{"jamban", "toilet", registry.Toilets, func(h *registry.House) *string { return h.Toilet }, func(c *registry.HouseChange) **string { return &c.Toilet }},
	{"air", "waterSource", registry.WaterSources, func(h *registry.House) *string { return h.WaterSource }, func(c *registry.HouseChange) **string { return &c.WaterSource }},
	{"penerangan", "lighting", registry.Lightings, func(h *registry.House) *string { return h.Lighting }, func(c *registry.HouseChange) **string { return &c.Lighting }},
	{"bahan_bakar", "cookingFuel", registry.CookingFuels, func(h *registry.House) *string { return h.CookingFuel }, func(c *registry.HouseChange) **string { return &c.CookingFuel }},
}

// householdEditFields names the form's field of each input field.
var householdEditFields = func() map[string]string {
	m := map[string]string{"/house/rt": "rt", "/house/rw": "rw", "/house/street": "alamat", "/house/floorAreaM2": "luas_lantai",
		"/assets": "aset", "/monthlyIncome": "penghasilan", "/monthlySpending": "pengeluaran", "/reason": "alasan"}
	for _, f := range houseFacts {
		m["/house/"+f.pointer] = f.form
	}
	return m
}()

// householdEdit is the household's form, filled with what the registry
// holds. Reading it is audited, as the household's page is.
func (h *Handler) householdEdit(w http.ResponseWriter, r *http.Request) {
	hh, ok := auditedRecord(h, w, r, h.app.Household)
	if !ok {
		return
	}
	d := newHouseholdEdit(r, hh)
	d.Form["rt"], d.Form["rw"], d.Form["alamat"] = hh.RT, hh.RW, hh.Street
	if hh.FloorAreaM2 != nil {
		d.Form["luas_lantai"] = strconv.FormatFloat(*hh.FloorAreaM2, 'f', -1, 64)
	}
	if hh.MonthlyIncome != nil {
		d.Form["penghasilan"] = strconv.FormatInt(*hh.MonthlyIncome, 10)
	}
	if hh.MonthlySpending != nil {
		d.Form["pengeluaran"] = strconv.FormatInt(*hh.MonthlySpending, 10)
	}
	v := newPage(r, "household.edit_title", d.NoKKMasked)
	d.choices(v, hh.Assets)
	render(w, r, http.StatusOK, keluargaUbah(v, d))
}

func newHouseholdEdit(r *http.Request, hh *registry.Household) *householdEditPage {
	return &householdEditPage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), nil), Household: hh, NoKKMasked: nik.Mask(hh.NoKK),
		Form: map[string]string{}, Errors: map[string]string{}}
}

// choices fills the form's lists with the house's facts and the assets
// ticked.
func (d *householdEditPage) choices(v *webPage, assets []string) {
	d.Selects = d.Selects[:0]
	for _, f := range houseFacts {
		s := houseSelect{Name: f.form, Label: v.T("house." + f.form)}
		if cur := f.of(&d.House); cur != nil {
			s.Value = *cur
		}
		if form, sent := d.Form[f.form]; sent {
			s.Value = form
		}
		s.Unset = s.Value == ""
		for _, value := range f.values {
			s.Options = append(s.Options, choice{Value: value, Words: v.T(f.form + "." + value)})
		}
		d.Selects = append(d.Selects, s)
	}
	d.Assets = d.Assets[:0]
	for _, a := range registry.Assets {
		d.Assets = append(d.Assets, checkChoice{Value: a, Words: v.T("asset." + a), Checked: slices.Contains(assets, a)})
	}
}

// householdUpdate saves the household's form: what was left empty stays
// as it was; what the registry's checks refuse is shown next to its field.
func (h *Handler) householdUpdate(w http.ResponseWriter, r *http.Request) {
	hh, ok := auditedRecord(h, w, r, h.app.Household)
	if !ok {
		return
	}
	d := newHouseholdEdit(r, hh)
	v := newPage(r, "household.edit_title", d.NoKKMasked)
	ch := &registry.HouseholdChange{House: &registry.HouseChange{}}
	text := func(name string) *string {
		d.Form[name] = strings.TrimSpace(r.PostFormValue(name))
		if d.Form[name] == "" {
			return nil
		}
		s := d.Form[name]
		return &s
	}
	ch.House.RT, ch.House.RW, ch.House.Street = text("rt"), text("rw"), text("alamat")
	for _, rtrw := range []*string{ch.House.RT, ch.House.RW} {
		if rtrw != nil {
			*rtrw = pad3(*rtrw)
		}
	}
	for _, f := range houseFacts {
		*f.to(ch.House) = text(f.form)
	}
	if raw := text("luas_lantai"); raw != nil {
		area, err := strconv.ParseFloat(strings.ReplaceAll(*raw, ",", "."), 64)
		if err != nil {
			d.Errors["luas_lantai"] = v.T("household.number")
		}
		ch.House.FloorAreaM2 = &area
	}
	text("penghasilan") // into d.Form, trimmed
	text("pengeluaran")
	ch.MonthlyIncome, ch.MonthlySpending = rupiah(v, d.Form, d.Errors, "penghasilan"), rupiah(v, d.Form, d.Errors, "pengeluaran")
	ch.Assets = append([]string{}, r.PostForm["aset"]...)
	ch.Reason = strings.TrimSpace(r.PostFormValue("alasan"))
	d.Form["alasan"] = ch.Reason
	if len(d.Errors) == 0 {
		_, err := h.app.UpdateHousehold(r.Context(), caller(r), hh.ID, ch)
		if err == nil {
			http.Redirect(w, r, householdURL(d.Code, hh.ID)+"?diubah=1", http.StatusSeeOther)
			return
		}
		if !fieldProblems(v, err, d.Errors, householdEditFields) {
			h.http.Fail(w, r, err)
			return
		}
	}
	d.choices(v, ch.Assets)
	render(w, r, http.StatusUnprocessableEntity, keluargaUbah(v, d))
}

// rupiah reads a form's amount of rupiah (dots and spaces between the
// thousands allowed), nil when it was left empty; one that is not a
// number is noted in errs.
func rupiah(v *webPage, form, errs map[string]string, name string) *int64 {
	raw := form[name]
	if raw == "" {
		return nil
	}
	n, err := strconv.ParseInt(strings.NewReplacer(".", "", " ", "").Replace(raw), 10, 64)
	if err != nil {
		errs[name] = v.T("household.rupiah")
	}
	return &n
}

// houseConditions words what the registry knows of a house's condition,
// for the household's page.
func houseConditions(v *webPage, h *registry.House) string {
	var words []string
	for _, f := range houseFacts {
		if cur := f.of(h); cur != nil {
			words = append(words, v.T("house."+f.form)+": "+v.T(f.form+"."+*cur))
		}
	}
	return joinOrDash(words)
}

// assetWords words a household's assets.
func assetWords(v *webPage, assets []string) string {
	words := make([]string, len(assets))
	for i, a := range assets {
		words[i] = v.T("asset." + a)
	}
	return joinOrDash(words)
}
