package ociimage

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// WriteLayout writes b as an OCI image layout in dir/NAME (the image
// tagged with its version, and its SBOM), the same as one tar file
// dir/NAME.tar (what `podman load` and `skopeo copy oci-archive:` read),
// and the SBOM alone as dir/NAME.cdx.json.
func WriteLayout(dir string, b *Built) error {
	root := filepath.Join(dir, b.Name)
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("clearing %s: %w", root, err)
	}
	p, err := layout.Write(root, empty.Index)
	if err != nil {
		return fmt.Errorf("writing the layout of %s: %w", b.Name, err)
	}
	version := b.Version()
	if err := p.AppendImage(b.Image, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": version,
	})); err != nil {
		return fmt.Errorf("writing %s into its layout: %w", b.Name, err)
	}
	if err := p.AppendImage(b.SBOM); err != nil {
		return fmt.Errorf("writing %s's SBOM into its layout: %w", b.Name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, b.Name+".cdx.json"), b.SBOMDocument, 0o644); err != nil {
		return fmt.Errorf("writing %s's SBOM: %w", b.Name, err)
	}
	return tarFolder(root, root+".tar")
}

// Version is the version the image was built as.
func (b *Built) Version() string {
	cfg, err := b.Image.ConfigFile()
	if err != nil {
		return ""
	}
	return cfg.Config.Labels["org.opencontainers.image.version"]
}

// Digest is the image's digest.
func (b *Built) Digest() (v1.Hash, error) { return b.Image.Digest() }

// tarFolder writes the files under root into file the way a layer is
// written (sorted, owner root, a fixed time), so that a layout gives one tar.
func tarFolder(root, file string) error {
	var files []File
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		f := File{Path: "/" + filepath.ToSlash(rel), Dir: d.IsDir()}
		if !f.Dir {
			f.Data, err = os.ReadFile(p)
		}
		files = append(files, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("reading %s: %w", root, err)
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := writeTar(out, files, time.Unix(0, 0)); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return out.Close()
}

// Push writes b to repository/NAME, tagged with its version, and its SBOM
// by digest (a registry with the referrers API lists it under the image;
// for others go-containerregistry keeps the referrers tag). Credentials
// come from the usual container configuration (docker login, podman login).
func Push(repository string, b *Built) (name.Digest, error) {
	tag, err := name.NewTag(repository + "/" + b.Name + ":" + b.Version())
	if err != nil {
		return name.Digest{}, fmt.Errorf("naming %s in %s: %w", b.Name, repository, err)
	}
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	if err := remote.Write(tag, b.Image, opts...); err != nil {
		return name.Digest{}, fmt.Errorf("pushing %s: %w", tag, err)
	}
	sbomDigest, err := b.SBOM.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	if err := remote.Write(tag.Context().Digest(sbomDigest.String()), b.SBOM, opts...); err != nil {
		return name.Digest{}, fmt.Errorf("pushing the SBOM of %s: %w", tag, err)
	}
	d, err := b.Image.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	return tag.Context().Digest(d.String()), nil
}
