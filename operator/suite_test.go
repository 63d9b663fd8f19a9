package operator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/testenv"
)

const (
	platformNamespace = "slrt-system"
	adminSecretName   = "slrt-postgres-admin"
)

var (
	env        *testenv.Env
	k8s        client.Client // reads straight from the API server, never a cache
	reconciler *KecamatanReconciler
	scheme     = runtime.NewScheme()
)

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true, Kube: true}, &env, startOperator))
}

// startOperator runs the operator in this process against the test control
// plane, configured the way the Helm chart configures it.
func startOperator(ctx context.Context, e *testenv.Env) error {
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), slrtv1.AddToScheme(scheme)); err != nil {
		return err
	}
	ctrl.SetLogger(testenv.Logger())
	var err error
	if k8s, err = client.New(e.Kube.Config, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	if err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: platformNamespace}}); err != nil {
		return err
	}
	if err := k8s.Create(ctx, adminSecret(e.Postgres)); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(e.Kube.Config, ManagerOptions(scheme, ManagerSettings{MetricsAddr: "0", ProbeAddr: "0"}))
	if err != nil {
		return err
	}
	reconciler, err = NewReconciler(mgr, Config{
		PlatformNamespace:       platformNamespace,
		Servers:                 map[string]string{"default": adminSecretName},
		APIServiceAccount:       "slrt-api",
		MaxConcurrentReconciles: 4,
	})
	if err != nil {
		return err
	}
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "operator stopped:", err)
		}
	}()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return errors.New("operator cache did not sync")
	}
	return nil
}

func adminSecret(pg *testenv.Postgres) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: adminSecretName, Namespace: platformNamespace},
		StringData: map[string]string{
			"host": pg.Host, "port": strconv.Itoa(pg.Port),
			"username": pg.User, "password": pg.Password, "sslmode": "disable",
		},
	}
}

// newKecamatan returns a Kecamatan for code from the reference data, with
// the reclaim policy given.
func newKecamatan(code string, policy slrtv1.ReclaimPolicy) *slrtv1.Kecamatan {
	kec := &slrtv1.Kecamatan{
		ObjectMeta: metav1.ObjectMeta{Name: "kec-" + code},
		Spec: slrtv1.KecamatanSpec{
			Code: code, DisplayName: "Kecamatan " + code,
			Database: slrtv1.DatabaseSpec{ReclaimPolicy: policy},
		},
	}
	kec.Name = "kec-" + kec.CodeSlug()
	return kec
}

func create(t *testing.T, kec *slrtv1.Kecamatan) *slrtv1.Kecamatan {
	t.Helper()
	if err := k8s.Create(context.Background(), kec); err != nil {
		t.Fatalf("creating Kecamatan %s: %v", kec.Spec.Code, err)
	}
	return kec
}

// eventually retries check until it passes or the timeout runs out. The
// timeout bounds a wait for a state; it asserts nothing about speed.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(t *testing.T, name string) *slrtv1.Kecamatan {
	t.Helper()
	kec := &slrtv1.Kecamatan{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, kec); err != nil {
		t.Fatalf("getting Kecamatan %s: %v", name, err)
	}
	return kec
}

// waitCondition waits until the Kecamatan's condition has status and reason.
func waitCondition(t *testing.T, name, condType string, status metav1.ConditionStatus, reason string) *slrtv1.Kecamatan {
	t.Helper()
	var kec *slrtv1.Kecamatan
	eventually(t, fmt.Sprintf("%s %s=%s (%s)", name, condType, status, reason), func() error {
		kec = get(t, name)
		c := meta.FindStatusCondition(kec.Status.Conditions, condType)
		if c == nil {
			return errors.New("no such condition yet")
		}
		if c.Status != status || (reason != "" && c.Reason != reason) {
			return fmt.Errorf("now %s %s: %s", c.Status, c.Reason, c.Message)
		}
		return nil
	})
	return kec
}

func waitReady(t *testing.T, name string) *slrtv1.Kecamatan {
	t.Helper()
	return waitCondition(t, name, slrtv1.ConditionReady, metav1.ConditionTrue, reasonProvisioned)
}

// tenantURL reads the tenant's connection URI from its credentials Secret.
func tenantURL(t *testing.T, kec *slrtv1.Kecamatan) string {
	t.Helper()
	s := &corev1.Secret{}
	key := client.ObjectKey{Namespace: kec.Status.Namespace, Name: kec.Status.CredentialsSecret}
	if err := k8s.Get(context.Background(), key, s); err != nil {
		t.Fatalf("getting the credentials Secret: %v", err)
	}
	return string(s.Data[credentialsKeyURI])
}

func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, url)
}

func findCondition(kec *slrtv1.Kecamatan, condType string) *metav1.Condition {
	return meta.FindStatusCondition(kec.Status.Conditions, condType)
}

// replaceDatabase points a connection URI at another database.
func replaceDatabase(t *testing.T, raw, db string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	return u.String()
}

func isPgCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}
