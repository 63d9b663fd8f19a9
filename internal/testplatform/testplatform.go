// Package testplatform starts the platform's own parts for tests that need
// more than one of them: the operator (in process, against the test control
// plane and PostgreSQL) and the API's Kubernetes identity.
package testplatform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/tenantbackup"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/operator"
)

// Names the platform runs under, as the Helm chart sets them.
const (
	Namespace         = "slrt-system"
	AdminSecret       = "slrt-postgres-admin"
	APIServiceAccount = "slrt-api"
)

// Platform is the running operator with clients for the tests.
type Platform struct {
	Scheme *runtime.Scheme
	// Admin is a cluster-admin client, for the test's own setup and checks.
	Admin client.Client
}

// Start creates the platform namespace and the database server's admin
// Secret, and runs the operator until ctx ends (e.Cleanup waits for it).
func Start(ctx context.Context, e *testenv.Env) (*Platform, error) {
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), slrtv1.AddToScheme(scheme)); err != nil {
		return nil, err
	}
	ctrl.SetLogger(testenv.Logger())
	slog.SetDefault(slog.New(testenv.SlogHandler()))
	admin, err := client.New(e.Kube.Config, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	pg := e.Postgres
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace}},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: AdminSecret, Namespace: Namespace},
			StringData: map[string]string{"host": pg.Host, "port": strconv.Itoa(pg.Port),
				"username": pg.User, "password": pg.Password, "sslmode": "disable"},
		},
		&slrtv1.DatabaseServer{
			ObjectMeta: metav1.ObjectMeta{Name: "default"},
			Spec:       slrtv1.DatabaseServerSpec{SecretName: AdminSecret},
		},
	} {
		if err := admin.Create(ctx, obj); err != nil {
			return nil, err
		}
	}
	mgr, err := ctrl.NewManager(e.Kube.Config, operator.ManagerOptions(scheme, operator.ManagerSettings{MetricsAddr: "0", ProbeAddr: "0"}))
	if err != nil {
		return nil, err
	}
	backups, err := os.MkdirTemp("", "slrt-backups-*")
	if err != nil {
		return nil, err
	}
	e.Cleanup(func() { _ = os.RemoveAll(backups) })
	r, err := operator.NewReconciler(mgr, operator.Config{
		PlatformNamespace: Namespace,
		APIServiceAccount: APIServiceAccount, MaxConcurrentReconciles: 4,
		Backups: tenantbackup.Store{Dir: backups}, PGTools: tenantbackup.Tools{BinDir: pg.Bin()},
	})
	if err != nil {
		return nil, err
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "operator stopped:", err)
		}
	}()
	e.Cleanup(func() { <-stopped; r.Close() })
	return &Platform{Scheme: scheme, Admin: admin}, nil
}

// APIConfig returns a client configuration that acts as the API's
// ServiceAccount, after granting it the ClusterRole the chart grants
// (config/rbac/api/role.yaml), and the ClusterRole the operator binds in
// each tenant namespace (config/rbac/credentials-reader.yaml): tests then
// prove the API works with exactly those rights.
func (p *Platform) APIConfig(ctx context.Context, e *testenv.Env) (*rest.Config, error) {
	var roles []*rbacv1.ClusterRole
	for _, file := range []string{"api/role.yaml", "credentials-reader.yaml"} {
		data, err := os.ReadFile(filepath.Join(e.Root, "config", "rbac", file))
		if err != nil {
			return nil, err
		}
		role := &rbacv1.ClusterRole{}
		if err := yaml.Unmarshal(data, role); err != nil {
			return nil, err
		}
		roles = append(roles, role)
	}
	role, reader := roles[0], roles[1]
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: APIServiceAccount, Namespace: Namespace}},
	}
	for _, obj := range []client.Object{role, binding, reader} {
		if err := p.Admin.Create(ctx, obj); err != nil {
			return nil, err
		}
	}
	cfg := rest.CopyConfig(e.Kube.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + Namespace + ":" + APIServiceAccount}
	return cfg, nil
}

// TestNIKIndexKey is the NIK index key of test platforms (a real one comes
// from a Secret).
const TestNIKIndexKey = "test-nik-index-key-0123456789abcdef"

// APIOptions returns the options slrt-api would run with here: an empty
// control database created for it, migrated at start, and the API's
// Kubernetes identity (see APIConfig).
func (p *Platform) APIOptions(ctx context.Context, e *testenv.Env, tenants tenant.Options, httpCfg httpapi.Config) (apiserver.Options, error) {
	admin, err := e.Postgres.Connect(ctx, "postgres")
	if err != nil {
		return apiserver.Options{}, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `CREATE DATABASE slrt_control`); err != nil {
		return apiserver.Options{}, err
	}
	kube, err := p.APIConfig(ctx, e)
	if err != nil {
		return apiserver.Options{}, err
	}
	return apiserver.Options{
		DatabaseURL: e.Postgres.URL(e.Postgres.User, e.Postgres.Password, "slrt_control"),
		Migrate:     true,
		Kube:        kube,
		Tenants:     tenants,
		HTTP:        httpCfg,
		NIKIndexKey: []byte(TestNIKIndexKey),
	}, nil
}

// Onboard applies a Kecamatan for code (kelurahan from the reference data)
// and waits until it is Ready.
func (p *Platform) Onboard(ctx context.Context, code, name string) (*slrtv1.Kecamatan, error) {
	kec := &slrtv1.Kecamatan{Spec: slrtv1.KecamatanSpec{Code: code, DisplayName: name}}
	kec.Name = "kec-" + kec.CodeSlug()
	if err := p.Admin.Create(ctx, kec); err != nil {
		return nil, err
	}
	return kec, p.WaitReady(ctx, kec.Name)
}

// WaitReady waits until the named Kecamatan is Ready.
func (p *Platform) WaitReady(ctx context.Context, name string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		kec := &slrtv1.Kecamatan{}
		err := p.Admin.Get(ctx, client.ObjectKey{Name: name}, kec)
		if err == nil && meta.IsStatusConditionTrue(kec.Status.Conditions, slrtv1.ConditionReady) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kecamatan %s not Ready after a minute (%v): %+v", name, err, kec.Status.Conditions)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
