package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminKecamatanUpdate renames, suspends or resumes a kecamatan.
func (s *Server) adminKecamatanUpdate(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code") // the kecamatan administered, not one acted in
	var ch usecase.KecamatanChange
	if !decodeJSON(w, r, &ch) {
		return
	}
	v, err := s.app.UpdateKecamatan(r.Context(), &RequestOf(r).Caller, code, &ch)
	if err != nil {
		s.kubeFail(w, r, err, code)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
