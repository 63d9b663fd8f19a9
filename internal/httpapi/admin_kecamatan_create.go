package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminKecamatanCreate onboards a kecamatan: it creates the Kecamatan
// resource, which the operator then provisions. The answer is 202: watch the
// kecamatan's ready field.
func (s *Server) adminKecamatanCreate(w http.ResponseWriter, r *http.Request) {
	var in usecase.NewKecamatan
	if !decodeJSON(w, r, &in) {
		return
	}
	rq := RequestOf(r)
	v, err := s.app.Onboard(r.Context(), &rq.Caller, &in)
	if err != nil {
		s.kubeFail(w, r, err, in.Code)
		return
	}
	writeJSON(w, http.StatusAccepted, v)
}
