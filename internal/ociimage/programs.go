package ociimage

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Programs are programs of this machine copied into an image, with the
// shared libraries they load and the Debian packages they came from (for
// the SBOM).
type Programs struct {
	Files    []File
	Packages []Package
}

// Package is a Debian package some of an image's files came from.
type Package struct {
	Name, Version string
}

// HostPrograms copies the named programs from dir with every shared
// library they load (as ldd resolves them here, the dynamic loader
// included), at the same paths. The image then holds exactly what those
// programs need; the digest follows this machine's packages, whose
// versions the SBOM names.
func HostPrograms(dir string, names ...string) (Programs, error) {
	var out Programs
	seen := map[string]bool{}
	add := func(path string, mode int64) error {
		if seen[path] {
			return nil
		}
		seen[path] = true
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return fmt.Errorf("resolving %s: %w", path, err)
		}
		data, err := os.ReadFile(real)
		if err != nil {
			return fmt.Errorf("reading %s: %w", real, err)
		}
		out.Files = append(out.Files, File{Path: path, Mode: mode, Data: data})
		return nil
	}
	for _, name := range names {
		prog := filepath.Join(dir, name)
		if err := add(prog, 0o755); err != nil {
			return Programs{}, err
		}
		libs, err := sharedLibraries(prog)
		if err != nil {
			return Programs{}, err
		}
		for _, lib := range libs {
			if err := add(lib, 0o644); err != nil {
				return Programs{}, err
			}
		}
	}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].Path < out.Files[j].Path })
	pkgs, err := debianPackages(out.Files)
	if err != nil {
		return Programs{}, err
	}
	out.Packages = pkgs
	return out, nil
}

// sharedLibraries lists what ldd says prog loads: "name => /path (addr)"
// lines and the loader's own "/path (addr)" line.
func sharedLibraries(prog string) ([]string, error) {
	outb, err := exec.Command("ldd", prog).Output()
	if err != nil {
		return nil, fmt.Errorf("listing the libraries of %s (ldd): %w", prog, err)
	}
	var libs []string
	sc := bufio.NewScanner(bytes.NewReader(outb))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 3 && fields[1] == "=>" && strings.HasPrefix(fields[2], "/"):
			libs = append(libs, fields[2])
		case len(fields) >= 1 && strings.HasPrefix(fields[0], "/"):
			libs = append(libs, fields[0])
		}
	}
	return libs, sc.Err()
}

// debianPackages names the packages that own files, as dpkg knows them. A
// machine without dpkg gives none: the SBOM then lists the files' programs
// without their packages.
func debianPackages(files []File) ([]Package, error) {
	if _, err := exec.LookPath("dpkg-query"); err != nil {
		return nil, nil
	}
	owners := map[string]bool{}
	for _, f := range files {
		real, err := filepath.EvalSymlinks(f.Path)
		if err != nil {
			return nil, fmt.Errorf("resolving %s: %w", f.Path, err)
		}
		for _, p := range []string{f.Path, real} {
			out, err := exec.Command("dpkg-query", "--search", p).Output()
			if err != nil {
				continue // not a packaged path (a /lib64 alias, say)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if pkg, _, ok := strings.Cut(line, ": "); ok {
					for _, name := range strings.Split(pkg, ", ") {
						owners[name] = true
					}
				}
			}
			break
		}
	}
	var pkgs []Package
	for name := range owners {
		out, err := exec.Command("dpkg-query", "--show", "--showformat=${Version}", name).Output()
		if err != nil {
			return nil, fmt.Errorf("reading the version of package %s: %w", name, err)
		}
		pkgs = append(pkgs, Package{Name: name, Version: string(out)})
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, nil
}
