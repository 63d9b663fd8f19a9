package web

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// periodsPage is a year's proposal periods, the form that opens or changes
// one (closing early is an earlier closing day), and their history.
type periodsPage struct {
	Year, Prev, Next string
	Periods          []store.Period
	Form             map[string]string
	Saved            bool
	Errors           map[string]string
	History          []changeRow
}

var periodFormFields = map[string]string{"/code": "kode", "/opensOn": "dibuka", "/closesOn": "ditutup", "/muskelBy": "musyawarah",
	"/reason": "alasan"}

// periods lists a year's proposal periods (?tahun=, this year by default).
func (h *Handler) periods(w http.ResponseWriter, r *http.Request) {
	year, ok := h.yearOf(w, r)
	if !ok {
		return
	}
	h.renderPeriods(w, r, http.StatusOK, year, &periodsPage{Saved: r.URL.Query().Has("tersimpan"), Form: map[string]string{},
		Errors: map[string]string{}})
}

// yearOf reads ?tahun=, this year when absent.
func (h *Handler) yearOf(w http.ResponseWriter, r *http.Request) (int, bool) {
	raw := r.URL.Query().Get("tahun")
	if raw == "" {
		return caller(r).Now.Year(), true
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 2000 || n > 2100 {
		h.http.Fail(w, r, registry.Invalid("tahun", "holiday.year", "a year from 2000 to 2100"))
		return 0, false
	}
	return n, true
}

func (h *Handler) renderPeriods(w http.ResponseWriter, r *http.Request, status, year int, d *periodsPage) {
	v := newPage(r, "period.title", strconv.Itoa(year))
	d.Year, d.Prev, d.Next = strconv.Itoa(year), strconv.Itoa(year-1), strconv.Itoa(year+1)
	var err error
	if d.Periods, err = h.app.Periods(r.Context(), year); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	changes, err := h.app.CatalogueChanges(r.Context(), caller(r), store.KindPeriod, "", 0, historyPerPage)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d.History = changeRows(v, changes)
	for i := range d.History {
		d.History[i].What += " · " + changes[i].Code
	}
	render(w, r, status, periode(v, d))
}

// periodSave opens or changes a period and goes back to its year.
func (h *Handler) periodSave(w http.ResponseWriter, r *http.Request) {
	d := &periodsPage{Form: map[string]string{}, Errors: map[string]string{}}
	for _, f := range periodFormFields {
		d.Form[f] = r.PostFormValue(f)
	}
	in := &usecase.PeriodEdit{Code: d.Form["kode"], OpensOn: d.Form["dibuka"], ClosesOn: d.Form["ditutup"], MuskelBy: d.Form["musyawarah"],
		Reason: d.Form["alasan"]}
	year := caller(r).Now.Year()
	if len(in.Code) >= 4 {
		if n, err := strconv.Atoi(in.Code[:4]); err == nil && n >= 2000 && n <= 2100 {
			year = n
		}
	}
	_, err := h.app.PutPeriod(r.Context(), caller(r), in)
	if err == nil {
		http.Redirect(w, r, "/usulan/periode?tahun="+strconv.Itoa(year)+"&tersimpan=1", http.StatusSeeOther)
		return
	}
	if !fieldProblems(newPage(r, "period.title", strconv.Itoa(year)), err, d.Errors, periodFormFields) {
		h.http.Fail(w, r, err)
		return
	}
	h.renderPeriods(w, r, http.StatusUnprocessableEntity, year, d)
}

// periodsFill opens the year's four default periods (those not set yet).
func (h *Handler) periodsFill(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.PostFormValue("tahun"))
	if err != nil || year < 2000 || year > 2100 {
		h.http.Fail(w, r, registry.Invalid("tahun", "holiday.year", "a year from 2000 to 2100"))
		return
	}
	existing, err := h.app.Periods(r.Context(), year)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	taken := map[string]bool{}
	for _, p := range existing {
		taken[p.Code] = true
	}
	for _, p := range usecase.DefaultPeriods(year) {
		if taken[p.Code] {
			continue
		}
		p.Reason = r.PostFormValue("alasan")
		if _, err := h.app.PutPeriod(r.Context(), caller(r), &p); err != nil {
			h.http.Fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/usulan/periode?tahun="+strconv.Itoa(year)+"&tersimpan=1", http.StatusSeeOther)
}
