package httpapi

import (
	"errors"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/usecase"
)

// adminKecamatanList lists the kecamatan the admin's grants cover, with status.
func (s *Server) adminKecamatanList(w http.ResponseWriter, r *http.Request) {
	items, err := s.app.Kecamatan(r.Context(), &RequestOf(r).Caller)
	s.answer(w, r, Page[*usecase.KecamatanView]{Items: items}, err)
}

// kubeFail answers an administration's error: a refusal is audited in the
// kecamatan administered, and a spec the Kubernetes API refuses is the
// caller's to fix, with the offending fields.
func (s *Server) kubeFail(w http.ResponseWriter, r *http.Request, err error, code string) {
	var st apierrors.APIStatus
	switch {
	case errors.Is(err, casework.ErrNotAllowed):
		s.deny(w, r, code)
	case apierrors.IsAlreadyExists(err):
		problem(w, r, http.StatusConflict, "This kecamatan is already onboarded.")
	case apierrors.IsNotFound(err):
		problem(w, r, http.StatusNotFound, "No such kecamatan.")
	case apierrors.IsInvalid(err):
		var fields []FieldError
		if errors.As(err, &st) && st.Status().Details != nil {
			for _, c := range st.Status().Details.Causes {
				fields = append(fields, FieldError{Field: c.Field, Code: string(c.Type), Message: c.Message})
			}
		}
		invalid(w, r, fields...)
	default:
		s.Fail(w, r, err)
	}
}
