package operator

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/slrt-id/slrt/internal/wilayah"
)

// ManagerSettings are the process-level settings of the operator's manager.
type ManagerSettings struct {
	MetricsAddr      string
	ProbeAddr        string
	PprofAddr        string // "" or "0": off
	LeaderElection   bool
	LeaderElectionNS string
}

// ManagerOptions returns manager options whose cache holds only the objects
// the operator made (by label), not every Secret and Namespace in the
// cluster, and none of their managed fields: the operator never reads them,
// an update without them keeps the API server's, and with a whole country's
// tenants (eight objects each) they took tens of megabytes.
func ManagerOptions(scheme *runtime.Scheme, s ManagerSettings) ctrl.Options {
	managed := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{managedByLabel: managedByValue})}
	return ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: s.MetricsAddr},
		HealthProbeBindAddress:  s.ProbeAddr,
		PprofBindAddress:        s.PprofAddr,
		LeaderElection:          s.LeaderElection,
		LeaderElectionID:        "slrt-operator.slrt.id",
		LeaderElectionNamespace: s.LeaderElectionNS,
		Cache: cache.Options{DefaultTransform: cache.TransformStripManagedFields(), ByObject: map[client.Object]cache.ByObject{
			&corev1.Namespace{}:           managed,
			&corev1.Secret{}:              managed,
			&corev1.ResourceQuota{}:       managed,
			&corev1.LimitRange{}:          managed,
			&networkingv1.NetworkPolicy{}: managed,
			&rbacv1.RoleBinding{}:         managed,
		}},
	}
}

// NewReconciler builds the Kecamatan reconciler and registers it, and the
// DatabaseServer reconciler sharing its admin pools, with mgr.
func NewReconciler(mgr ctrl.Manager, cfg Config) (*KecamatanReconciler, error) {
	r := &KecamatanReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Recorder:  mgr.GetEventRecorder("slrt-operator"),
		Config:    cfg,
		Reference: wilayah.Default(),
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("while setting up the Kecamatan controller: %w", err)
	}
	servers := &DatabaseServerReconciler{Client: mgr.GetClient(), kec: r}
	if err := servers.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("while setting up the DatabaseServer controller: %w", err)
	}
	backups := &KecamatanBackupReconciler{Client: mgr.GetClient(), kec: r}
	if err := backups.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("while setting up the KecamatanBackup controller: %w", err)
	}
	return r, nil
}
