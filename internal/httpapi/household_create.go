package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/registry"
)

// householdCreate registers a household (KK), in a new house or in the
// house of another household (several KK in one house).
func (s *Server) householdCreate(w http.ResponseWriter, r *http.Request) {
	var in registry.NewHousehold
	once, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	out, err := s.app.RegisterHousehold(r.Context(), &RequestOf(r).Caller, &in, once)
	s.answerCreated(w, r, out, err, at(r, "keluarga"))
}
