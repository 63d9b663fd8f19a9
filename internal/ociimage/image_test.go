package ociimage

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// buildHello builds the smallest program's image and writes its layout.
func buildHello(t *testing.T) (*Built, []byte) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "hello")
	if err := GoBuild(context.Background(), "../..", "", bin, "./internal/ociimage/testdata/hello"); err != nil {
		t.Fatal(err)
	}
	b, err := Build(Spec{Name: "hello", Binary: bin, Created: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		Source: "https://example.org/slrt", Revision: "0123456789abcdef", Version: "v0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout(dir, b); err != nil {
		t.Fatal(err)
	}
	tar, err := os.ReadFile(filepath.Join(dir, "hello.tar"))
	if err != nil {
		t.Fatal(err)
	}
	return b, tar
}

// make push: the image lands in a registry under its tag, with the same
// digest, and its SBOM beside it as a referrer.
func TestPushWritesTheImageAndItsSBOMToARegistry(t *testing.T) {
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	b, _ := buildHello(t)
	repo := strings.TrimPrefix(reg.URL, "http://") + "/slrt"
	pushed, err := Push(repo, b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := b.Digest()
	got, err := remote.Head(must(name.NewTag(repo + "/hello:v0.0.1")))
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != want || pushed.DigestStr() != want.String() {
		t.Errorf("pushed %s, the tag names %s, built %s", pushed.DigestStr(), got.Digest, want)
	}
	referrers, err := remote.Referrers(must(name.NewDigest(repo + "/hello@" + want.String())))
	if err != nil {
		t.Fatal(err)
	}
	index, err := referrers.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].ArtifactType != SBOMMediaType {
		t.Errorf("the image's referrers: %+v", index.Manifests)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// One program built twice, in two folders, gives the same image and the
// same tar file to the byte; the image runs its binary as user 65532
// with the OCI annotations, and its SBOM names the binary by hash and
// refers to the image by digest.
func TestAnImageIsTheSameEveryTimeItIsBuilt(t *testing.T) {
	first, firstTar := buildHello(t)
	again, againTar := buildHello(t)
	d1, _ := first.Digest()
	d2, _ := again.Digest()
	if d1 != d2 || !bytes.Equal(firstTar, againTar) {
		t.Fatalf("built twice: %s and %s, tars equal %v", d1, d2, bytes.Equal(firstTar, againTar))
	}

	cfg, err := first.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "65532:65532" || len(cfg.Config.Entrypoint) != 1 || cfg.Config.Entrypoint[0] != "/hello" {
		t.Errorf("user %q, entrypoint %v", cfg.Config.User, cfg.Config.Entrypoint)
	}
	manifest, err := first.Image.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.source": "https://example.org/slrt", "org.opencontainers.image.revision": "0123456789abcdef",
		"org.opencontainers.image.version": "v0.0.1", "org.opencontainers.image.created": "2026-12-01T08:00:00Z",
	} {
		if manifest.Annotations[k] != want {
			t.Errorf("annotation %s = %q, want %q", k, manifest.Annotations[k], want)
		}
	}

	sbomManifest, err := first.SBOM.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if sbomManifest.Subject == nil || sbomManifest.Subject.Digest != d1 || sbomManifest.ArtifactType != SBOMMediaType {
		t.Errorf("the SBOM does not refer to the image: subject %+v, artifactType %q", sbomManifest.Subject, sbomManifest.ArtifactType)
	}
	var bom struct {
		Metadata struct {
			Component struct {
				PURL string `json:"purl"`
			} `json:"component"`
		} `json:"metadata"`
		Components []struct {
			Name   string `json:"name"`
			Hashes []struct {
				Content string `json:"content"`
			} `json:"hashes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(first.SBOMDocument, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.Metadata.Component.PURL != "pkg:oci/hello@"+d1.String() {
		t.Errorf("the SBOM describes %q", bom.Metadata.Component.PURL)
	}
	if len(bom.Components) < 2 || bom.Components[0].Name != "hello" || len(bom.Components[0].Hashes) != 1 || bom.Components[1].Name != "stdlib" {
		t.Errorf("the SBOM's components: %+v", bom.Components)
	}
}
