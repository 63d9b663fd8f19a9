package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
)

type holidayPutRequest struct {
	Name string `json:"name"`
}

// holidayDate reads the {date} of a holiday route.
func holidayDate(w http.ResponseWriter, r *http.Request) (time.Time, bool) {
	day, err := time.Parse(time.DateOnly, chi.URLParam(r, "date"))
	if err != nil {
		problem(w, r, http.StatusNotFound, "No such date; write it YYYY-MM-DD.")
		return time.Time{}, false
	}
	return day, true
}

// holidayPut adds or renames a holiday (Dinas Sosial). Deadlines already
// computed stay as they were; new ones skip the day.
func (s *Server) holidayPut(w http.ResponseWriter, r *http.Request) {
	day, ok := holidayDate(w, r)
	if !ok {
		return
	}
	var req holidayPutRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	isNew, err := s.store.PutHoliday(r.Context(), day, req.Name)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, putStatus(isNew), store.Holiday{Date: day.Format(time.DateOnly), Name: req.Name})
}

// holidayDelete removes a holiday.
func (s *Server) holidayDelete(w http.ResponseWriter, r *http.Request) {
	day, ok := holidayDate(w, r)
	if !ok {
		return
	}
	err := s.store.DeleteHoliday(r.Context(), day)
	if errors.Is(err, store.ErrNotFound) {
		problem(w, r, http.StatusNotFound, "That day is not a holiday.")
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
