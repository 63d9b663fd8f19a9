package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KecamatanSpec is what city IT asks for when onboarding one kecamatan.
// +kubebuilder:validation:XValidation:rule="!has(self.kelurahan) || self.kelurahan.all(k, k.code.startsWith(self.code + '.'))",message="every kelurahan code starts with the kecamatan code"
type KecamatanSpec struct {
	// Code is the Kemendagri code of the kecamatan, e.g. 32.73.03. It names the
	// tenant's namespace (slrt-32-73-03) and database (slrt_32_73_03), and is
	// the authorisation domain of everything in the tenant, so it cannot change.
	// +kubebuilder:validation:Pattern=`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$`
	// +kubebuilder:validation:MaxLength=8
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="code is immutable"
	Code string `json:"code"`

	// DisplayName is the kecamatan's name as staff write it, e.g. Babakan Ciparay.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	DisplayName string `json:"displayName"`

	// Kelurahan lists the kelurahan of the kecamatan. When empty, the list is
	// taken from the reference data shipped with the operator for Code.
	// +optional
	// +listType=map
	// +listMapKey=code
	// (The largest kecamatan, 95.06.03 in Papua, has 108 desa.)
	// +kubebuilder:validation:MaxItems=250
	Kelurahan []KelurahanSpec `json:"kelurahan,omitempty"`

	// Database says where the tenant's PostgreSQL database lives and what
	// happens to it when the Kecamatan is deleted.
	// +optional
	// +kubebuilder:default={}
	Database DatabaseSpec `json:"database,omitempty"`

	// Quota caps what workloads in the tenant's namespace may request; it maps
	// to the namespace's ResourceQuota.
	// +optional
	// +kubebuilder:default={}
	Quota QuotaSpec `json:"quota,omitempty"`

	// Suspended disables the tenant's database login (ALTER ROLE ... NOLOGIN)
	// and ends its open connections. Data is kept; setting it back to false
	// restores login.
	// +optional
	Suspended bool `json:"suspended,omitempty"`

	// Backup schedules backups of the tenant's database. Without it, backups
	// are taken only on demand (a KecamatanBackup created by hand).
	// +optional
	Backup *BackupSpec `json:"backup,omitempty"`
}

// BackupSpec is a tenant's backup schedule and how many of its backups to keep.
type BackupSpec struct {
	// Schedule says when to take a backup, in cron's five fields ("0 2 * * *"
	// is 02:00 every day) or a descriptor (@daily, @every 6h). Times are UTC
	// unless the schedule starts with CRON_TZ=, e.g. "CRON_TZ=Asia/Jakarta 0 2 * * *".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Schedule string `json:"schedule"`

	// Keep is how many completed scheduled backups to keep; older ones are
	// deleted with their files. Backups created by hand are never deleted by
	// the operator.
	// +optional
	// +kubebuilder:default=7
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	Keep int32 `json:"keep,omitempty"`
}

// KelurahanSpec is one kelurahan of the kecamatan.
type KelurahanSpec struct {
	// Code is the Kemendagri code of the kelurahan, e.g. 32.73.03.1002.
	// +kubebuilder:validation:Pattern=`^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$`
	// +kubebuilder:validation:MaxLength=13
	Code string `json:"code"`

	// Name is the kelurahan's name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=100
	Name string `json:"name"`
}

// ReclaimPolicy says what deleting a Kecamatan does to its database.
// +kubebuilder:validation:Enum=Retain;Delete
type ReclaimPolicy string

const (
	// ReclaimRetain keeps the database and its role, with login disabled.
	ReclaimRetain ReclaimPolicy = "Retain"
	// ReclaimDelete drops the database and its role.
	ReclaimDelete ReclaimPolicy = "Delete"
)

// DatabaseSpec places the tenant's database.
type DatabaseSpec struct {
	// Server names the DatabaseServer the database lives on. When empty, the
	// operator places the tenant by policy (ServerSelector, then the server
	// with the fewest tenants and capacity left) and records its choice in
	// status.server. A server named here is used even when full or draining.
	// Naming another server than status.server later moves the database
	// there (status.move and the Moving condition follow it); so does
	// draining the tenant's server when none is named here.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`
	Server string `json:"server,omitempty"`

	// ServerSelector limits placement to the DatabaseServers whose labels
	// match, e.g. a region or a tier. Unused when Server is set.
	// +optional
	ServerSelector *metav1.LabelSelector `json:"serverSelector,omitempty"`

	// ReclaimPolicy is Retain (keep the database, disable its login) or Delete
	// (drop database and role) when the Kecamatan is deleted.
	// +optional
	// +kubebuilder:default=Retain
	ReclaimPolicy ReclaimPolicy `json:"reclaimPolicy,omitempty"`

	// RestoreFrom names a completed KecamatanBackup of the same kecamatan
	// code. When the operator creates the tenant's database (a new
	// Kecamatan, or one whose database was lost or moved aside), it fills it
	// from this backup instead of leaving it empty, and checks every table
	// against the backup's fingerprints before the database takes its name.
	// An existing database is never overwritten.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	RestoreFrom string `json:"restoreFrom,omitempty"`
}

// QuotaSpec holds the hard limits of the tenant namespace's ResourceQuota.
type QuotaSpec struct {
	// RequestsCPU maps to requests.cpu.
	// +optional
	// +kubebuilder:default="2"
	RequestsCPU *resource.Quantity `json:"requestsCPU,omitempty"`

	// RequestsMemory maps to requests.memory.
	// +optional
	// +kubebuilder:default="4Gi"
	RequestsMemory *resource.Quantity `json:"requestsMemory,omitempty"`

	// LimitsCPU maps to limits.cpu.
	// +optional
	// +kubebuilder:default="4"
	LimitsCPU *resource.Quantity `json:"limitsCPU,omitempty"`

	// LimitsMemory maps to limits.memory.
	// +optional
	// +kubebuilder:default="8Gi"
	LimitsMemory *resource.Quantity `json:"limitsMemory,omitempty"`

	// RequestsStorage maps to requests.storage (all persistent volume claims).
	// +optional
	// +kubebuilder:default="20Gi"
	RequestsStorage *resource.Quantity `json:"requestsStorage,omitempty"`

	// Pods maps to pods.
	// +optional
	// +kubebuilder:default=20
	// +kubebuilder:validation:Minimum=0
	Pods *int32 `json:"pods,omitempty"`
}

// KecamatanStatus is what the operator observed and did.
type KecamatanStatus struct {
	// ObservedGeneration is the spec generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Placed, NamespaceReady, DatabaseReady, SchemaReady and Ready.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Namespace is the tenant's namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// Server is the DatabaseServer holding the tenant's database: the one
	// spec.database.server names, or the one placement chose (the Placed
	// condition says why). Once set it does not change.
	// +optional
	Server string `json:"server,omitempty"`

	// DatabaseName is the tenant's PostgreSQL database; its role has the same name.
	// +optional
	DatabaseName string `json:"databaseName,omitempty"`

	// CredentialsSecret names the Secret, in Namespace, that holds the
	// tenant's database connection (keys host, port, dbname, username,
	// password, uri).
	// +optional
	CredentialsSecret string `json:"credentialsSecret,omitempty"`

	// CredentialsVersion is the resourceVersion of the credentials Secret whose
	// password was last set on the database role; a new or edited Secret
	// differs, and its password is applied on the next pass.
	// +optional
	CredentialsVersion string `json:"credentialsVersion,omitempty"`

	// SchemaVersion is the tenant schema version applied to the database.
	// +optional
	SchemaVersion int64 `json:"schemaVersion,omitempty"`

	// KelurahanCount is how many kelurahan the tenant database holds.
	// +optional
	KelurahanCount int32 `json:"kelurahanCount,omitempty"`

	// RestoredFrom names the KecamatanBackup the database was last filled from.
	// +optional
	RestoredFrom string `json:"restoredFrom,omitempty"`

	// Move is the move of the database to another server under way, kept
	// here step by step so that an operator restarted midway goes on where
	// it stopped.
	// +optional
	Move *MoveStatus `json:"move,omitempty"`
}

// MoveStatus is a move of a tenant's database between servers.
type MoveStatus struct {
	// From and To are DatabaseServer names.
	From string `json:"from"`
	To   string `json:"to"`
	// Step is the step under way: PausingWrites, Copying, Switching or
	// ReleasingOld; Failed when the copy did not match.
	Step string `json:"step"`
	// StartedAt is when the move began.
	StartedAt metav1.Time `json:"startedAt"`
	// Generation is the spec generation the move began under; a failed move
	// is tried again only once the spec changes.
	// +optional
	Generation int64 `json:"generation,omitempty"`
}

// Kecamatan is one tenant of the SLRT platform: a kecamatan with its
// kelurahan, its namespace and its own PostgreSQL database.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=kecamatan,singular=kecamatan,scope=Cluster,shortName=kec,categories=slrt
// +kubebuilder:printcolumn:name="Code",type=string,JSONPath=`.spec.code`
// +kubebuilder:printcolumn:name="Name",type=string,JSONPath=`.spec.displayName`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Server",type=string,JSONPath=`.status.server`
// +kubebuilder:printcolumn:name="Schema",type=integer,JSONPath=`.status.schemaVersion`
// +kubebuilder:printcolumn:name="Moving To",type=string,JSONPath=`.status.move.to`,priority=1
// +kubebuilder:printcolumn:name="Move Step",type=string,JSONPath=`.status.move.step`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Kecamatan struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   KecamatanSpec   `json:"spec"`
	Status KecamatanStatus `json:"status,omitempty"`
}

// KecamatanList is a list of Kecamatan.
//
// +kubebuilder:object:root=true
type KecamatanList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Kecamatan `json:"items"`
}
