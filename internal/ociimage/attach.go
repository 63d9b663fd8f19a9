package ociimage

import (
	"bytes"
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// attached is doc as an OCI artifact whose subject is img: a manifest
// with the SBOM's artifact type, the empty config and doc as its one
// blob, the way OCI 1.1 attaches an SBOM or a signature to an image.
// Registries that serve the referrers API list it under img's digest.
func attached(img v1.Image, doc []byte) (v1.Image, error) {
	subject, err := partial.Descriptor(img)
	if err != nil {
		return nil, err
	}
	blob := static.NewLayer(doc, SBOMMediaType)
	blobDesc, err := partial.Descriptor(blob)
	if err != nil {
		return nil, err
	}
	empty := []byte("{}")
	emptyDigest, _, err := v1.SHA256(bytes.NewReader(empty))
	if err != nil {
		return nil, err
	}
	manifest, err := json.Marshal(v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: SBOMMediaType,
		Config:  v1.Descriptor{MediaType: types.OCIEmptyJSON, Digest: emptyDigest, Size: int64(len(empty)), Data: empty},
		Layers:  []v1.Descriptor{*blobDesc},
		Subject: &v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size},
	})
	if err != nil {
		return nil, fmt.Errorf("writing the SBOM's manifest: %w", err)
	}
	return partial.CompressedToImage(artifact{manifest: manifest, blob: blob, config: empty})
}

// artifact is a manifest with one blob, read by go-containerregistry as
// an image so that its layout and registry writers carry it.
type artifact struct {
	manifest, config []byte
	blob             v1.Layer
}

func (a artifact) RawConfigFile() ([]byte, error)      { return a.config, nil }
func (a artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a artifact) RawManifest() ([]byte, error)        { return a.manifest, nil }
func (a artifact) ArtifactType() (string, error)       { return SBOMMediaType, nil }
func (a artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, _ := a.blob.Digest(); d == h {
		return a.blob, nil
	}
	return nil, fmt.Errorf("the SBOM artifact has no blob %s", h)
}
