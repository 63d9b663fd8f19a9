package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// holidaysPage is a year's holidays, the form that adds or renames one,
// and the history of the calendar's changes.
type holidaysPage struct {
	Year, Prev, Next string
	Days             []store.Holiday
	Date, Name, Why  string
	Saved            bool
	Errors           map[string]string
	History          []changeRow
}

var holidayFormFields = map[string]string{"/date": "tanggal", "/name": "nama", "/reason": "alasan"}

// holidays lists a year's holidays (?tahun=, this year by default).
func (h *Handler) holidays(w http.ResponseWriter, r *http.Request) {
	year, ok := h.yearOf(w, r)
	if !ok {
		return
	}
	d := &holidaysPage{Saved: r.URL.Query().Has("tersimpan"), Errors: map[string]string{}}
	h.renderHolidays(w, r, http.StatusOK, year, d)
}

func (h *Handler) renderHolidays(w http.ResponseWriter, r *http.Request, status, year int, d *holidaysPage) {
	v := newPage(r, "catalogue.holidays.title", strconv.Itoa(year))
	d.Year, d.Prev, d.Next = strconv.Itoa(year), strconv.Itoa(year-1), strconv.Itoa(year+1)
	var err error
	if d.Days, err = h.app.Holidays(r.Context(), year); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	changes, err := h.app.CatalogueChanges(r.Context(), caller(r), store.KindHoliday, "", 0, historyPerPage)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d.History = changeRows(v, changes)
	for i := range d.History {
		d.History[i].What += " · " + holidayOf(changes[i])
	}
	render(w, r, status, katalogLibur(v, d))
}

// holidayOf names the day a holiday change is about, as staff write it.
func holidayOf(c store.CatalogueChange) string {
	day, err := time.Parse(time.DateOnly, c.Code)
	if err != nil {
		return c.Code
	}
	return webDay(day)
}

// holidaySave adds or renames a holiday and goes back to its year.
func (h *Handler) holidaySave(w http.ResponseWriter, r *http.Request) {
	in := &usecase.HolidayEdit{Date: r.PostFormValue("tanggal"), Name: r.PostFormValue("nama"), Reason: r.PostFormValue("alasan")}
	_, err := h.app.PutHoliday(r.Context(), caller(r), in)
	if err == nil {
		http.Redirect(w, r, "/katalog/libur?tahun="+in.Date[:4]+"&tersimpan=1", http.StatusSeeOther)
		return
	}
	year := caller(r).Now.Year()
	if day, err := time.Parse(time.DateOnly, in.Date); err == nil {
		year = day.Year()
	}
	d := &holidaysPage{Date: in.Date, Name: in.Name, Why: in.Reason, Errors: map[string]string{}}
	if !fieldProblems(newPage(r, "catalogue.holidays.title", strconv.Itoa(year)), err, d.Errors, holidayFormFields) {
		h.http.Fail(w, r, err)
		return
	}
	h.renderHolidays(w, r, http.StatusUnprocessableEntity, year, d)
}

// holidayDelete removes a holiday and goes back to its year.
func (h *Handler) holidayDelete(w http.ResponseWriter, r *http.Request) {
	date := chi.URLParam(r, "date")
	if err := h.app.DeleteHoliday(r.Context(), caller(r), date, r.PostFormValue("alasan")); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/katalog/libur?tahun="+date[:4]+"&tersimpan=1", http.StatusSeeOther)
}
