package ociimage

import (
	"fmt"
	"os"
	"path"
	"runtime"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Spec describes one image.
type Spec struct {
	// Name is the image's and its binary's name: the binary is /Name and
	// the entrypoint.
	Name string
	// Binary is the built program's path on this machine.
	Binary string
	// Programs are other programs the binary runs, with the libraries they
	// load (HostPrograms gathers them).
	Programs Programs
	// Env is the containers' environment besides PATH.
	Env []string
	// Created is every file's and the image's time: the commit's, so that a
	// rebuild of one commit gives one digest.
	Created time.Time
	// Source, Revision and Version become the OCI annotations (and labels).
	Source, Revision, Version string
	// Arch is the binary's GOARCH; empty means this machine's.
	Arch string
}

// Built is an image and its SBOM, attached to it.
type Built struct {
	Name  string
	Image v1.Image
	SBOM  v1.Image
	// SBOMDocument is the SBOM itself (CycloneDX JSON).
	SBOMDocument []byte
}

// Build assembles spec's image: a base layer, a layer of the other
// programs when there are any, and the binary's own layer last, so that a
// rebuild with a new binary shares the layers below it.
func Build(spec Spec) (*Built, error) {
	bin, err := os.ReadFile(spec.Binary)
	if err != nil {
		return nil, fmt.Errorf("reading the %s binary: %w", spec.Name, err)
	}
	at := spec.Created.UTC().Truncate(time.Second)
	arch := spec.Arch
	if arch == "" {
		arch = runtime.GOARCH
	}

	parts := []layerPart{{"base: CA certificates, user nonroot, /tmp", baseFiles()}}
	if len(spec.Programs.Files) > 0 {
		parts = append(parts, layerPart{"programs the binary runs, with their libraries", spec.Programs.Files})
	}
	parts = append(parts, layerPart{"the binary", []File{{Path: "/" + spec.Name, Mode: 0o755, Data: bin}}})
	var adds []mutate.Addendum
	for _, p := range parts {
		l, err := layer(p.files, at)
		if err != nil {
			return nil, fmt.Errorf("building the layer of %s's %s: %w", spec.Name, p.what, err)
		}
		adds = append(adds, mutate.Addendum{Layer: l, MediaType: types.OCILayer,
			History: v1.History{Created: v1.Time{Time: at}, CreatedBy: "ociimage: " + p.what}})
	}

	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.Append(img, adds...); err != nil {
		return nil, fmt.Errorf("adding %s's layers: %w", spec.Name, err)
	}
	annotations := map[string]string{
		"org.opencontainers.image.title":    spec.Name,
		"org.opencontainers.image.source":   spec.Source,
		"org.opencontainers.image.revision": spec.Revision,
		"org.opencontainers.image.version":  spec.Version,
		"org.opencontainers.image.created":  at.Format(time.RFC3339),
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading %s's config: %w", spec.Name, err)
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS, cfg.Created = arch, "linux", v1.Time{Time: at}
	cfg.Config = v1.Config{
		Entrypoint: []string{path.Join("/", spec.Name)},
		User:       strconv.Itoa(UserID) + ":" + strconv.Itoa(UserID),
		WorkingDir: "/",
		Env:        append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "SSL_CERT_FILE=" + caBundlePath}, spec.Env...),
		Labels:     annotations,
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, fmt.Errorf("setting %s's config: %w", spec.Name, err)
	}
	img = mutate.Annotations(img, annotations).(v1.Image)

	doc, err := sbomOf(spec, bin, img)
	if err != nil {
		return nil, err
	}
	sbom, err := attached(img, doc)
	if err != nil {
		return nil, fmt.Errorf("attaching %s's SBOM: %w", spec.Name, err)
	}
	return &Built{Name: spec.Name, Image: img, SBOM: sbom, SBOMDocument: doc}, nil
}

// layerPart is one layer: what it holds (for the image's history) and its files.
type layerPart struct {
	what  string
	files []File
}
