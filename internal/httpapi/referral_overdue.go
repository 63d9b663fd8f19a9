package httpapi

import "net/http"

// referralOverdue counts the kecamatan's open and overdue referrals by
// kelurahan and agency, for the supervisor kecamatan.
func (s *Server) referralOverdue(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.Overdue(r.Context(), &RequestOf(r).Caller)
	s.answer(w, r, out, err)
}

// cityOverdue counts open and overdue referrals in every kecamatan the
// caller may see (Dinas Sosial: the city), naming those that did not answer.
func (s *Server) cityOverdue(w http.ResponseWriter, r *http.Request) {
	out, err := s.app.CityOverdue(r.Context(), &RequestOf(r).Caller)
	s.answer(w, r, out, err)
}
