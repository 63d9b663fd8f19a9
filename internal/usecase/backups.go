package usecase

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/casework"
)

// BackupView is one backup of a kecamatan's database as city IT sees it:
// the operator's KecamatanBackup, without where its file lies.
type BackupView struct {
	Name          string     `json:"name"`
	Phase         string     `json:"phase"`
	Message       string     `json:"message,omitempty"`
	Scheduled     bool       `json:"scheduled"`
	RequestedBy   string     `json:"requestedBy,omitempty"`
	SizeBytes     int64      `json:"sizeBytes,omitempty"`
	SHA256        string     `json:"sha256,omitempty"`
	SchemaVersion int64      `json:"schemaVersion,omitempty"`
	Tables        int        `json:"tables,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	CompletedAt   *time.Time `json:"completedAt,omitempty"`
}

// requestedByAnnotation names the account that asked for a backup.
const requestedByAnnotation = "slrt.id/requested-by"

func backupView(b *slrtv1.KecamatanBackup) *BackupView {
	v := &BackupView{
		Name: b.Name, Phase: string(b.Status.Phase), Scheduled: b.Labels[slrtv1.ScheduledByLabel] != "",
		RequestedBy: b.Annotations[requestedByAnnotation], SHA256: b.Status.SHA256,
		SchemaVersion: b.Status.SchemaVersion, Tables: len(b.Status.Tables), CreatedAt: b.CreationTimestamp.Time,
	}
	if v.Phase == "" {
		v.Phase = string(slrtv1.BackupPending)
	}
	if b.Status.Size != nil {
		v.SizeBytes = b.Status.Size.Value()
	}
	if b.Status.CompletedAt != nil && b.Status.Phase == slrtv1.BackupCompleted {
		t := b.Status.CompletedAt.Time
		v.CompletedAt = &t
	}
	if c := meta.FindStatusCondition(b.Status.Conditions, slrtv1.ConditionCompleted); c != nil && c.Status != metav1.ConditionTrue {
		v.Message = c.Message
	}
	return v
}

// Backups lists a kecamatan's backups, newest first.
func (a *App) Backups(ctx context.Context, c *Caller, code string) ([]*BackupView, error) {
	if !a.authz.Allowed(c.Account, code, "tenant", "read") {
		return nil, casework.ErrNotAllowed
	}
	if _, err := a.tenants.Kecamatan(ctx, code); err != nil {
		return nil, err
	}
	var list slrtv1.KecamatanBackupList
	if err := a.kube.List(ctx, &list, client.MatchingLabels{slrtv1.CodeLabel: code}); err != nil {
		return nil, err
	}
	sort.Slice(list.Items, func(i, j int) bool {
		return list.Items[j].CreationTimestamp.Before(&list.Items[i].CreationTimestamp)
	})
	out := make([]*BackupView, len(list.Items))
	for i := range list.Items {
		out[i] = backupView(&list.Items[i])
	}
	return out, nil
}

// BackUp asks the operator for a backup of a kecamatan now. With an
// idempotency key the backup's name comes from the key, so a request sent
// twice asks once; replayed says the backup was asked for before.
func (a *App) BackUp(ctx context.Context, c *Caller, code, key string) (v *BackupView, replayed bool, err error) {
	if !a.authz.Allowed(c.Account, code, "tenant", "write") {
		return nil, false, casework.ErrNotAllowed
	}
	kec, err := a.tenants.Kecamatan(ctx, code)
	if err != nil {
		return nil, false, err
	}
	var random [3]byte
	_, _ = rand.Read(random[:])
	// Without a key, two requests in the same second are two backups.
	suffix := c.Now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(random[:])
	if key != "" {
		sum := sha256.Sum256([]byte(code + "\n" + key))
		suffix = "req-" + hex.EncodeToString(sum[:6])
	}
	b := &slrtv1.KecamatanBackup{
		ObjectMeta: metav1.ObjectMeta{
			Name:        kec.Name + "-" + suffix,
			Labels:      map[string]string{slrtv1.CodeLabel: code},
			Annotations: map[string]string{requestedByAnnotation: c.Username},
		},
		Spec: slrtv1.KecamatanBackupSpec{Kecamatan: kec.Name},
	}
	err = a.kube.Create(ctx, b)
	if apierrors.IsAlreadyExists(err) && key != "" {
		if err := a.kube.Get(ctx, client.ObjectKeyFromObject(b), b); err != nil {
			return nil, false, err
		}
		if b.Spec.Kecamatan != kec.Name {
			return nil, false, &casework.StateError{Message: "A backup of another kecamatan has the name " + b.Name + "."}
		}
		return backupView(b), true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return backupView(b), false, nil
}
