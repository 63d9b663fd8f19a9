package ociimage

import (
	"encoding/pem"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The user every image runs as: no login, no home of its own, the uid and
// gid distroless images use, so clusters' policies for them apply.
const (
	UserID   = 65532
	UserName = "nonroot"
)

// caBundlePath is where Go, OpenSSL and libpq look for CA certificates on
// Debian-like systems.
const caBundlePath = "/etc/ssl/certs/ca-certificates.crt"

// baseFiles are what every image holds besides its programs: the user in
// /etc/passwd and /etc/group (so that programs asking who they run as get
// an answer), the Mozilla root certificates as Go's x509roots module
// publishes them (its version is pinned in go.mod, so the bundle changes
// only with it), and a world-writable /tmp.
func baseFiles() []File {
	var certs []byte
	for root := range bundle.Roots() {
		// A root with constraints beyond X.509 (a distrust date) cannot be
		// expressed in a PEM bundle: leave it out rather than trust it
		// without them.
		if root.Constraint != nil {
			continue
		}
		certs = append(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate})...)
	}
	return []File{
		{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/sbin/nologin\n" +
			"nonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n")},
		{Path: "/etc/group", Data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{Path: caBundlePath, Data: certs},
		{Path: "/tmp", Dir: true, Mode: 0o1777},
	}
}
