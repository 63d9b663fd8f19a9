package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/registry"
)

// personCreate registers a person into a household. A NIK this kecamatan
// holds is refused with a link to the person; one that another kecamatan
// holds (found through the keyed-hash index) is refused naming the
// kecamatan, unless acknowledgeOtherKecamatan is set.
func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) {
	var in registry.NewPerson
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.RegisterPerson(r.Context(), &RequestOf(r).Caller, &in, once)
	s.answerCreated(w, r, out, err, at(r, "penduduk"))
}
