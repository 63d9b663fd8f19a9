// Package chart_test proves the Helm chart: it lints, it renders, Kubernetes
// accepts every object it renders, and the generated parts it carries are the
// same as config/.
package chart_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slrt-id/slrt/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Kube: true}, &env))
}

const releaseNamespace = "slrt-system"

func TestChartLints(t *testing.T) {
	helm(t, "lint", "--strict", chartDir(t), "--set", "databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=control")
}

func TestEveryRenderedObjectIsAcceptedByKubernetes(t *testing.T) {
	ctx := context.Background()
	c, err := client.New(env.Kube.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: releaseNamespace}}
	if err := c.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}

	// The check bites: an object Kubernetes would refuse is refused here too.
	broken := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "broken", "namespace": releaseNamespace},
		"spec":     map[string]any{"replicas": 1},
	}}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(broken), client.DryRunAll, client.ForceOwnership, client.FieldOwner("chart-test")); err == nil {
		t.Fatal("a Deployment without selector or template was accepted: the dry run checks nothing")
	}

	cases := map[string][]string{
		"a server connection given in values": {"--set", "databaseServers[0].name=default,databaseServers[0].password=secret,api.controlDatabase.existingSecret=control"},
		"operator only":                       {"--set", "databaseServers[0].name=default,databaseServers[0].password=secret,api.enabled=false"},
		"existing Secrets, two servers, HA": {"--set", "databaseServers[0].name=default,databaseServers[0].existingSecret=pg-a," +
			"databaseServers[1].name=kedua,databaseServers[1].existingSecret=pg-b,databaseServers[1].labels.region=jawa-barat," +
			"databaseServers[1].capacity.tenants=200,databaseServers[1].capacity.storage=500Gi,databaseServers[1].draining=true,operator.replicas=2,api.controlDatabase.existingSecret=control"},
		"backups on an existing claim": {"--set", "databaseServers[0].name=default,databaseServers[0].password=secret,api.controlDatabase.existingSecret=control,backups.existingClaim=nfs-backups"},
		"single sign-on": {"--set", "databaseServers[0].name=default,databaseServers[0].password=secret,api.controlDatabase.existingSecret=control," +
			"api.oidc.issuer=https://sso.example.go.id/realms/pemkot,api.oidc.clientId=slrt-web,api.oidc.clientSecret.existingSecret=slrt-oidc,api.oidc.cliClientId=slrtctl,api.oidc.passwordSignIn=false"},
		"no backups": {"--set", "databaseServers[0].name=default,databaseServers[0].password=secret,api.controlDatabase.existingSecret=control,backups.enabled=false"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			out := helm(t, append([]string{"template", "slrt", chartDir(t), "--namespace", releaseNamespace, "--include-crds"}, args...)...)
			objs := decode(t, out)
			kinds := map[string]int{}
			for _, obj := range objs {
				kinds[obj.GetKind()]++
				err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj),
					client.DryRunAll, client.ForceOwnership, client.FieldOwner("chart-test"))
				if err != nil {
					t.Errorf("%s %s refused: %v", obj.GetKind(), obj.GetName(), err)
				}
			}
			for _, kind := range []string{"CustomResourceDefinition", "DatabaseServer", "Deployment", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service"} {
				if kinds[kind] == 0 {
					t.Errorf("no %s rendered", kind)
				}
			}
		})
	}
}

// The ServiceMonitor renders only where the Prometheus operator's CRD is
// installed; the dashboard ConfigMap carries the Grafana sidecar's label.
func TestObservabilityObjectsRenderWhenTheyCan(t *testing.T) {
	base := []string{"template", "slrt", chartDir(t), "--namespace", releaseNamespace, "--set",
		"databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=c"}
	count := func(objs []*unstructured.Unstructured, kind string) int {
		n := 0
		for _, o := range objs {
			if o.GetKind() == kind {
				n++
			}
		}
		return n
	}
	without := decode(t, helm(t, base...))
	with := decode(t, helm(t, append(base, "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor")...))
	if count(without, "ServiceMonitor") != 0 || count(with, "ServiceMonitor") != 1 {
		t.Errorf("ServiceMonitors: %d without the CRD, %d with", count(without, "ServiceMonitor"), count(with, "ServiceMonitor"))
	}
	for _, o := range without {
		if o.GetKind() == "ConfigMap" && o.GetLabels()["grafana_dashboard"] == "1" {
			return
		}
	}
	t.Error("no dashboard ConfigMap labelled for the Grafana sidecar")
}

// Backups go to a volume the chart claims (or one named), mounted where the
// operator's --backup-dir points.
func TestTheOperatorKeepsBackupsOnAVolume(t *testing.T) {
	base := []string{"template", "slrt", chartDir(t), "--namespace", releaseNamespace, "--set",
		"databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=c"}
	for name, c := range map[string]struct {
		set        string
		claim      string
		chartClaim bool
	}{
		"a claim made by the chart": {"backups.size=200Gi", "slrt-operator-backups", true},
		"an existing claim":         {"backups.existingClaim=nfs-backups", "nfs-backups", false},
		"backups off":               {"backups.enabled=false", "", false},
	} {
		t.Run(name, func(t *testing.T) {
			objs := decode(t, helm(t, append(base, "--set", c.set)...))
			var pvcs int
			var claim string
			var args []any
			for _, o := range objs {
				switch o.GetKind() {
				case "PersistentVolumeClaim":
					pvcs++
					if size, _, _ := unstructured.NestedString(o.Object, "spec", "resources", "requests", "storage"); size != "200Gi" {
						t.Errorf("claim size %q", size)
					}
				case "Deployment":
					if o.GetName() != "slrt-operator" {
						continue
					}
					containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
					args, _, _ = unstructured.NestedSlice(containers[0].(map[string]any), "args")
					volumes, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "volumes")
					for _, v := range volumes {
						claim, _, _ = unstructured.NestedString(v.(map[string]any), "persistentVolumeClaim", "claimName")
					}
				}
			}
			if (pvcs == 1) != c.chartClaim || claim != c.claim {
				t.Errorf("%d claims rendered, the operator mounts %q; want chart claim %t, mount %q", pvcs, claim, c.chartClaim, c.claim)
			}
			hasFlag := slices.Contains(args, any("--backup-dir=/var/lib/slrt/backups"))
			if hasFlag != (c.claim != "") {
				t.Errorf("operator args %v", args)
			}
		})
	}
}

func TestValuesAreCheckedBeforeRendering(t *testing.T) {
	bad := map[string][]string{
		"no admin password nor Secret":    {},
		"negative replicas":               {"--set", "databaseServers[0].name=default,databaseServers[0].password=x,operator.replicas=-1"},
		"server name not a DNS label":     {"--set", "databaseServers[0].name=Server_1,databaseServers[0].password=x"},
		"unknown log level":               {"--set", "databaseServers[0].name=default,databaseServers[0].password=x,operator.logLevel=loud,api.controlDatabase.existingSecret=c"},
		"no control database for the API": {"--set", "databaseServers[0].name=default,databaseServers[0].password=x"},
		"no image repository":             {"--set", "image.repository=,databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=c"},
		"a digest that is not one":        {"--set", "image.digests.api=latest,databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=c"},
	}
	for name, args := range bad {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(helmBin(t), append([]string{"template", "slrt", chartDir(t), "--set", imageRepository}, args...)...)
			if out, err := cmd.CombinedOutput(); err == nil {
				t.Errorf("rendered without complaint:\n%.300s", out)
			}
		})
	}
}

// The chart carries copies of generated manifests; `make manifests` keeps
// them equal to config/.
func TestChartCopiesOfGeneratedManifestsAreCurrent(t *testing.T) {
	root := env.Root
	pairs := [][2]string{
		{"config/crd/slrt.id_kecamatan.yaml", "charts/slrt/crds/slrt.id_kecamatan.yaml"},
		{"config/crd/slrt.id_databaseservers.yaml", "charts/slrt/crds/slrt.id_databaseservers.yaml"},
		{"config/rbac/role.yaml", "charts/slrt/files/operator-role.yaml"},
		{"config/rbac/api/role.yaml", "charts/slrt/files/api-role.yaml"},
		{"config/rbac/credentials-reader.yaml", "charts/slrt/files/credentials-reader.yaml"},
	}
	for _, p := range pairs {
		a, errA := os.ReadFile(filepath.Join(root, p[0]))
		b, errB := os.ReadFile(filepath.Join(root, p[1]))
		if err := errors.Join(errA, errB); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s: run `make manifests`", p[1], p[0])
		}
	}
}

func chartDir(t *testing.T) string { return filepath.Join(env.Root, "charts", "slrt") }

func helmBin(t *testing.T) string { return testenv.Helm(t, env.Root) }

// imageRepository is where every render's images come from: an install has
// to name it (there is no default registry).
const imageRepository = "image.repository=registry.example.org/slrt"

// helm runs helm; renders and lints name the image repository first, so a
// later --set may override it.
func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	if args[0] == "template" || args[0] == "lint" {
		args = append([]string{args[0], "--set", imageRepository}, args[1:]...)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(helmBin(t), args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("decoding rendered chart: %v", err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// Each component runs its own image, pinned by digest when the values carry
// the digests `make images` wrote.
func TestImagesArePinnedByDigestWhenGiven(t *testing.T) {
	const (
		operatorDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
		apiDigest      = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	)
	base := "databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=c,image.tag=v1.2.3"
	cases := map[string]struct {
		set           string
		operator, api string
	}{
		"by tag": {base, "registry.example.org/slrt/slrt-operator:v1.2.3", "registry.example.org/slrt/slrt-api:v1.2.3"},
		"by digest": {base + ",image.digests.operator=" + operatorDigest + ",image.digests.api=" + apiDigest,
			"registry.example.org/slrt/slrt-operator:v1.2.3@" + operatorDigest, "registry.example.org/slrt/slrt-api:v1.2.3@" + apiDigest},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			images := map[string]string{}
			for _, o := range decode(t, helm(t, "template", "slrt", chartDir(t), "--namespace", releaseNamespace, "--set", c.set)) {
				if o.GetKind() != "Deployment" {
					continue
				}
				containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
				images[containers[0].(map[string]any)["name"].(string)] = containers[0].(map[string]any)["image"].(string)
			}
			if images["operator"] != c.operator || images["api"] != c.api {
				t.Errorf("images %v, want operator %s and api %s", images, c.operator, c.api)
			}
		})
	}
}

// Both Go binaries learn their memory limit, so that they collect garbage
// harder near it rather than being killed at it.
func TestGoBinariesKnowTheirMemoryLimit(t *testing.T) {
	objs := decode(t, helm(t, "template", "slrt", chartDir(t), "--namespace", releaseNamespace, "--set",
		"databaseServers[0].name=default,databaseServers[0].password=x,api.controlDatabase.existingSecret=c"))
	seen := 0
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		env, _, _ := unstructured.NestedSlice(containers[0].(map[string]any), "env")
		for _, e := range env {
			if e.(map[string]any)["name"] != "GOMEMLIMIT" {
				continue
			}
			if res, _, _ := unstructured.NestedString(e.(map[string]any), "valueFrom", "resourceFieldRef", "resource"); res != "limits.memory" {
				t.Errorf("%s: GOMEMLIMIT from %q", o.GetName(), res)
			}
			seen++
		}
	}
	if seen != 2 {
		t.Errorf("GOMEMLIMIT set in %d Deployments, want the operator's and the API's", seen)
	}
}
