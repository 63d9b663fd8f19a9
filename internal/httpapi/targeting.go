package httpapi

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/targeting"
	"github.com/slrt-id/slrt/internal/usecase"
)

// programmeList lists each programme's desil cut-off and the city's quota.
func (s *Server) programmeList(w http.ResponseWriter, r *http.Request) {
	rules, err := s.app.ProgrammeRules(r.Context())
	s.answer(w, r, Page[store.ProgrammeRule]{Items: rules}, err)
}

// programmePut sets a programme's cut-off and quota (Dinas Sosial), as a
// decree changes them.
func (s *Server) programmePut(w http.ResponseWriter, r *http.Request) {
	var in usecase.ProgrammeRuleEdit
	if !decodeJSON(w, r, &in) {
		return
	}
	in.Code = chi.URLParam(r, "programme")
	created, err := s.app.PutProgrammeRule(r.Context(), &RequestOf(r).Caller, &in)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, putStatus(created), store.ProgrammeRule{Code: in.Code, MaxDesil: in.MaxDesil, Quota: in.Quota})
}

// kecamatanTargeting counts, by kelurahan and programme, who is eligible
// but missed and who receives above the cut-off (the caller's kelurahan
// only, for Puskesos staff); JSON, CSV or XLSX.
func (s *Server) kecamatanTargeting(w http.ResponseWriter, r *http.Request) {
	rq := RequestOf(r)
	t, err := s.app.KecamatanTargeting(r.Context(), &rq.Caller)
	if err == nil {
		err = writeTables(w, r, t, t.Tables, "sasaran-"+rq.Kecamatan())
	}
	if err != nil {
		s.Fail(w, r, err)
	}
}

// cityTargeting is the same for the city, by kecamatan, with the totals
// against each programme's quota; cells of 1 to 4 are suppressed.
func (s *Server) cityTargeting(w http.ResponseWriter, r *http.Request) {
	t, err := s.app.CityTargeting(r.Context(), &RequestOf(r).Caller)
	if err == nil {
		err = writeTables(w, r, t, t.Tables, "sasaran-kota")
	}
	if err != nil {
		s.Fail(w, r, err)
	}
}

// targetHouseholds lists the households of a programme's exclusion
// (?jenis=eksklusi) or inclusion (inklusi), ?kelurahan=, by id: names and
// desil, no NIK; the read is audited, as it says who is poor.
func (s *Server) targetHouseholds(w http.ResponseWriter, r *http.Request) {
	limit, after, ok := idPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	items, err := s.app.TargetHouseholds(r.Context(), &RequestOf(r).Caller, usecase.TargetQuery{Programme: q.Get("program"),
		Kind: targeting.Kind(q.Get("jenis")), Kelurahan: q.Get("kelurahan"), After: after, Limit: limit})
	if err == nil {
		err = s.Audit(r)
	}
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(items, limit, func(h targeting.Household) string { return strconv.FormatInt(h.ID, 10) }))
}
