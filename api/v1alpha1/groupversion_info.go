// Package v1alpha1 holds the SLRT platform's Kubernetes API: the Kecamatan
// resource through which city IT onboards a tenant, and the DatabaseServer
// resources its databases are placed on.
//
// +kubebuilder:object:generate=true
// +groupName=slrt.id
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the resources in this package.
	GroupVersion = schema.GroupVersion{Group: "slrt.id", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &Kecamatan{}, &KecamatanList{}, &DatabaseServer{}, &DatabaseServerList{},
		&KecamatanBackup{}, &KecamatanBackupList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
