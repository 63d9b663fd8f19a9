package httpapi

import (
	"net/http"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/authz"
)

type kecamatanCreateRequest struct {
	Code          string                 `json:"code"`
	DisplayName   string                 `json:"displayName"`
	Kelurahan     []slrtv1.KelurahanSpec `json:"kelurahan"`
	ReclaimPolicy slrtv1.ReclaimPolicy   `json:"reclaimPolicy"`
}

// adminKecamatanCreate onboards a kecamatan: it creates the Kecamatan
// resource, which the operator then provisions. The answer is 202: watch the
// kecamatan's ready field.
func (s *Server) adminKecamatanCreate(w http.ResponseWriter, r *http.Request) {
	var req kecamatanCreateRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	var errs []FieldError
	if authz.DomainLevel(req.Code) != authz.LevelKecamatan {
		errs = append(errs, FieldError{Field: "/code", Code: "kecamatan.code", Message: "a Kemendagri kecamatan code such as 32.73.03"})
	}
	if name := strings.TrimSpace(req.DisplayName); name == "" || len(name) > 100 {
		errs = append(errs, FieldError{Field: "/displayName", Code: "kecamatan.display_name", Message: "1 to 100 characters"})
	}
	if req.ReclaimPolicy != "" && req.ReclaimPolicy != slrtv1.ReclaimRetain && req.ReclaimPolicy != slrtv1.ReclaimDelete {
		errs = append(errs, FieldError{Field: "/reclaimPolicy", Code: "kecamatan.reclaim_policy", Message: "Retain or Delete"})
	}
	if len(errs) > 0 {
		invalid(w, r, errs...)
		return
	}
	if !s.authz.Allowed(principalFrom(r.Context()).Account.ID, req.Code, "tenant", "write") {
		s.deny(w, r, req.Code)
		return
	}
	kec := &slrtv1.Kecamatan{
		ObjectMeta: metav1.ObjectMeta{Name: "kec-" + strings.ReplaceAll(req.Code, ".", "-")},
		Spec: slrtv1.KecamatanSpec{Code: req.Code, DisplayName: strings.TrimSpace(req.DisplayName), Kelurahan: req.Kelurahan,
			Database: slrtv1.DatabaseSpec{ReclaimPolicy: req.ReclaimPolicy}},
	}
	if existing, err := s.tenants.Kecamatan(r.Context(), req.Code); err == nil {
		problem(w, r, http.StatusConflict, "Kecamatan "+req.Code+" is already onboarded as "+existing.Name+".")
		return
	}
	if err := s.kube.Create(r.Context(), kec); err != nil {
		kubeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, kecamatanView(kec))
}

// kubeProblem answers for a Kubernetes API error: a refused spec is the
// caller's to fix, with the offending fields.
func kubeProblem(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case apierrors.IsAlreadyExists(err):
		problem(w, r, http.StatusConflict, "This kecamatan is already onboarded.")
	case apierrors.IsNotFound(err):
		problem(w, r, http.StatusNotFound, "No such kecamatan.")
	case apierrors.IsInvalid(err):
		var fields []FieldError
		if st, ok := err.(apierrors.APIStatus); ok && st.Status().Details != nil {
			for _, c := range st.Status().Details.Causes {
				fields = append(fields, FieldError{Field: c.Field, Code: string(c.Type), Message: c.Message})
			}
		}
		invalid(w, r, fields...)
	default:
		serverError(w, r, err)
	}
}
