// Command slrt-dev runs the whole SLRT platform on this machine: PostgreSQL,
// a Kubernetes control plane, the operator and the API, with the three pilot
// kecamatan, demo staff and demo cases. `make dev` builds what it needs and
// runs it. See the README.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/slrt-id/slrt/internal/devstack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "\nslrt-dev:", err)
		os.Exit(1)
	}
}

func run() error {
	var o devstack.Options
	flag.StringVar(&o.Root, "root", ".", "the repository (its config/crd is applied)")
	flag.StringVar(&o.Dir, "dir", ".dev", "state kept between runs: data, logs, kubeconfig")
	flag.StringVar(&o.Bin, "bin", "bin", "folder of slrt-api and slrt-operator")
	flag.StringVar(&o.KubeAssets, "kube-assets", os.Getenv("KUBEBUILDER_ASSETS"), "folder of kube-apiserver, etcd and kubectl (env KUBEBUILDER_ASSETS)")
	flag.StringVar(&o.APIAddr, "api-listen", "127.0.0.1:8080", "address of the API")
	flag.BoolVar(&o.Fresh, "fresh", false, "remove the state of earlier runs first")
	flag.Parse()
	if o.KubeAssets == "" {
		return fmt.Errorf("--kube-assets (or KUBEBUILDER_ASSETS) is required; `make dev` sets it")
	}
	for _, p := range []*string{&o.Root, &o.Dir, &o.Bin, &o.KubeAssets} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	o.Out = os.Stdout

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	stack, err := devstack.Start(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		fmt.Println("\n==> stopping: slrt-api, slrt-operator, the control plane, PostgreSQL")
		stack.Stop()
		fmt.Println("==> stopped; the data stays in", o.Dir)
	}()
	stack.PrintSummary(os.Stdout)
	return stack.Wait(ctx)
}
