package ociimage

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// File is one entry of an image's filesystem.
type File struct {
	// Path is absolute, as seen inside the container.
	Path string
	// Mode holds the permission bits (and sticky bit); a zero Mode means
	// 0o644 for a file, 0o755 for a folder.
	Mode int64
	// Dir marks a folder; Link a symbolic link to that target.
	Dir  bool
	Link string
	Data []byte
}

// layer writes files into one gzip-compressed tar layer, as writeTar
// lays them out, so the same files give the same digest.
func layer(files []File, at time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	if err := writeTar(&buf, files, at); err != nil {
		return nil, fmt.Errorf("writing a layer: %w", err)
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// writeTar writes files as a tar. Folders that hold a file are added when
// not listed; entries are sorted by path and carry owner root and
// modification time at, so the same files always give the same bytes.
func writeTar(w io.Writer, files []File, at time.Time) error {
	byPath := map[string]File{}
	for _, f := range files {
		if !strings.HasPrefix(f.Path, "/") {
			return fmt.Errorf("file %q: path is not absolute", f.Path)
		}
		byPath[path.Clean(f.Path)] = f
		for dir := path.Dir(f.Path); dir != "/"; dir = path.Dir(dir) {
			if _, ok := byPath[dir]; !ok {
				byPath[dir] = File{Path: dir, Dir: true}
			}
		}
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	tw := tar.NewWriter(w)
	for _, p := range paths {
		f := byPath[p]
		hdr := &tar.Header{
			Name: strings.TrimPrefix(p, "/"), Mode: f.Mode, ModTime: at,
			Uname: "root", Gname: "root", Format: tar.FormatPAX,
		}
		switch {
		case f.Dir:
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
			if hdr.Mode == 0 {
				hdr.Mode = 0o755
			}
		case f.Link != "":
			hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, f.Link, 0o777
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(f.Data))
			if hdr.Mode == 0 {
				hdr.Mode = 0o644
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write(f.Data); err != nil {
				return fmt.Errorf("writing %s: %w", p, err)
			}
		}
	}
	return tw.Close()
}
