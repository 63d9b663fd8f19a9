package httpapi

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

// periodList lists the city's proposal periods, of one year with ?year=.
func (s *Server) periodList(w http.ResponseWriter, r *http.Request) {
	year := 0
	if raw := r.URL.Query().Get("year"); raw != "" {
		var err error
		if year, err = strconv.Atoi(raw); err != nil {
			invalid(w, r, FieldError{Field: "year", Code: "period.year", Message: "a year such as 2027"})
			return
		}
	}
	periods, err := s.app.Periods(r.Context(), year)
	s.answer(w, r, Page[store.Period]{Items: periods}, err)
}

// periodPut opens or changes a proposal period (Dinas Sosial); closing one
// early is moving its closesOn.
func (s *Server) periodPut(w http.ResponseWriter, r *http.Request) {
	var in usecase.PeriodEdit
	if !decodeJSON(w, r, &in) {
		return
	}
	in.Code = chi.URLParam(r, "period")
	created, err := s.app.PutPeriod(r.Context(), &RequestOf(r).Caller, &in)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, putStatus(created), store.Period{Code: in.Code, Opens: in.OpensOn, Closes: in.ClosesOn, Muskel: in.MuskelBy})
}
