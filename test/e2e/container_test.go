package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sys/unix"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/ociimage"
	"github.com/slrt-id/slrt/internal/testenv"
)

// The images a test run built (once: the build is shared by the tests).
var (
	imagesOnce  sync.Once
	imagesBuilt []*ociimage.Built
	imagesDir   string
	imagesErr   error
)

func releaseImages(t *testing.T) ([]*ociimage.Built, string) {
	t.Helper()
	imagesOnce.Do(func() {
		imagesDir, imagesErr = os.MkdirTemp("", "slrt-images-*")
		if imagesErr != nil {
			return
		}
		env.Cleanup(func() { os.RemoveAll(imagesDir) })
		work := filepath.Join(imagesDir, "work")
		if imagesErr = os.Mkdir(work, 0o755); imagesErr != nil {
			return
		}
		imagesBuilt, imagesErr = ociimage.BuildRelease(context.Background(), ociimage.Release{Module: env.Root, Work: work, Source: "https://example.org/slrt"})
		for _, b := range imagesBuilt {
			imagesErr = errors.Join(imagesErr, ociimage.WriteLayout(imagesDir, b))
		}
	})
	if imagesErr != nil {
		t.Fatal(imagesErr)
	}
	return imagesBuilt, imagesDir
}

// `make images` twice from one commit gives the same digests, and an image
// holds its binary, the base made in the build (users, CA certificates,
// /tmp) and, for the operator, pg_dump and pg_restore with the libraries
// they load: no shell, no package manager, nothing else.
func TestImagesAreReproducibleAndHoldOnlyWhatTheBinaryNeeds(t *testing.T) {
	first, _ := releaseImages(t)
	again, err := ociimage.BuildRelease(context.Background(), ociimage.Release{Module: env.Root, Work: t.TempDir(), Source: "https://example.org/slrt"})
	if err != nil {
		t.Fatal(err)
	}
	pgBin, err := ociimage.PostgreSQLBinDir()
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range first {
		d1, _ := b.Digest()
		d2, _ := again[i].Digest()
		if d1 != d2 {
			t.Errorf("%s: built twice from one commit, digests %s and %s", b.Name, d1, d2)
		}
		files := imageFiles(t, b)
		t.Logf("%s %s holds:\n  %s", b.Name, d1, strings.Join(files, "\n  "))
		want := []string{"/etc/group", "/etc/passwd", "/etc/ssl/certs/ca-certificates.crt", "/" + b.Name}
		if b.Name == "slrt-operator" {
			programs, err := ociimage.HostPrograms(pgBin, "pg_dump", "pg_restore")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range programs.Files {
				want = append(want, f.Path)
				// Only the programs and the shared libraries they load.
				if base := path.Base(f.Path); base != "pg_dump" && base != "pg_restore" && !strings.Contains(base, ".so") {
					t.Errorf("%s: %s is neither a program it runs nor a library", b.Name, f.Path)
				}
			}
		}
		slices.Sort(want)
		if !slices.Equal(files, want) {
			t.Errorf("%s holds\n%v\nwant\n%v", b.Name, files, want)
		}
		for _, f := range files {
			switch path.Base(f) {
			case "sh", "bash", "dash", "busybox", "apt", "apt-get", "dpkg", "apk":
				t.Errorf("%s holds %s", b.Name, f)
			}
		}
	}
}

// imageFiles lists the files (not folders) of an image's filesystem.
func imageFiles(t *testing.T, b *ociimage.Built) []string {
	t.Helper()
	rc := mutate.Extract(b.Image)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var files []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeDir {
			files = append(files, path.Clean("/"+h.Name))
		}
	}
	slices.Sort(files)
	return files
}

// The images run in a real container runtime (podman with runc) exactly as
// the chart deploys them: its rendered Deployments give the image (by the
// digest the build made), command, arguments, environment, mounts and
// security context; the root filesystem is read-only, the user is not root,
// no capability is kept, and the pods' ServiceAccount tokens reach the test
// control plane the way a kubelet mounts them. Inside its container the
// operator provisions a Kecamatan, and the API serves a signed-in request.
func TestImagesRunAsTheChartDeploysThem(t *testing.T) {
	podman := containerRuntime(t)
	built, dir := releaseImages(t)
	ctx := context.Background()
	work := t.TempDir()
	kubeconfig := writeKubeconfig(t, work, "")
	kubectl := kubectlFor(t, kubeconfig)
	prepareCluster(t, kubectl)
	log.SetLogger(testenv.Logger())
	scheme := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(scheme), slrtv1.AddToScheme(scheme)); err != nil {
		t.Fatal(err)
	}
	admin, err := client.New(env.Kube.Config, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}

	// The control database, in a Secret as city IT keeps it.
	const controlDB = "slrt_control_container"
	adminConn := env.Postgres.AdminConn(t)
	if _, err := adminConn.Exec(ctx, "CREATE DATABASE "+controlDB); err != nil {
		t.Fatal(err)
	}
	dbURL := env.Postgres.URL(env.Postgres.User, env.Postgres.Password, controlDB)
	kubectl("-n", "slrt-system", "create", "secret", "generic", "slrt-control-database", "--from-literal=uri="+dbURL)

	// The chart, rendered with the images just built and ports free on the
	// host network; the server's Secret is the one prepareCluster made.
	ports := map[string]string{}
	for _, p := range []string{"operator.metrics.port", "operator.probes.port", "api.port", "api.metricsPort"} {
		_, port, _ := net.SplitHostPort(freeAddr(t))
		ports[p] = port
	}
	set := []string{
		"image.repository=localhost/slrt",
		"databaseServers[0].name=default", "databaseServers[0].existingSecret=slrt-postgres-admin",
		"api.controlDatabase.existingSecret=slrt-control-database", "api.replicas=1",
		"operator.leaderElect=false",
	}
	for _, b := range built {
		digest, _ := b.Digest()
		set = append(set, fmt.Sprintf("image.tag=%s,image.digests.%s=%s", b.Version(), strings.TrimPrefix(b.Name, "slrt-"), digest))
	}
	for p, port := range ports {
		set = append(set, p+"="+port)
	}
	rendered := helmTemplate(t, "--namespace", "slrt-system", "--set", strings.Join(set, ","))
	deployments := applyRendered(t, admin, rendered)

	// The operator first: the API needs the Secrets it makes.
	run := func(name string) {
		dep := deployments[name]
		if dep == nil {
			t.Fatalf("the chart renders no Deployment %s", name)
		}
		runDeployment(t, podman, admin, dep, built, dir)
	}
	run("slrt-operator")
	probes, metrics := "http://127.0.0.1:"+ports["operator.probes.port"], "http://127.0.0.1:"+ports["operator.metrics.port"]
	waitHTTP(t, probes+"/healthz")
	waitHTTP(t, probes+"/readyz")
	if m := get(t, metrics+"/metrics"); !strings.Contains(m, "slrt_operator") {
		t.Errorf("the operator's metrics have no slrt_operator series:\n%.1000s", m)
	}

	kec := &slrtv1.Kecamatan{ObjectMeta: metav1.ObjectMeta{Name: "ujungberung"}, Spec: slrtv1.KecamatanSpec{Code: "32.73.26", DisplayName: "Ujungberung"}}
	if err := admin.Create(ctx, kec); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if err := admin.Get(ctx, client.ObjectKeyFromObject(kec), kec); err != nil {
			t.Fatal(err)
		}
		if meta.IsStatusConditionTrue(kec.Status.Conditions, "Ready") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the operator in its container did not make Ujungberung Ready: %+v", kec.Status.Conditions)
		}
	}

	run("slrt-api")
	server := "http://127.0.0.1:" + ports["api.port"]
	waitHTTP(t, server+"/healthz")
	waitHTTP(t, server+"/readyz")
	if m := get(t, "http://127.0.0.1:"+ports["api.metricsPort"]+"/metrics"); !strings.Contains(m, "http_server") {
		t.Errorf("the API's metrics have no http_server series:\n%.1000s", m)
	}
	// The API migrated the control database at start; city IT's first
	// admin signs in with slrtctl and lists the kecamatan the API knows
	// from its informer (in-cluster, with its own token).
	mustSlrtctl(t, "rahasia-kota-bandung\n", "create-admin", "cityit", "--display-name", "Diskominfo", "--database-url", dbURL)
	token := strings.TrimSpace(mustSlrtctl(t, "rahasia-kota-bandung\n", "login", "cityit", "--server", server))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		list := mustSlrtctl(t, "", "kecamatan", "list", "--server", server, "--token", token)
		if strings.Contains(list, "32.73.26") && strings.Contains(list, "Ujungberung") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API in its container does not list Ujungberung:\n%s", list)
		}
	}
}

// containerRuntime is the podman command line the tests run containers with:
// runc as the runtime (crun refuses hosts with hybrid cgroups), storage of
// its own in a temporary folder. It skips the test when podman or runc is
// missing (`make podman` installs them).
func containerRuntime(t *testing.T) []string {
	t.Helper()
	podman, err := exec.LookPath("podman")
	if err != nil {
		t.Skip("no podman: `make podman` installs it (Debian: apt-get install podman runc); the container test needs a container runtime")
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("no runc: `make podman` installs it (Debian: apt-get install runc)")
	}
	// Podman wants its run folder's path short: not t.TempDir().
	root, err := os.MkdirTemp("", "podman-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	return []string{podman, "--root", filepath.Join(root, "storage"), "--runroot", filepath.Join(root, "run"),
		"--storage-driver", "vfs", "--runtime", runc, "--cgroup-manager", "cgroupfs", "--events-backend", "none"}
}

func helmTemplate(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(testenv.Helm(t, env.Root), append([]string{"template", "slrt", filepath.Join(env.Root, "charts", "slrt")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template: %v\n%s", err, stderr.String())
	}
	return out
}

// applyRendered applies every object the chart rendered, as helm install
// would, and returns its Deployments by name (nothing runs them here: the
// test does).
func applyRendered(t *testing.T, c client.Client, rendered []byte) map[string]*appsv1.Deployment {
	t.Helper()
	deployments := map[string]*appsv1.Deployment{}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(rendered), 4096)
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		if err := c.Apply(context.Background(), client.ApplyConfigurationFromUnstructured(obj), client.ForceOwnership, client.FieldOwner("helm")); err != nil {
			t.Fatalf("applying %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
		if obj.GetKind() == "Deployment" {
			dep := &appsv1.Deployment{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, dep); err != nil {
				t.Fatal(err)
			}
			deployments[obj.GetName()] = dep
		}
	}
	return deployments
}

// runDeployment runs a Deployment's pod (its one container) in podman until
// the test ends, doing what the kubelet would: the image by its digest, the
// environment resolved from the pod's fields, its limits and Secrets, the
// $(VAR) references in the arguments expanded, Secrets and volumes mounted,
// the ServiceAccount's token mounted where client-go looks in a cluster.
func runDeployment(t *testing.T, podman []string, c client.Client, dep *appsv1.Deployment, built []*ociimage.Built, dir string) {
	t.Helper()
	ctx := context.Background()
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", dep.Name, len(pod.Containers))
	}
	ctr := pod.Containers[0]
	ns := dep.Namespace
	work := t.TempDir()

	// The image the chart names is one the build made, by digest.
	_, digest, ok := strings.Cut(ctr.Image, "@")
	if !ok {
		t.Fatalf("%s: image %s is not pinned by digest", dep.Name, ctr.Image)
	}
	var archive string
	for _, b := range built {
		if d, _ := b.Digest(); d.String() == digest {
			// The archive holds the image and its SBOM: the image by its name.
			archive = filepath.Join(dir, b.Name+".tar") + ":" + b.Version()
		}
	}
	if archive == "" {
		t.Fatalf("%s: no image built with digest %s", dep.Name, digest)
	}
	imageID := strings.TrimSpace(podmanOut(t, podman, "pull", "-q", "oci-archive:"+archive))
	if user := podmanOut(t, podman, "image", "inspect", "--format", "{{.User}}", imageID); pod.SecurityContext != nil && ptr.Deref(pod.SecurityContext.RunAsNonRoot, false) &&
		(strings.HasPrefix(strings.TrimSpace(user), "0") || strings.TrimSpace(user) == "" || strings.HasPrefix(user, "root")) {
		t.Fatalf("%s: runAsNonRoot, but the image's user is %q", dep.Name, user)
	}

	// The environment, resolved as the kubelet does.
	vars := map[string]string{}
	var envArgs []string
	for _, e := range ctr.Env {
		value := e.Value
		switch from := e.ValueFrom; {
		case from == nil:
		case from.FieldRef != nil && from.FieldRef.FieldPath == "metadata.namespace":
			value = ns
		case from.ResourceFieldRef != nil:
			limit := ctr.Resources.Limits[corev1.ResourceName(strings.TrimPrefix(from.ResourceFieldRef.Resource, "limits."))]
			value = strconv.FormatInt(limit.Value(), 10)
		case from.SecretKeyRef != nil:
			value = string(secret(t, c, ns, from.SecretKeyRef.Name).Data[from.SecretKeyRef.Key])
		default:
			t.Fatalf("%s: env %s comes from a source this test does not resolve", dep.Name, e.Name)
		}
		vars[e.Name] = value
		envArgs = append(envArgs, "--env", e.Name+"="+value)
	}
	expand := func(s string) string {
		for name, v := range vars {
			s = strings.ReplaceAll(s, "$("+name+")", v)
		}
		return s
	}

	// In-cluster configuration: the API server's address, the token of the
	// pod's ServiceAccount, the cluster's CA and the namespace.
	host, err := url.Parse(env.Kube.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	clientset := kubernetes.NewForConfigOrDie(env.Kube.Config)
	tr, err := clientset.CoreV1().ServiceAccounts(ns).CreateToken(ctx, pod.ServiceAccountName,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("%s: a token for ServiceAccount %s: %v", dep.Name, pod.ServiceAccountName, err)
	}
	sa := filepath.Join(work, "serviceaccount")
	writeFiles(t, sa, map[string][]byte{"token": []byte(tr.Status.Token), "ca.crt": env.Kube.Config.CAData, "namespace": []byte(ns)})
	envArgs = append(envArgs, "--env", "KUBERNETES_SERVICE_HOST="+host.Hostname(), "--env", "KUBERNETES_SERVICE_PORT="+host.Port())

	// Volumes.
	mounts := []string{"--volume", sa + ":/var/run/secrets/kubernetes.io/serviceaccount:ro"}
	for _, m := range ctr.VolumeMounts {
		i := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 {
			t.Fatalf("%s: mount of unknown volume %s", dep.Name, m.Name)
		}
		switch v := pod.Volumes[i]; {
		case v.Secret != nil:
			files := map[string][]byte{}
			for k, data := range secret(t, c, ns, v.Secret.SecretName).Data {
				files[k] = data
			}
			folder := filepath.Join(work, m.Name)
			writeFiles(t, folder, files)
			mounts = append(mounts, "--volume", folder+":"+m.MountPath+":ro")
		case v.EmptyDir != nil:
			mounts = append(mounts, "--tmpfs", m.MountPath+":rw,mode=1777")
		case v.PersistentVolumeClaim != nil:
			// A volume owned by the pod's fsGroup.
			folder := filepath.Join(work, m.Name)
			if err := os.Mkdir(folder, 0o770); err != nil {
				t.Fatal(err)
			}
			if pod.SecurityContext != nil && pod.SecurityContext.FSGroup != nil {
				g := int(*pod.SecurityContext.FSGroup)
				if err := os.Chown(folder, g, g); err != nil {
					t.Fatal(err)
				}
			}
			mounts = append(mounts, "--volume", folder+":"+m.MountPath)
		default:
			t.Fatalf("%s: volume %s of a kind this test does not mount", dep.Name, m.Name)
		}
	}

	// The security context.
	sc := ctr.SecurityContext
	if sc == nil || !ptr.Deref(sc.ReadOnlyRootFilesystem, false) || ptr.Deref(sc.AllowPrivilegeEscalation, true) ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Fatalf("%s: the chart's securityContext is weaker than this test runs with: %+v", dep.Name, sc)
	}
	args := []string{"run", "--rm", "--name", dep.Name, "--network", "host", "--pull", "never",
		"--read-only", "--read-only-tmpfs=false", "--cap-drop", "all", "--security-opt", "no-new-privileges"}
	// Limits no higher than the host's: podman's defaults raise them, which
	// a host without CAP_SYS_RESOURCE (a nested VM) refuses; lowering is
	// always allowed.
	for _, l := range []struct {
		name     string
		resource int
	}{{"nofile", unix.RLIMIT_NOFILE}, {"nproc", unix.RLIMIT_NPROC}} {
		var lim unix.Rlimit
		if err := unix.Getrlimit(l.resource, &lim); err != nil {
			t.Fatal(err)
		}
		n := min(lim.Max, 4096)
		args = append(args, "--ulimit", fmt.Sprintf("%s=%d:%d", l.name, n, n))
	}
	if len(ctr.Command) > 0 {
		entrypoint, _ := json.Marshal(ctr.Command)
		args = append(args, "--entrypoint", string(entrypoint))
	}
	args = append(args, envArgs...)
	args = append(args, mounts...)
	args = append(args, imageID)
	for _, a := range ctr.Args {
		args = append(args, expand(a))
	}
	startContainer(t, podman, dep.Name, args)
}

// startContainer runs podman until the test ends, then stops the container
// as the kubelet does (SIGTERM, then a grace period) and shows its log if
// the test failed.
func startContainer(t *testing.T, podman []string, name string, args []string) {
	t.Helper()
	logFile, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(podman[0], append(podman[1:], args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop := exec.Command(podman[0], append(podman[1:], "stop", "--time", "20", name)...)
		if out, err := stop.CombinedOutput(); err != nil {
			t.Errorf("podman stop %s: %v\n%s", name, err, out)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("%s did not stop cleanly on SIGTERM: %v", name, err)
		}
		logFile.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logFile.Name())
			t.Logf("%s log:\n%s", name, data)
		}
	})
}

func podmanOut(t *testing.T, podman []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(podman[0], append(podman[1:], args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func secret(t *testing.T, c client.Client, ns, name string) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatalf("Secret %s/%s: %v", ns, name, err)
	}
	return s
}

// writeFiles writes files readable by the container's user (not root), as
// the kubelet projects a Secret.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
