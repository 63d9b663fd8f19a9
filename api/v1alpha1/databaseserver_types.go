package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DatabaseServerSpec is a PostgreSQL server that tenant databases may be
// placed on. Its labels (region, tier, ...) are what a Kecamatan's
// spec.database.serverSelector matches.
type DatabaseServerSpec struct {
	// SecretName names the Secret, in the platform's namespace, holding the
	// server's admin connection (keys host, port, username, password and,
	// optionally, database and sslmode). The role needs CREATEROLE and
	// CREATEDB. A CloudNativePG cluster's read-write service and its
	// superuser Secret's keys fit as they are.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	SecretName string `json:"secretName"`

	// Capacity bounds what placement puts on the server. A server at either
	// limit is never chosen; tenants already on it stay.
	// +optional
	Capacity ServerCapacity `json:"capacity,omitempty"`

	// Draining takes the server out of placement: no new tenant is put on
	// it, and the tenants on it that name no server in spec.database.server
	// are moved to the servers placement picks for them.
	// +optional
	Draining bool `json:"draining,omitempty"`
}

// ServerCapacity is how much a database server may hold. Unset means no limit.
type ServerCapacity struct {
	// Tenants is the most tenant databases on the server.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Tenants *int32 `json:"tenants,omitempty"`

	// Storage is the most bytes the server's databases may use together
	// (as pg_database_size counts them).
	// +optional
	Storage *resource.Quantity `json:"storage,omitempty"`
}

// DatabaseServerStatus is what the operator last saw of the server.
type DatabaseServerStatus struct {
	// ObservedGeneration is the spec generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Reachable.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Tenants is how many Kecamatan are placed on the server.
	// +optional
	Tenants int32 `json:"tenants"`

	// SizeUsed is the bytes all databases on the server use.
	// +optional
	SizeUsed *resource.Quantity `json:"sizeUsed,omitempty"`

	// Version is the server's PostgreSQL version (server_version).
	// +optional
	Version string `json:"version,omitempty"`

	// Address is host:port of the server, from its Secret.
	// +optional
	Address string `json:"address,omitempty"`
}

// DatabaseServer is a PostgreSQL server the operator places tenant databases
// on. City IT adds one per server; the operator keeps its status.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:path=databaseservers,singular=databaseserver,scope=Cluster,shortName=dbs,categories=slrt
// +kubebuilder:printcolumn:name="Address",type=string,JSONPath=`.status.address`
// +kubebuilder:printcolumn:name="Reachable",type=string,JSONPath=`.status.conditions[?(@.type=="Reachable")].status`
// +kubebuilder:printcolumn:name="Tenants",type=integer,JSONPath=`.status.tenants`
// +kubebuilder:printcolumn:name="Max",type=integer,JSONPath=`.spec.capacity.tenants`
// +kubebuilder:printcolumn:name="Size",type=string,JSONPath=`.status.sizeUsed`
// +kubebuilder:printcolumn:name="Max Size",type=string,JSONPath=`.spec.capacity.storage`,priority=1
// +kubebuilder:printcolumn:name="Draining",type=boolean,JSONPath=`.spec.draining`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.version`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type DatabaseServer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DatabaseServerSpec   `json:"spec"`
	Status DatabaseServerStatus `json:"status,omitempty"`
}

// DatabaseServerList is a list of DatabaseServer.
//
// +kubebuilder:object:root=true
type DatabaseServerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DatabaseServer `json:"items"`
}

// ConditionReachable is set on a DatabaseServer: True when the operator's
// admin connection answered on its last check.
const ConditionReachable = "Reachable"
