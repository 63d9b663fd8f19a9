// Package devstack runs the whole platform on one machine for `make dev`:
// a private PostgreSQL, a Kubernetes control plane (the kube-apiserver and
// etcd the tests use), the Kecamatan CRD, the operator and the API as real
// processes, the three pilot kecamatan, demo staff for every role and a small
// synthetic registry. State lives in one folder and is reused by the next run.
package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/localpg"
)

// Options configure a local platform.
type Options struct {
	// Root is the repository (config/crd and config/samples are read).
	Root string
	// Dir holds the state kept between runs, the logs and the kubeconfig.
	Dir string
	// Bin is the folder of slrt-api and slrt-operator.
	Bin string
	// KubeAssets is the folder of kube-apiserver, etcd and kubectl.
	KubeAssets string
	// APIAddr is where the API listens, e.g. 127.0.0.1:8080.
	APIAddr string
	// Fresh removes the state of earlier runs first.
	Fresh bool
	// Out receives the progress and the summary.
	Out io.Writer
}

// Stack is a running local platform.
type Stack struct {
	o          Options
	pg         *localpg.Server
	kube       *envtest.Environment
	kubeClient client.Client
	procs      []*process
	// APIURL is the base URL of the API.
	APIURL string
	// Kubeconfig is the path of the admin kubeconfig.
	Kubeconfig string
	// Accounts are the demo accounts, with DemoPassword.
	Accounts []DemoAccount
	failed   chan error
	stopping atomic.Bool
}

// DemoPassword is the password of every demo account.
const DemoPassword = "coba-slrt-bandung"

// Start brings the platform up and returns once it serves, seeded. On error
// whatever was started is stopped again.
func Start(ctx context.Context, o Options) (*Stack, error) {
	s := &Stack{o: o, failed: make(chan error, 4)}
	if err := s.start(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Stack) start(ctx context.Context) error {
	o := s.o
	if err := portFree(o.APIAddr); err != nil {
		return err
	}
	if o.Fresh {
		s.step("removing the state of earlier runs in %s", o.Dir)
		if err := os.RemoveAll(o.Dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "logs"), 0o755); err != nil {
		return err
	}
	for _, fn := range []func(context.Context) error{s.startPostgres, s.startKube, s.startOperator, s.onboardPilots, s.startAPI} {
		if err := fn(ctx); err != nil {
			return err
		}
	}
	if err := s.seed(ctx); err != nil {
		return fmt.Errorf("while creating the demo data: %w", err)
	}
	return nil
}

func (s *Stack) step(format string, args ...any) {
	fmt.Fprintf(s.o.Out, "==> "+format+"\n", args...)
}

// portFree checks that the API's address can be listened on, so that a port
// taken fails at once with a clear message.
func portFree(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s for the API (%v): stop what uses it, or pick another address with API_ADDR=127.0.0.1:8081", addr, err)
	}
	return l.Close()
}

func (s *Stack) startPostgres(context.Context) error {
	s.step("starting PostgreSQL (data in %s)", filepath.Join(s.o.Dir, "postgres"))
	port, err := s.keptPort("postgres.port")
	if err != nil {
		return err
	}
	pg, err := localpg.Open(filepath.Join(s.o.Dir, "postgres"), localpg.Options{Durable: true, Port: port})
	s.pg = pg
	if err != nil {
		return fmt.Errorf("PostgreSQL did not start: %w (its log: %s; `make postgres` installs the server; --fresh starts from nothing)",
			err, filepath.Join(s.o.Dir, "postgres", "postgres.log"))
	}
	go s.keepPostgres(pg)
	return nil
}

// keepPostgres starts PostgreSQL again whenever it stops before the stack
// does (a crash, an out-of-memory kill, `pg_ctl stop` by hand), as a
// cluster's supervisor would: the API and the operator ride it out.
func (s *Stack) keepPostgres(pg *localpg.Server) {
	for {
		<-pg.Exited()
		if s.stopping.Load() {
			return
		}
		s.step("PostgreSQL stopped (its log: %s); starting it again", pg.LogPath())
		var err error
		for attempt := 1; attempt <= 5 && !s.stopping.Load(); attempt++ {
			if err = pg.Start(); err == nil {
				break
			}
			time.Sleep(time.Duration(attempt) * time.Second)
		}
		if err != nil {
			s.failed <- fmt.Errorf("PostgreSQL stopped and did not start again: %w; its log: %s", err, pg.LogPath())
			return
		}
	}
}

// keptPort returns the port a part used last time when it is still free
// (so that psql settings and kubeconfigs made earlier keep working), else a
// new one, remembered in file.
func (s *Stack) keptPort(file string) (int, error) {
	path := filepath.Join(s.o.Dir, file)
	if data, err := os.ReadFile(path); err == nil {
		var port int
		if _, err := fmt.Sscan(string(data), &port); err == nil && portFree(fmt.Sprintf("127.0.0.1:%d", port)) == nil {
			return port, nil
		}
	}
	port, err := localpg.FreePort()
	if err != nil {
		return 0, err
	}
	return port, os.WriteFile(path, []byte(fmt.Sprintln(port)), 0o644)
}

func (s *Stack) startKube(ctx context.Context) error {
	s.step("starting the Kubernetes control plane (kube-apiserver and etcd from %s)", s.o.KubeAssets)
	env := &envtest.Environment{
		BinaryAssetsDirectory: s.o.KubeAssets,
		CRDDirectoryPaths:     []string{filepath.Join(s.o.Root, "config", "crd")},
		ErrorIfCRDPathMissing: true,
	}
	// etcd keeps its data between runs; the API server's certificates are
	// new each time, and so is the kubeconfig.
	env.ControlPlane.GetAPIServer()
	etcd := env.ControlPlane.Etcd
	if etcd == nil {
		etcd = &envtest.Etcd{}
		env.ControlPlane.Etcd = etcd
	}
	etcd.DataDir = filepath.Join(s.o.Dir, "etcd")
	if err := os.MkdirAll(etcd.DataDir, 0o700); err != nil {
		return err
	}
	cfg, err := env.Start()
	s.kube = env
	if err != nil {
		return fmt.Errorf("the Kubernetes control plane did not start: %w (run `make envtest` to build its binaries)", err)
	}
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "slrt-dev", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	s.Kubeconfig = filepath.Join(s.o.Dir, "kubeconfig")
	if err := os.WriteFile(s.Kubeconfig, kubeconfig, 0o600); err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), slrtv1.AddToScheme(scheme)); err != nil {
		return err
	}
	if s.kubeClient, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	// The operator's namespace, the admin Secret of the database server
	// (written each run: the port and password may have changed) and the
	// DatabaseServer naming it.
	ns := &corev1.Namespace{}
	ns.Name = "slrt-system"
	if err := s.kubeClient.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	secret := &corev1.Secret{}
	secret.Name, secret.Namespace = "slrt-postgres-admin", "slrt-system"
	_, err = controllerutil.CreateOrUpdate(ctx, s.kubeClient, secret, func() error {
		secret.Data = map[string][]byte{
			"host": []byte(s.pg.Host), "port": []byte(fmt.Sprint(s.pg.Port)), "username": []byte(s.pg.User),
			"password": []byte(s.pg.Password), "sslmode": []byte("disable"),
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("while writing the database server's admin Secret: %w", err)
	}
	server := &slrtv1.DatabaseServer{}
	server.Name = "default"
	_, err = controllerutil.CreateOrUpdate(ctx, s.kubeClient, server, func() error {
		server.Spec.SecretName = secret.Name
		return nil
	})
	if err != nil {
		return fmt.Errorf("while writing the DatabaseServer: %w", err)
	}
	return nil
}

func (s *Stack) startOperator(context.Context) error {
	s.step("starting slrt-operator")
	health, err := localpg.FreePort()
	if err != nil {
		return err
	}
	return s.run("slrt-operator", []string{"KUBECONFIG=" + s.Kubeconfig},
		"--namespace=slrt-system", "--metrics-bind-address=0", fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", health),
		"--backup-dir="+filepath.Join(s.o.Dir, "backups"), "--pg-bin-dir="+s.pg.Bin())
}

func (s *Stack) startAPI(ctx context.Context) error {
	s.step("starting slrt-api on %s", s.o.APIAddr)
	conn, err := s.pg.Connect(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'slrt_control')`).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE slrt_control`); err != nil {
			return err
		}
	}
	keyFile := filepath.Join(s.o.Dir, "nik-index-key")
	if _, err := os.Stat(keyFile); errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
			return err
		}
	}
	metrics, err := localpg.FreePort()
	if err != nil {
		return err
	}
	err = s.run("slrt-api", []string{"KUBECONFIG=" + s.Kubeconfig, "SLRT_DATABASE_URL=" + s.pg.URL(s.pg.User, s.pg.Password, "slrt_control"),
		"SLRT_NIK_INDEX_KEY_FILE=" + keyFile},
		"--listen", s.o.APIAddr, fmt.Sprintf("--metrics-listen=127.0.0.1:%d", metrics), "--insecure-cookies")
	if err != nil {
		return err
	}
	s.APIURL = "http://" + s.o.APIAddr
	return s.waitHTTP(ctx, s.APIURL+"/readyz", "slrt-api")
}

// onboardPilots applies the three pilot kecamatan and waits until the
// operator has them Ready, before the API starts.
func (s *Stack) onboardPilots(ctx context.Context) error {
	s.step("onboarding the pilot kecamatan: Babakan Ciparay, Bojongloa Kaler, Bandung Kulon")
	for _, k := range pilots {
		kec := &slrtv1.Kecamatan{Spec: slrtv1.KecamatanSpec{Code: k.code, DisplayName: k.name}}
		kec.Name = k.resource
		if err := s.kubeClient.Create(ctx, kec); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("while applying Kecamatan %s: %w", k.name, err)
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	ready := map[string]bool{}
	for len(ready) < len(pilots) {
		for _, k := range pilots {
			var kec slrtv1.Kecamatan
			if err := s.kubeClient.Get(ctx, client.ObjectKey{Name: k.resource}, &kec); err != nil {
				return err
			}
			if !ready[k.code] && kec.IsReady() && s.credentialsCurrent(ctx, &kec) {
				ready[k.code] = true
				fmt.Fprintf(s.o.Out, "    %s (%s) Ready\n", k.name, k.code)
			}
		}
		if err := s.check(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the pilot kecamatan are not Ready after 3 minutes; `kubectl --kubeconfig %s describe kec` says why, and %s has the operator's log",
				s.Kubeconfig, s.logPath("slrt-operator"))
		}
		time.Sleep(250 * time.Millisecond)
	}
	return nil
}

// credentialsCurrent reports whether the operator has written the tenant's
// credentials for this run's PostgreSQL: on a second run the Kecamatan is
// Ready from the first before the operator has been through it again.
func (s *Stack) credentialsCurrent(ctx context.Context, kec *slrtv1.Kecamatan) bool {
	var secret corev1.Secret
	key := client.ObjectKey{Namespace: kec.Status.Namespace, Name: kec.Status.CredentialsSecret}
	if err := s.kubeClient.Get(ctx, key, &secret); err != nil {
		return false
	}
	return string(secret.Data["port"]) == fmt.Sprint(s.pg.Port)
}

type pilot struct{ code, name, resource, short, kelurahan string }

// The pilot kecamatan, with the kelurahan whose Puskesos staff the demo
// accounts work at (the first kelurahan of each).
var pilots = []pilot{
	{"32.73.03", "Babakan Ciparay", "babakan-ciparay", "babakanciparay", "32.73.03.1001"},
	{"32.73.04", "Bojongloa Kaler", "bojongloa-kaler", "bojongloakaler", "32.73.04.1001"},
	{"32.73.15", "Bandung Kulon", "bandung-kulon", "bandungkulon", "32.73.15.1001"},
}

// process is a binary started by the stack.
type process struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{}
}

func (s *Stack) logPath(name string) string { return filepath.Join(s.o.Dir, "logs", name+".log") }

// run starts one of the platform's binaries with its log in logs/. Its own
// process group keeps Ctrl-C away from it: the stack stops it in order.
func (s *Stack) run(name string, env []string, args ...string) error {
	logFile, err := os.OpenFile(s.logPath(name), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(s.o.Bin, name), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start %s: %w (`make build` builds it)", name, err)
	}
	p := &process{name: name, cmd: cmd, exited: make(chan struct{})}
	s.procs = append(s.procs, p)
	go func() {
		err := cmd.Wait()
		close(p.exited)
		s.failed <- fmt.Errorf("%s exited (%v); the end of its log (%s):\n%s", name, err, s.logPath(name), tail(s.logPath(name), 15))
	}()
	return nil
}

// check returns the first failure of a part, if any.
func (s *Stack) check() error {
	select {
	case err := <-s.failed:
		return err
	default:
		return nil
	}
}

func (s *Stack) waitHTTP(ctx context.Context, url, name string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := s.check(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s is not ready after a minute; its log: %s", name, s.logPath(name))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Wait blocks until ctx ends (nil) or a part of the platform fails.
func (s *Stack) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.failed:
		return err
	}
}

// Stop stops everything, the API first and PostgreSQL last.
func (s *Stack) Stop() {
	s.stopping.Store(true)
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.exited:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
	s.procs = nil
	if s.kube != nil {
		_ = s.kube.Stop()
		s.kube = nil
	}
	if s.pg != nil {
		_ = s.pg.Stop()
		s.pg = nil
	}
}

// PrintSummary writes where everything is and how to sign in.
func (s *Stack) PrintSummary(w io.Writer) {
	fmt.Fprintf(w, "\nThe SLRT platform runs locally.\n\n")
	fmt.Fprintf(w, "  web app     %s/   (sign in as petugas.babakanciparay)\n", s.APIURL)
	fmt.Fprintf(w, "  API         %s   (OpenAPI: %s/openapi.json)\n", s.APIURL, s.APIURL)
	fmt.Fprintf(w, "  kubectl     export KUBECONFIG=%s; %s get kec\n", s.Kubeconfig, filepath.Join(s.o.KubeAssets, "kubectl"))
	fmt.Fprintf(w, "  logs        %s (slrt-api.log, slrt-operator.log), %s\n", filepath.Join(s.o.Dir, "logs"), s.pg.LogPath())
	fmt.Fprintf(w, "  PostgreSQL  %s:%d, user %s, password in %s\n\n", s.pg.Host, s.pg.Port, s.pg.User, filepath.Join(s.pg.Dir, "pwfile"))
	fmt.Fprintf(w, "Demo accounts (password %q for all):\n", DemoPassword)
	for _, a := range s.Accounts {
		fmt.Fprintf(w, "  %-28s %-12s %s\n", a.Username, a.Role, a.Domain)
	}
	fmt.Fprintf(w, "\nSign in: curl -s -H 'Content-Type: application/json' %s/api/v1/session -d '{\"username\":\"petugas.babakanciparay\",\"password\":%q}'\n", s.APIURL, DemoPassword)
	fmt.Fprintf(w, "or: slrtctl login petugas.babakanciparay --server %s\n", s.APIURL)
	fmt.Fprintf(w, "\nCtrl-C stops everything; the next `make dev` reuses the data (`make dev FRESH=1` starts over).\n")
}

func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
