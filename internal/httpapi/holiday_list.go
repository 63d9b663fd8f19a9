package httpapi

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/store"
)

// holidayList lists the holidays service targets skip, of one year with
// ?year=.
func (s *Server) holidayList(w http.ResponseWriter, r *http.Request) {
	year := 0
	if raw := r.URL.Query().Get("year"); raw != "" {
		var err error
		if year, err = strconv.Atoi(raw); err != nil {
			invalid(w, r, FieldError{Field: "year", Code: "holiday.year", Message: "a year such as 2026"})
			return
		}
	}
	days, err := s.store.Holidays(r.Context(), year)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[store.Holiday]{Items: days})
}
