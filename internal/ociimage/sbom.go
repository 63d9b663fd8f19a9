package ociimage

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/uuid"
)

// SBOMMediaType is the SBOM's media type, and the artifact type of the
// manifest that attaches it to its image.
const SBOMMediaType = "application/vnd.cyclonedx+json"

// sbomOf describes img in CycloneDX: the image, its binary, the Go
// toolchain and every module compiled into the binary (read from the
// binary itself), the Debian packages of the other programs, and the
// certificate bundle. It names the image by digest, and its serial number
// and time follow from the image, so a rebuild gives the same document.
func sbomOf(spec Spec, bin []byte, img v1.Image) ([]byte, error) {
	digest, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("reading %s's digest: %w", spec.Name, err)
	}
	info, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		return nil, fmt.Errorf("reading the build information of %s: %w", spec.Name, err)
	}
	sum := sha256.Sum256(bin)

	components := []cdx.Component{{
		BOMRef: "binary:" + spec.Name, Type: cdx.ComponentTypeApplication, Name: spec.Name, Version: spec.Version,
		Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: hex.EncodeToString(sum[:])}},
		Properties: &[]cdx.Property{{Name: "path", Value: "/" + spec.Name}},
	}, goModule("stdlib", strings.TrimPrefix(info.GoVersion, "go"))}
	for _, m := range info.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		components = append(components, goModule(m.Path, m.Version))
	}
	if self, ok := debug.ReadBuildInfo(); ok {
		for _, m := range self.Deps {
			if m.Path == "golang.org/x/crypto/x509roots/fallback" {
				c := goModule(m.Path, m.Version)
				c.Description = "Mozilla's root certificates, written to " + caBundlePath
				components = append(components, c)
			}
		}
	}
	for _, p := range spec.Programs.Packages {
		name, arch, _ := strings.Cut(p.Name, ":")
		purl := "pkg:deb/debian/" + name + "@" + p.Version
		if arch != "" {
			purl += "?arch=" + arch
		}
		components = append(components, cdx.Component{BOMRef: purl, Type: cdx.ComponentTypeLibrary,
			Name: name, Version: p.Version, PackageURL: purl})
	}

	imageRef := "pkg:oci/" + spec.Name + "@" + digest.String()
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(imageRef)).String()
	bom.Metadata = &cdx.Metadata{
		Timestamp: spec.Created.UTC().Truncate(time.Second).Format(time.RFC3339),
		Component: &cdx.Component{BOMRef: imageRef, Type: cdx.ComponentTypeContainer,
			Name: spec.Name, Version: spec.Version, PackageURL: imageRef},
	}
	bom.Components = &components
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).Encode(bom); err != nil {
		return nil, fmt.Errorf("writing %s's SBOM: %w", spec.Name, err)
	}
	return buf.Bytes(), nil
}

func goModule(path, version string) cdx.Component {
	purl := "pkg:golang/" + path + "@" + version
	return cdx.Component{BOMRef: purl, Type: cdx.ComponentTypeLibrary, Name: path, Version: version, PackageURL: purl}
}
