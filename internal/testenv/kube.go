package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Kube is a Kubernetes control plane (kube-apiserver and etcd) for tests,
// with the project's CRDs installed. It runs no controllers but the ones a
// test starts: no garbage collection, no namespace finalisation.
type Kube struct {
	Config *rest.Config
	// Assets is the folder of kube-apiserver, etcd and kubectl.
	Assets string
	env    *envtest.Environment
}

// StartKube starts the control plane from the binaries in KUBEBUILDER_ASSETS,
// or else in bin/k8s-* under the repository root (`make envtest` builds them).
func StartKube(root string) (*Kube, error) {
	assets, err := kubeAssets(root)
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	// Hand the control plane's processes to the watchdog before anything
	// else can fail, so that they never outlive the tests.
	groups, gerr := childGroups()
	for _, g := range groups {
		gerr = errors.Join(gerr, guardGroup(g))
	}
	if err != nil {
		_ = env.Stop()
		return nil, err
	}
	if gerr != nil {
		_ = env.Stop()
		return nil, gerr
	}
	return &Kube{Config: cfg, Assets: assets, env: env}, nil
}

// Stop stops the control plane and removes its files.
func (k *Kube) Stop() error { return k.env.Stop() }

func kubeAssets(root string) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	matches, _ := filepath.Glob(filepath.Join(root, "bin", "k8s-*", "kube-apiserver"))
	if len(matches) == 0 {
		return "", fmt.Errorf("no kube-apiserver in %s/bin/k8s-*; run `make envtest` or set KUBEBUILDER_ASSETS", root)
	}
	sort.Strings(matches)
	return filepath.Dir(matches[len(matches)-1]), nil
}
