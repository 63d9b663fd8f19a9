package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/tenant"
)

type kecamatanUpdateRequest struct {
	DisplayName *string `json:"displayName,omitempty"`
	Suspended   *bool   `json:"suspended,omitempty"`
}

// adminKecamatanUpdate renames, suspends or resumes a kecamatan.
func (s *Server) adminKecamatanUpdate(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "code")
	var req kecamatanUpdateRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.DisplayName != nil {
		name := strings.TrimSpace(*req.DisplayName)
		if name == "" || len(name) > 100 {
			invalid(w, r, FieldError{Field: "/displayName", Code: "kecamatan.display_name", Message: "1 to 100 characters"})
			return
		}
		req.DisplayName = &name
	}
	if !s.authz.Allowed(principalFrom(r.Context()).Account.ID, code, "tenant", "write") {
		s.deny(w, r, code)
		return
	}
	kec, err := s.tenants.Kecamatan(r.Context(), code)
	if errors.Is(err, tenant.ErrUnknown) {
		problem(w, r, http.StatusNotFound, "No such kecamatan.")
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	spec := map[string]any{}
	if req.DisplayName != nil {
		spec["displayName"] = *req.DisplayName
	}
	if req.Suspended != nil {
		spec["suspended"] = *req.Suspended
	}
	patch, _ := json.Marshal(map[string]any{"spec": spec})
	if err := s.kube.Patch(r.Context(), kec, client.RawPatch(types.MergePatchType, patch)); err != nil {
		kubeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, kecamatanView(kec))
}
