package usecase

import (
	"context"
	"encoding/json"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
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
	// Server is the DatabaseServer holding the tenant's database.
	Server string `json:"server,omitempty"`
	// BackupSchedule and BackupKeep are the Kecamatan's spec.backup, when set.
	BackupSchedule string `json:"backupSchedule,omitempty"`
	BackupKeep     int32  `json:"backupKeep,omitempty"`
}

func kecamatanView(k *slrtv1.Kecamatan) *KecamatanView {
	v := &KecamatanView{
		Code: k.Spec.Code, DisplayName: k.Spec.DisplayName, Suspended: k.Spec.Suspended,
		SchemaVersion: k.Status.SchemaVersion, KelurahanCount: k.Status.KelurahanCount,
		Namespace: k.Status.Namespace, DatabaseName: k.Status.DatabaseName, Server: k.Status.Server,
	}
	if c := meta.FindStatusCondition(k.Status.Conditions, slrtv1.ConditionReady); c != nil {
		v.Ready, v.Reason, v.Message = c.Status == "True", c.Reason, c.Message
	}
	if b := k.Spec.Backup; b != nil {
		v.BackupSchedule, v.BackupKeep = b.Schedule, b.Keep
	}
	return v
}

// NewKecamatan is a kecamatan to onboard as a tenant.
type NewKecamatan struct {
	Code          string                 `json:"code"`
	DisplayName   string                 `json:"displayName"`
	Kelurahan     []slrtv1.KelurahanSpec `json:"kelurahan"`
	ReclaimPolicy slrtv1.ReclaimPolicy   `json:"reclaimPolicy"`
}

// Validate checks the code, the name and the reclaim policy.
func (in *NewKecamatan) Validate() error {
	var p registry.Problems
	if authz.DomainLevel(in.Code) != authz.LevelKecamatan {
		p.Add("/code", "kecamatan.code", "a Kemendagri kecamatan code such as 32.73.03")
	}
	if name := strings.TrimSpace(in.DisplayName); name == "" || len(name) > 100 {
		p.Add("/displayName", "kecamatan.display_name", "1 to 100 characters")
	}
	if in.ReclaimPolicy != "" && in.ReclaimPolicy != slrtv1.ReclaimRetain && in.ReclaimPolicy != slrtv1.ReclaimDelete {
		p.Add("/reclaimPolicy", "kecamatan.reclaim_policy", "Retain or Delete")
	}
	return p.Err()
}

// KecamatanChange renames, suspends or resumes a kecamatan.
type KecamatanChange struct {
	DisplayName *string `json:"displayName,omitempty"`
	Suspended   *bool   `json:"suspended,omitempty"`
}

// Validate checks a new name.
func (ch *KecamatanChange) Validate() error {
	if ch.DisplayName == nil {
		return nil
	}
	if name := strings.TrimSpace(*ch.DisplayName); name == "" || len(name) > 100 {
		return registry.Invalid("/displayName", "kecamatan.display_name", "1 to 100 characters")
	}
	return nil
}

// Kecamatan lists the kecamatan the caller's grants cover, with status.
func (a *App) Kecamatan(ctx context.Context, c *Caller) ([]*KecamatanView, error) {
	all, err := a.tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	items := []*KecamatanView{}
	for i := range all {
		if a.authz.Allowed(c.Account, all[i].Spec.Code, "tenant", "read") {
			items = append(items, kecamatanView(&all[i]))
		}
	}
	return items, nil
}

// Onboard creates a kecamatan's resource, which the operator then
// provisions; its view says when it is ready. A refused spec is the
// Kubernetes API's *errors.StatusError, naming the fields.
func (a *App) Onboard(ctx context.Context, c *Caller, in *NewKecamatan) (*KecamatanView, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.authz.Allowed(c.Account, in.Code, "tenant", "write") {
		return nil, casework.ErrNotAllowed
	}
	if existing, err := a.tenants.Kecamatan(ctx, in.Code); err == nil {
		return nil, &casework.StateError{Message: "Kecamatan " + in.Code + " is already onboarded as " + existing.Name + "."}
	}
	kec := &slrtv1.Kecamatan{
		ObjectMeta: metav1.ObjectMeta{Name: "kec-" + strings.ReplaceAll(in.Code, ".", "-")},
		Spec: slrtv1.KecamatanSpec{Code: in.Code, DisplayName: strings.TrimSpace(in.DisplayName), Kelurahan: in.Kelurahan,
			Database: slrtv1.DatabaseSpec{ReclaimPolicy: in.ReclaimPolicy}},
	}
	if err := a.kube.Create(ctx, kec); err != nil {
		return nil, err
	}
	return kecamatanView(kec), nil
}

// UpdateKecamatan renames, suspends or resumes a kecamatan.
func (a *App) UpdateKecamatan(ctx context.Context, c *Caller, code string, ch *KecamatanChange) (*KecamatanView, error) {
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	if !a.authz.Allowed(c.Account, code, "tenant", "write") {
		return nil, casework.ErrNotAllowed
	}
	kec, err := a.tenants.Kecamatan(ctx, code)
	if err != nil {
		return nil, err
	}
	spec := map[string]any{}
	if ch.DisplayName != nil {
		spec["displayName"] = strings.TrimSpace(*ch.DisplayName)
	}
	if ch.Suspended != nil {
		spec["suspended"] = *ch.Suspended
	}
	patch, _ := json.Marshal(map[string]any{"spec": spec})
	if err := a.kube.Patch(ctx, kec, client.RawPatch(types.MergePatchType, patch)); err != nil {
		return nil, err
	}
	return kecamatanView(kec), nil
}
