package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/registry"
)

// kelurahanList lists the kelurahan of a kecamatan the caller may see: all of
// them with a grant on the kecamatan or above, else those it is granted in.
func (s *Server) kelurahanList(w http.ResponseWriter, r *http.Request) {
	rq := RequestOf(r)
	items, err := s.app.Kelurahan(r.Context(), &rq.Caller, rq.Domains)
	s.answer(w, r, Page[registry.Kelurahan]{Items: items}, err)
}
