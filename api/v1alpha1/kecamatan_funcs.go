package v1alpha1

import (
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
)

// Condition types set on a Kecamatan, one per provisioning step plus Ready.
const (
	ConditionPlaced         = "Placed"
	ConditionNamespaceReady = "NamespaceReady"
	ConditionDatabaseReady  = "DatabaseReady"
	ConditionSchemaReady    = "SchemaReady"
	ConditionReady          = "Ready"
	// ConditionBackupScheduled is set when spec.backup is: whether the
	// schedule is valid, and when the next backup is due.
	ConditionBackupScheduled = "BackupScheduled"
	// ConditionMoving is True while the database is moved to another server
	// (its reason is the step), and False once moved or when a move failed.
	ConditionMoving = "Moving"
)

// CodeLabel is set on every object made for a tenant; its value is the
// kecamatan code, e.g. 32.73.03.
const CodeLabel = "slrt.id/kecamatan"

// CodeSlug is the code with its dots replaced by dashes: 32-73-03.
func (k *Kecamatan) CodeSlug() string { return strings.ReplaceAll(k.Spec.Code, ".", "-") }

// NamespaceName is the tenant's namespace.
func (k *Kecamatan) NamespaceName() string { return "slrt-" + k.CodeSlug() }

// DatabaseName is the tenant's PostgreSQL database, also the name of its role.
func (k *Kecamatan) DatabaseName() string {
	return "slrt_" + strings.ReplaceAll(k.Spec.Code, ".", "_")
}

// IsReady reports whether the Ready condition is True.
func (k *Kecamatan) IsReady() bool {
	return meta.IsStatusConditionTrue(k.Status.Conditions, ConditionReady)
}

// ServerName is the DatabaseServer the tenant's database is on: the one
// placement recorded, or else the one the spec names ("" when not yet placed).
func (k *Kecamatan) ServerName() string {
	if k.Status.Server != "" {
		return k.Status.Server
	}
	return k.Spec.Database.Server
}
