// Command images builds the platform's container images without a
// container engine (package ociimage) and, with -push, pushes them. Run by
// `make images` and `make push REGISTRY=...`.
//
//	go run ./hack/images -out bin/images [-push registry.example.org/slrt]
//
// It writes, for each image, an OCI layout (bin/images/NAME/), the same
// as a tar (NAME.tar), its SBOM (NAME.cdx.json), and for the chart the
// digests as values (bin/images/values.yaml: helm install -f it).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/slrt-id/slrt/internal/ociimage"
)

func main() {
	var (
		out      = flag.String("out", "bin/images", "folder for the layouts, tars and SBOMs")
		push     = flag.String("push", "", "a registry repository to push to (images go to REPOSITORY/NAME)")
		version  = flag.String("version", "", "the release's version (default: the commit's short hash)")
		source   = flag.String("source", "https://github.com/slrt-id/slrt", "the project's address, for the images' annotations")
		pgBinDir = flag.String("pg-bin-dir", "", "folder of pg_dump and pg_restore for the operator's image (default: the newest /usr/lib/postgresql/*/bin)")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *out, *push, ociimage.Release{Module: ".", Source: *source, Version: *version, PGBinDir: *pgBinDir}); err != nil {
		fmt.Fprintln(os.Stderr, "images:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, push string, r ociimage.Release) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "slrt-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	r.Work = work
	built, err := ociimage.BuildRelease(ctx, r)
	if err != nil {
		return err
	}
	values := []string{"# Written by `make images`: helm install -f this file pins the images by digest.", "image:"}
	if push != "" {
		values = append(values, "  repository: "+push)
	}
	if len(built) > 0 {
		values = append(values, fmt.Sprintf("  tag: %q", built[0].Version()))
	}
	values = append(values, "  digests:")
	for _, b := range built {
		if err := ociimage.WriteLayout(out, b); err != nil {
			return err
		}
		digest, err := b.Digest()
		if err != nil {
			return err
		}
		where := filepath.Join(out, b.Name+".tar")
		if push != "" {
			ref, err := ociimage.Push(push, b)
			if err != nil {
				return err
			}
			where = ref.String()
		}
		fmt.Printf("%s %s %s\n", b.Name, digest, where)
		values = append(values, fmt.Sprintf("    %s: %q", strings.TrimPrefix(b.Name, "slrt-"), digest.String()))
	}
	return os.WriteFile(filepath.Join(out, "values.yaml"), []byte(strings.Join(values, "\n")+"\n"), 0o644)
}
