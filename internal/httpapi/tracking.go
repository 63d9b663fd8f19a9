package httpapi

import (
	_ "embed"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// trackingShow answers the public: status and dates of a referral by its
// tracking code, as JSON. Rate-limited per client address.
func (s *Server) trackingShow(w http.ResponseWriter, r *http.Request) {
	tr, err := s.app.Track(r.Context(), chi.URLParam(r, "trackingCode"))
	switch {
	case errors.Is(err, casework.ErrNotFound):
		problem(w, r, http.StatusNotFound, "Kode lacak tidak ditemukan. / No referral has this tracking code.")
	case err != nil:
		w.Header().Set("Retry-After", "30")
		problem(w, r, http.StatusServiceUnavailable, "Status belum dapat ditampilkan; coba lagi nanti. / Try again later.")
	default:
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, tr)
	}
}
