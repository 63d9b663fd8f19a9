package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

type holidayPutRequest struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// holidayPut adds or renames a holiday (Dinas Sosial). Deadlines already
// computed stay as they were; new ones skip the day.
func (s *Server) holidayPut(w http.ResponseWriter, r *http.Request) {
	var req holidayPutRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	in := &usecase.HolidayEdit{Date: chi.URLParam(r, "date"), Name: req.Name, Reason: req.Reason}
	created, err := s.app.PutHoliday(r.Context(), &RequestOf(r).Caller, in)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, putStatus(created), store.Holiday{Date: in.Date, Name: in.Name})
}

// holidayDelete removes a holiday; ?reason= says why, for its history.
func (s *Server) holidayDelete(w http.ResponseWriter, r *http.Request) {
	err := s.app.DeleteHoliday(r.Context(), &RequestOf(r).Caller, chi.URLParam(r, "date"), r.URL.Query().Get("reason"))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
