package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// categoriesPage lists the complaint categories in the order intake
// offers them, with the form that adds one.
type categoriesPage struct {
	Categories []store.Category
	Form       *categoryForm
}

// categoryForm adds a category (New) or changes one, with its history.
type categoryForm struct {
	New                       bool
	Code, Name, Position, Why string
	Active, Saved             bool
	Errors                    map[string]string
	History                   []changeRow
}

var categoryFormFields = map[string]string{"/code": "kode", "/name": "nama", "/position": "urutan", "/reason": "alasan"}

// categories lists the complaint categories.
func (h *Handler) categories(w http.ResponseWriter, r *http.Request) {
	h.renderCategories(w, r, http.StatusOK, &categoryForm{New: true, Active: true, Errors: map[string]string{}})
}

func (h *Handler) renderCategories(w http.ResponseWriter, r *http.Request, status int, f *categoryForm) {
	cats, err := h.app.Categories(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, status, katalogKategori(newPage(r, "catalogue.categories.title"), &categoriesPage{Categories: cats, Form: f}))
}

// categoryShow is a category's form with its history.
func (h *Handler) categoryShow(w http.ResponseWriter, r *http.Request) {
	cat, err := h.app.Category(r.Context(), chi.URLParam(r, "category"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "catalogue.category.title", cat.Name)
	f := &categoryForm{Code: cat.Code, Name: cat.Name, Position: strconv.Itoa(cat.Position), Active: cat.Active,
		Saved: r.URL.Query().Has("tersimpan"), Errors: map[string]string{}}
	if err := h.history(r, v, store.KindCategory, cat.Code, &f.History); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusOK, katalogKategoriSatu(v, f))
}

// categoryCreate adds a category; a code already used is refused unless
// the category is just what the form says (the form sent twice).
func (h *Handler) categoryCreate(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "catalogue.categories.title")
	in, f := categoryInput(r, v, strings.ToUpper(strings.TrimSpace(r.PostFormValue("kode"))))
	f.New = true
	if old, err := h.app.Category(r.Context(), in.Code); err == nil {
		if old.Name == strings.TrimSpace(in.Name) && old.Position == in.Position && old.Active == in.Active {
			http.Redirect(w, r, categoryURL(in.Code)+"?tersimpan=1", http.StatusSeeOther)
			return
		}
		f.Errors["kode"] = v.T("catalogue.code_taken")
	}
	if h.saveCategory(w, r, v, in, f) {
		h.renderCategories(w, r, http.StatusUnprocessableEntity, f)
	}
}

// categorySave changes a category.
func (h *Handler) categorySave(w http.ResponseWriter, r *http.Request) {
	cat, err := h.app.Category(r.Context(), chi.URLParam(r, "category"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "catalogue.category.title", cat.Name)
	in, f := categoryInput(r, v, cat.Code)
	if !h.saveCategory(w, r, v, in, f) {
		return
	}
	if err := h.history(r, v, store.KindCategory, cat.Code, &f.History); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusUnprocessableEntity, katalogKategoriSatu(v, f))
}

// saveCategory saves what a category's form sent and goes to its page; it
// reports true when the form is to be shown again with what was refused.
func (h *Handler) saveCategory(w http.ResponseWriter, r *http.Request, v *webPage, in *usecase.CategoryEdit, f *categoryForm) bool {
	if len(f.Errors) > 0 {
		return true
	}
	_, err := h.app.PutCategory(r.Context(), caller(r), in)
	switch {
	case err == nil:
		http.Redirect(w, r, categoryURL(in.Code)+"?tersimpan=1", http.StatusSeeOther)
		return false
	case fieldProblems(v, err, f.Errors, categoryFormFields):
		return true
	default:
		h.http.Fail(w, r, err)
		return false
	}
}

func categoryInput(r *http.Request, v *webPage, code string) (*usecase.CategoryEdit, *categoryForm) {
	f := &categoryForm{Code: code, Name: r.PostFormValue("nama"), Position: strings.TrimSpace(r.PostFormValue("urutan")),
		Active: r.PostFormValue("aktif") != "", Why: r.PostFormValue("alasan"), Errors: map[string]string{}}
	in := &usecase.CategoryEdit{Category: store.Category{Code: code, Name: f.Name, Active: f.Active}, Reason: f.Why}
	if f.Position == "" {
		f.Position = "0"
	}
	n, err := strconv.Atoi(f.Position)
	if err != nil {
		f.Errors["urutan"] = v.T("catalogue.position_number")
	}
	in.Position = n
	return in, f
}

func categoryURL(code string) string { return "/katalog/kategori/" + code }

// categoryAction is where a category's form goes.
func categoryAction(f *categoryForm) string {
	if f.New {
		return "/katalog/kategori"
	}
	return categoryURL(f.Code)
}
