package operator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/tenantbackup"
	"github.com/slrt-id/slrt/internal/testenv"
)

const (
	platformNamespace = "slrt-system"
	adminSecretName   = "slrt-postgres-admin"
	defaultServer     = "default"
)

var (
	operatorLogs = &testenv.SyncBuffer{}
	spans        = tracetest.NewSpanRecorder()
	env          *testenv.Env
	k8s          client.Client // reads straight from the API server, never a cache
	reconciler   *KecamatanReconciler
	scheme       = runtime.NewScheme()
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
	// The operator's log lines are kept for the tests that read them, and
	// shown too when SLRT_TEST_LOG is set.
	ctrl.SetLogger(logr.FromSlogHandler(slog.NewJSONHandler(io.MultiWriter(operatorLogs, testenvLogWriter()), nil)))
	// Record the operator's spans (the package's tracer binds to the first
	// provider set).
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
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
	if err := k8s.Create(ctx, &slrtv1.DatabaseServer{
		ObjectMeta: metav1.ObjectMeta{Name: defaultServer},
		Spec:       slrtv1.DatabaseServerSpec{SecretName: adminSecretName},
	}); err != nil {
		return err
	}
	backupDir, err := os.MkdirTemp("", "slrt-backups-*")
	if err != nil {
		return err
	}
	e.Cleanup(func() { _ = os.RemoveAll(backupDir) })
	mgr, err := ctrl.NewManager(e.Kube.Config, ManagerOptions(scheme, ManagerSettings{MetricsAddr: "0", ProbeAddr: "0"}))
	if err != nil {
		return err
	}
	reconciler, err = NewReconciler(mgr, Config{
		PlatformNamespace:       platformNamespace,
		APIServiceAccount:       "slrt-api",
		MaxConcurrentReconciles: 4,
		Backups:                 tenantbackup.Store{Dir: backupDir},
		PGTools:                 tenantbackup.Tools{BinDir: e.Postgres.Bin()},
	})
	if err != nil {
		return err
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "operator stopped:", err)
		}
	}()
	e.Cleanup(func() { <-stopped; reconciler.Close() })
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
// the reclaim policy given, on the test's first database server (naming it
// keeps these tests off the servers the placement tests add).
func newKecamatan(code string, policy slrtv1.ReclaimPolicy) *slrtv1.Kecamatan {
	kec := &slrtv1.Kecamatan{
		ObjectMeta: metav1.ObjectMeta{Name: "kec-" + code},
		Spec: slrtv1.KecamatanSpec{
			Code: code, DisplayName: "Kecamatan " + code,
			Database: slrtv1.DatabaseSpec{Server: defaultServer, ReclaimPolicy: policy},
		},
	}
	kec.Name = "kec-" + kec.CodeSlug()
	return kec
}

func create(t testing.TB, kec *slrtv1.Kecamatan) *slrtv1.Kecamatan {
	t.Helper()
	if err := k8s.Create(context.Background(), kec); err != nil {
		t.Fatalf("creating Kecamatan %s: %v", kec.Spec.Code, err)
	}
	return kec
}

// eventually retries check until it passes or the timeout runs out. The
// timeout bounds a wait for a state; it asserts nothing about speed.
func eventually(t testing.TB, what string, check func() error) {
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

func get(t testing.TB, name string) *slrtv1.Kecamatan {
	t.Helper()
	kec := &slrtv1.Kecamatan{}
	if err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, kec); err != nil {
		t.Fatalf("getting Kecamatan %s: %v", name, err)
	}
	return kec
}

// waitCondition waits until the Kecamatan's condition has status and reason.
func waitCondition(t testing.TB, name, condType string, status metav1.ConditionStatus, reason string) *slrtv1.Kecamatan {
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

func waitReady(t testing.TB, name string) *slrtv1.Kecamatan {
	t.Helper()
	return waitCondition(t, name, slrtv1.ConditionReady, metav1.ConditionTrue, reasonProvisioned)
}

// tenantURL reads the tenant's connection URI from its credentials Secret.
func tenantURL(t testing.TB, kec *slrtv1.Kecamatan) string {
	t.Helper()
	s := &corev1.Secret{}
	key := client.ObjectKey{Namespace: kec.Status.Namespace, Name: kec.Status.CredentialsSecret}
	if err := k8s.Get(context.Background(), key, s); err != nil {
		t.Fatalf("getting the credentials Secret: %v", err)
	}
	return string(s.Data[slrtv1.CredentialsKeyURI])
}

func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, url)
}

// replaceDatabase points a connection URI at another database.
func replaceDatabase(t testing.TB, raw, db string) string {
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

// resourceVersions returns the resourceVersion of the Kecamatan and every
// object made for it, keyed by kind and name.
func resourceVersions(t testing.TB, kec *slrtv1.Kecamatan) map[string]string {
	t.Helper()
	ns := kec.Status.Namespace
	objs := map[string]client.Object{
		"Kecamatan":     &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: kec.Name}},
		"Namespace":     &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		"ResourceQuota": &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: quotaName, Namespace: ns}},
		"LimitRange":    &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: limitRangeName, Namespace: ns}},
		"NetworkPolicy": &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: networkPolicyName, Namespace: ns}},
		"Secret":        &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: credentialsSecretName, Namespace: ns}},
		"RoleBinding":   &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: credentialsReaderName, Namespace: ns}},
	}
	out := map[string]string{}
	for kind, obj := range objs {
		mustGet(t, obj.GetNamespace(), obj.GetName(), obj)
		out[kind] = obj.GetResourceVersion()
	}
	return out
}

func setSuspended(t testing.TB, name string, suspended bool) {
	t.Helper()
	patch := []byte(fmt.Sprintf(`{"spec":{"suspended":%t}}`, suspended))
	kec := &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := k8s.Patch(context.Background(), kec, client.RawPatch(types.MergePatchType, patch)); err != nil {
		t.Fatalf("setting suspended=%t: %v", suspended, err)
	}
}

func deleteAndWaitGone(t testing.TB, kec *slrtv1.Kecamatan) {
	t.Helper()
	if err := k8s.Delete(context.Background(), kec); err != nil {
		t.Fatalf("deleting %s: %v", kec.Name, err)
	}
	eventually(t, kec.Name+" gone", func() error {
		err := k8s.Get(context.Background(), client.ObjectKey{Name: kec.Name}, &slrtv1.Kecamatan{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})
}

// assertNamespaceDeleted checks the namespace is gone or going: envtest runs
// no namespace controller, so a deleted namespace stays Terminating.
func assertNamespaceDeleted(t testing.TB, name string) {
	t.Helper()
	ns := &corev1.Namespace{}
	err := k8s.Get(context.Background(), client.ObjectKey{Name: name}, ns)
	if err == nil && ns.DeletionTimestamp.IsZero() {
		t.Errorf("namespace %s was not deleted", name)
	} else if err != nil && !apierrors.IsNotFound(err) {
		t.Error(err)
	}
}

// assertEvent checks that an Event with reason was recorded for kec.
func assertEvent(t testing.TB, kec *slrtv1.Kecamatan, reason string) {
	t.Helper()
	eventually(t, "event "+reason, func() error {
		var list eventsv1.EventList
		if err := k8s.List(context.Background(), &list); err != nil {
			return err
		}
		for _, e := range list.Items {
			if e.Regarding.UID == kec.UID && e.Reason == reason {
				return nil
			}
		}
		return fmt.Errorf("no %s event among %d", reason, len(list.Items))
	})
}

func adminConn(t testing.TB) *pgx.Conn { return env.Postgres.AdminConn(t) }

func testenvLogWriter() io.Writer {
	if os.Getenv(testenv.EnvLog) != "" {
		return os.Stderr
	}
	return io.Discard
}
