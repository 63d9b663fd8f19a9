package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminBackupList lists a kecamatan's database backups, newest first.
func (s *Server) adminBackupList(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code") // the kecamatan administered, not one acted in
	items, err := s.app.Backups(r.Context(), &RequestOf(r).Caller, code)
	if err != nil {
		s.kubeFail(w, r, err, code)
		return
	}
	writeJSON(w, http.StatusOK, Page[*usecase.BackupView]{Items: items})
}

// adminBackupCreate asks the operator for a backup now. The answer is 202:
// the backup's phase says when it is done. With an Idempotency-Key, a
// request sent again answers the same backup.
func (s *Server) adminBackupCreate(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	v, replayed, err := s.app.BackUp(r.Context(), &RequestOf(r).Caller, code, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.kubeFail(w, r, err, code)
		return
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusAccepted, v)
}
