package web

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// cataloguePage is Dinas Sosial's list of the services Puskesos refer
// residents to, with the links to categories and holidays.
type cataloguePage struct {
	Services []serviceRow
}

type serviceRow struct {
	Code, Name, Agency       string
	ResponseDays, Completion int
	Active                   bool
}

// catalogue lists the services of the catalogue, active ones first.
func (h *Handler) catalogue(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.Catalogue(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d := &cataloguePage{}
	for _, s := range c.Services {
		d.Services = append(d.Services, serviceRow{Code: s.Code, Name: s.Name, Agency: cmp.Or(c.AgencyNames[s.Agency], s.Agency),
			ResponseDays: s.ResponseDays, Completion: s.CompletionDays, Active: s.Active})
	}
	render(w, r, http.StatusOK, katalog(newPage(r, "catalogue.title"), d))
}

// serviceForm is a service's form: blank to create one, filled to change
// one, with its history below.
type serviceForm struct {
	New                                                   bool
	Code, Name, Agency, ResponseDays, CompletionDays, Why string
	Active, Saved                                         bool
	Agencies                                              []choice
	Documents, Shared                                     []checkChoice
	Errors                                                map[string]string
	History                                               []changeRow
}

// checkChoice is a box of a group of checkboxes.
type checkChoice struct {
	Value, Words string
	Checked      bool
}

// serviceFormFields names the form's fields by the input's JSON pointers.
var serviceFormFields = map[string]string{"/code": "kode", "/name": "nama", "/agency": "instansi", "/requiredDocuments": "dokumen",
	"/sharedFields": "data", "/responseDays": "hari_respons", "/completionDays": "hari_selesai", "/reason": "alasan"}

// serviceNew is the blank form that adds a service.
func (h *Handler) serviceNew(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "catalogue.service.new")
	f := &serviceForm{New: true, Active: true, ResponseDays: "3", CompletionDays: "14", Errors: map[string]string{}}
	if err := h.serviceChoices(r, v, f, &store.Service{SharedFields: []string{"nama"}}); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, katalogLayanan(v, f))
}

// serviceShow is a service's form, filled, with its history.
func (h *Handler) serviceShow(w http.ResponseWriter, r *http.Request) {
	svc, err := h.app.CatalogueService(r.Context(), chi.URLParam(r, "service"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "catalogue.service.title", svc.Name)
	f := &serviceForm{Code: svc.Code, Name: svc.Name, Agency: svc.Agency, ResponseDays: strconv.Itoa(svc.ResponseDays),
		CompletionDays: strconv.Itoa(svc.CompletionDays), Active: svc.Active, Saved: r.URL.Query().Has("tersimpan"),
		Errors: map[string]string{}}
	if err := h.serviceChoices(r, v, f, svc); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if err := h.history(r, v, store.KindService, svc.Code, &f.History); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, katalogLayanan(v, f))
}

// serviceCreate adds a service. A code already used is refused, unless the
// service is just what the form says (the same form sent twice).
func (h *Handler) serviceCreate(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "catalogue.service.new")
	in, f := serviceInput(r, v, strings.ToUpper(strings.TrimSpace(r.PostFormValue("kode"))))
	f.New = true
	if old, err := h.app.CatalogueService(r.Context(), in.Code); err == nil {
		if sameService(old, &in.Service) {
			http.Redirect(w, r, serviceURL(in.Code)+"?tersimpan=1", http.StatusSeeOther)
			return
		}
		f.Errors["kode"] = v.T("catalogue.code_taken")
	}
	h.saveService(w, r, v, in, f)
}

// serviceSave changes a service.
func (h *Handler) serviceSave(w http.ResponseWriter, r *http.Request) {
	svc, err := h.app.CatalogueService(r.Context(), chi.URLParam(r, "service"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "catalogue.service.title", svc.Name)
	in, f := serviceInput(r, v, svc.Code)
	h.saveService(w, r, v, in, f)
}

// saveService saves what a service's form sent, or shows the form again
// with what was refused next to its field.
func (h *Handler) saveService(w http.ResponseWriter, r *http.Request, v *webPage, in *usecase.ServiceEdit, f *serviceForm) {
	if len(f.Errors) == 0 {
		_, _, err := h.app.PutService(r.Context(), caller(r), in)
		if err == nil {
			http.Redirect(w, r, serviceURL(in.Code)+"?tersimpan=1", http.StatusSeeOther)
			return
		}
		if !fieldProblems(v, err, f.Errors, serviceFormFields) {
			h.http.Fail(w, r, err)
			return
		}
	}
	if err := h.serviceChoices(r, v, f, &in.Service); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if !f.New {
		if err := h.history(r, v, store.KindService, in.Code, &f.History); err != nil {
			h.http.Fail(w, r, err)
			return
		}
	}
	render(w, r, http.StatusUnprocessableEntity, katalogLayanan(v, f))
}

// serviceInput reads a service's form; a target that is not a number is
// refused at once.
func serviceInput(r *http.Request, v *webPage, code string) (*usecase.ServiceEdit, *serviceForm) {
	f := &serviceForm{Code: code, Name: r.PostFormValue("nama"), Agency: r.PostFormValue("instansi"),
		ResponseDays: strings.TrimSpace(r.PostFormValue("hari_respons")), CompletionDays: strings.TrimSpace(r.PostFormValue("hari_selesai")),
		Active: r.PostFormValue("aktif") != "", Why: r.PostFormValue("alasan"), Errors: map[string]string{}}
	in := &usecase.ServiceEdit{Service: store.Service{Code: code, Name: f.Name, Agency: f.Agency,
		RequiredDocuments: r.PostForm["dokumen"], SharedFields: r.PostForm["data"], Active: f.Active}, Reason: f.Why}
	in.ResponseDays = formDays(v, f.ResponseDays, "hari_respons", f.Errors)
	in.CompletionDays = formDays(v, f.CompletionDays, "hari_selesai", f.Errors)
	return in, f
}

// formDays reads a number of working days from a form.
func formDays(v *webPage, raw, field string, errs map[string]string) int {
	n, err := strconv.Atoi(raw)
	if err != nil {
		errs[field] = v.T("catalogue.days_number")
	}
	return n
}

// serviceChoices fills the form's lists: the agencies, and the document
// types and shared fields with the service's own ticked.
func (h *Handler) serviceChoices(r *http.Request, v *webPage, f *serviceForm, svc *store.Service) error {
	agencies, err := h.app.AgencyNames(r.Context())
	if err != nil {
		return err
	}
	for _, code := range slices.Sorted(maps.Keys(agencies)) {
		f.Agencies = append(f.Agencies, choice{Value: code, Words: agencies[code] + " (" + code + ")"})
	}
	slices.SortStableFunc(f.Agencies, func(a, b choice) int { return strings.Compare(a.Words, b.Words) })
	docs, err := h.app.DocumentTypes(r.Context())
	if err != nil {
		return err
	}
	f.Documents = f.Documents[:0]
	for _, d := range docs {
		f.Documents = append(f.Documents, checkChoice{Value: d.Code, Words: d.Name, Checked: slices.Contains(svc.RequiredDocuments, d.Code)})
	}
	f.Shared = f.Shared[:0]
	for _, field := range usecase.SharableFields {
		f.Shared = append(f.Shared, checkChoice{Value: field, Words: v.T("shared." + field), Checked: slices.Contains(svc.SharedFields, field)})
	}
	return nil
}

// history reads the recorded changes of one catalogue entry for its page.
func (h *Handler) history(r *http.Request, v *webPage, kind, code string, into *[]changeRow) error {
	changes, err := h.app.CatalogueChanges(r.Context(), caller(r), kind, code, 0, historyPerPage)
	if err != nil {
		return err
	}
	*into = changeRows(v, changes)
	return nil
}

// sameService reports whether a saved service is what a form sends.
func sameService(a, b *store.Service) bool {
	return a.Name == strings.TrimSpace(b.Name) && a.Agency == b.Agency && slices.Equal(a.RequiredDocuments, b.RequiredDocuments) &&
		slices.Equal(a.SharedFields, b.SharedFields) && a.ResponseDays == b.ResponseDays && a.CompletionDays == b.CompletionDays &&
		a.Active == b.Active
}

func serviceURL(code string) string { return "/katalog/layanan/" + code }

// serviceAction is where a service's form goes: the list to add one, the
// service's page to change it.
func serviceAction(f *serviceForm) string {
	if f.New {
		return "/katalog/layanan"
	}
	return serviceURL(f.Code)
}
