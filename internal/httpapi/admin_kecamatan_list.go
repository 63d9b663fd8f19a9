package httpapi

import (
	"net/http"

	"k8s.io/apimachinery/pkg/api/meta"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
)

// KecamatanView is a tenant as city IT sees it.
type KecamatanView struct {
	Code           string `json:"code"`
	DisplayName    string `json:"displayName"`
	Ready          bool   `json:"ready"`
	Reason         string `json:"reason,omitempty"`
	Message        string `json:"message,omitempty"`
	Suspended      bool   `json:"suspended"`
	SchemaVersion  int64  `json:"schemaVersion"`
	KelurahanCount int32  `json:"kelurahanCount"`
	Namespace      string `json:"namespace,omitempty"`
	DatabaseName   string `json:"databaseName,omitempty"`
}

func kecamatanView(k *slrtv1.Kecamatan) KecamatanView {
	v := KecamatanView{
		Code: k.Spec.Code, DisplayName: k.Spec.DisplayName, Suspended: k.Spec.Suspended,
		SchemaVersion: k.Status.SchemaVersion, KelurahanCount: k.Status.KelurahanCount,
		Namespace: k.Status.Namespace, DatabaseName: k.Status.DatabaseName,
	}
	if c := meta.FindStatusCondition(k.Status.Conditions, slrtv1.ConditionReady); c != nil {
		v.Ready, v.Reason, v.Message = c.Status == "True", c.Reason, c.Message
	}
	return v
}

// adminKecamatanList lists the kecamatan the admin's grants cover, with status.
func (s *Server) adminKecamatanList(w http.ResponseWriter, r *http.Request) {
	all, err := s.tenants.List(r.Context())
	if err != nil {
		serverError(w, r, err)
		return
	}
	id := principalFrom(r.Context()).Account.ID
	items := []KecamatanView{}
	for i := range all {
		if s.authz.Allowed(id, all[i].Spec.Code, "tenant", "read") {
			items = append(items, kecamatanView(&all[i]))
		}
	}
	writeJSON(w, http.StatusOK, Page[KecamatanView]{Items: items})
}
