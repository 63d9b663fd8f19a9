// Package ociimage builds the platform's container images without a
// container engine: a static Go binary on a base made here (CA
// certificates, a non-root user, /tmp) and, where a binary runs other
// programs, those programs with the shared libraries they load. Every file
// carries the same owner and time, so one commit gives one digest. Each
// image gets a CycloneDX SBOM, attached to it as an OCI artifact.
package ociimage
