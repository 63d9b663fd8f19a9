package httpapi

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/registry"
)

// householdShow returns a household with its house and members' full NIK:
// a full record, so the read is audited (with the X-Purpose header's
// purpose, when given).
func (s *Server) householdShow(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	h, err := s.app.Household(r.Context(), &RequestOf(r).Caller, id)
	s.answerAudited(w, r, h, err)
}

// householdHistory lists a household's recorded changes, newest first,
// paged: the fields before and after hold personal data, so the read is
// audited as the record's is.
func (s *Server) householdHistory(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	limit, before, ok := idPage(w, r)
	if !ok {
		return
	}
	changes, err := s.app.HouseholdHistory(r.Context(), &RequestOf(r).Caller, id, before, limit+1)
	s.answerAudited(w, r, pageOf(changes, limit, func(c registry.Change) string { return strconv.FormatInt(c.ID, 10) }), err)
}
