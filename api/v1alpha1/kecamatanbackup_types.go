package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KecamatanBackupSpec names the tenant to back up.
type KecamatanBackupSpec struct {
	// Kecamatan names the Kecamatan whose database is dumped.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="kecamatan is immutable"
	Kecamatan string `json:"kecamatan"`
}

// BackupPhase is where a backup is in its life.
// +kubebuilder:validation:Enum=Pending;Running;Completed;Failed
type BackupPhase string

// Backup phases. Completed and Failed are final.
const (
	BackupPending   BackupPhase = "Pending"
	BackupRunning   BackupPhase = "Running"
	BackupCompleted BackupPhase = "Completed"
	BackupFailed    BackupPhase = "Failed"
)

// TableFingerprint is what a table held when the backup was taken, so that a
// restore can prove it brought back the same rows.
type TableFingerprint struct {
	// Name is the table, schema-qualified.
	Name string `json:"name"`
	// Rows is the table's row count.
	Rows int64 `json:"rows"`
	// Checksum is the MD5 of the table's rows' MD5s in sorted order.
	Checksum string `json:"checksum"`
}

// KecamatanBackupStatus is what the operator did.
type KecamatanBackupStatus struct {
	// Conditions: Completed.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Phase is Pending, Running, Completed or Failed.
	// +optional
	Phase BackupPhase `json:"phase,omitempty"`

	// Code is the kecamatan code of the backed-up tenant; a restore checks it.
	// +optional
	Code string `json:"code,omitempty"`

	// Server and DatabaseName say where the database was.
	// +optional
	Server string `json:"server,omitempty"`
	// +optional
	DatabaseName string `json:"databaseName,omitempty"`

	// SchemaVersion is the tenant schema version of the dumped database.
	// +optional
	SchemaVersion int64 `json:"schemaVersion,omitempty"`

	// File is the dump's path in the backup store (PostgreSQL's custom
	// format, for pg_restore).
	// +optional
	File string `json:"file,omitempty"`

	// Size is the dump's size.
	// +optional
	Size *resource.Quantity `json:"size,omitempty"`

	// SHA256 is the dump's digest, checked before a restore reads it.
	// +optional
	SHA256 string `json:"sha256,omitempty"`

	// Tables fingerprints every table in the same snapshot as the dump.
	// +optional
	Tables []TableFingerprint `json:"tables,omitempty"`

	// Attempts counts the dumps started; one cut short by a crash or a
	// failure is started again from the beginning.
	// +optional
	Attempts int32 `json:"attempts,omitempty"`

	// StartedAt and CompletedAt bound the last attempt.
	// +optional
	StartedAt *metav1.Time `json:"startedAt,omitempty"`
	// +optional
	CompletedAt *metav1.Time `json:"completedAt,omitempty"`
}

// KecamatanBackup is one backup of one tenant's database, taken on demand
// (kubectl create) or by the Kecamatan's spec.backup.schedule. Deleting it
// deletes its file.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=kecamatanbackups,singular=kecamatanbackup,scope=Cluster,shortName=kbak,categories=slrt
// +kubebuilder:printcolumn:name="Kecamatan",type=string,JSONPath=`.spec.kecamatan`
// +kubebuilder:printcolumn:name="Code",type=string,JSONPath=`.status.code`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Size",type=string,JSONPath=`.status.size`
// +kubebuilder:printcolumn:name="Schema",type=integer,JSONPath=`.status.schemaVersion`,priority=1
// +kubebuilder:printcolumn:name="File",type=string,JSONPath=`.status.file`,priority=1
// +kubebuilder:printcolumn:name="Completed",type=date,JSONPath=`.status.completedAt`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type KecamatanBackup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   KecamatanBackupSpec   `json:"spec"`
	Status KecamatanBackupStatus `json:"status,omitempty"`
}

// KecamatanBackupList is a list of KecamatanBackup.
//
// +kubebuilder:object:root=true
type KecamatanBackupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []KecamatanBackup `json:"items"`
}

// ConditionCompleted is set on a KecamatanBackup: True once its dump is
// stored and fingerprinted.
const ConditionCompleted = "Completed"

// ScheduledByLabel is set on a backup made by a Kecamatan's schedule; its
// value is the Kecamatan's name. Retention counts only these.
const ScheduledByLabel = "slrt.id/scheduled-by"

// IsFinal reports whether the backup will not change any more.
func (b *KecamatanBackup) IsFinal() bool {
	return b.Status.Phase == BackupCompleted || b.Status.Phase == BackupFailed
}
