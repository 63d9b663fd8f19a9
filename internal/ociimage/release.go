package ociimage

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Release says which commit to build and what to call it.
type Release struct {
	// Module is the folder of go.mod; Work a scratch folder for binaries.
	Module, Work string
	// Source is the project's address, for the annotations.
	Source string
	// Version names the release; empty means the commit's short hash.
	Version string
	// PGBinDir is where pg_dump and pg_restore are; empty means the newest
	// /usr/lib/postgresql/*/bin.
	PGBinDir string
	// Arch is the GOARCH to build for; empty means this machine's.
	Arch string
}

// Images are the images a release ships: the operator (which runs pg_dump
// and pg_restore for backups and moves, so they come along) and the API.
// slrtctl is a tool for people, not a workload: it ships as a binary.
var Images = []struct {
	Name, Package string
	Programs      []string
}{
	{"slrt-operator", "./cmd/slrt-operator", []string{"pg_dump", "pg_restore"}},
	{"slrt-api", "./cmd/slrt-api", nil},
}

// BuildRelease builds every image of r's commit: static binaries (no cgo,
// paths trimmed, no build id), stamped with the commit's time.
func BuildRelease(ctx context.Context, r Release) ([]*Built, error) {
	revision, err := git(ctx, r.Module, "rev-parse", "HEAD")
	if err != nil {
		return nil, err
	}
	seconds, err := git(ctx, r.Module, "log", "-1", "--format=%ct")
	if err != nil {
		return nil, err
	}
	unix, err := strconv.ParseInt(seconds, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("reading the commit's time %q: %w", seconds, err)
	}
	if r.Version == "" {
		r.Version = revision[:12]
	}
	if r.Arch == "" {
		r.Arch = runtime.GOARCH
	}
	var out []*Built
	for _, image := range Images {
		bin := filepath.Join(r.Work, image.Name)
		if err := GoBuild(ctx, r.Module, r.Arch, bin, image.Package); err != nil {
			return nil, err
		}
		var programs Programs
		if len(image.Programs) > 0 {
			dir := r.PGBinDir
			if dir == "" {
				if dir, err = PostgreSQLBinDir(); err != nil {
					return nil, fmt.Errorf("building %s: %w", image.Name, err)
				}
			}
			if programs, err = HostPrograms(dir, image.Programs...); err != nil {
				return nil, fmt.Errorf("building %s: %w", image.Name, err)
			}
		}
		built, err := Build(Spec{
			Name: image.Name, Binary: bin, Programs: programs, Created: time.Unix(unix, 0),
			Source: r.Source, Revision: revision, Version: r.Version, Arch: r.Arch,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, built)
	}
	return out, nil
}

// GoBuild builds packages of module into out (a file for one package, a
// folder ending in / for several) the way the images carry them: static (no
// cgo), paths trimmed, no build id, so that a commit always gives the same
// bytes. Tests that run the shipped binaries build them with it too: they
// test what ships, and share the build cache with the images.
func GoBuild(ctx context.Context, module, arch, out string, packages ...string) error {
	if arch == "" {
		arch = runtime.GOARCH
	}
	build := exec.CommandContext(ctx, "go", append([]string{"build", "-trimpath", "-ldflags=-s -w -buildid=", "-o", out}, packages...)...)
	build.Dir = module
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %w\n%s", strings.Join(packages, " "), err, msg)
	}
	return nil
}

// PostgreSQLBinDir is the folder of the newest PostgreSQL client programs
// in Debian's layout, which the operator also looks in by default.
func PostgreSQLBinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var found []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_dump")); err == nil {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return "", fmt.Errorf("pg_dump is not installed in /usr/lib/postgresql/*/bin: install PostgreSQL's client programs (make postgres) or name their folder")
	}
	sort.Slice(found, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(found[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(found[j])))
		return a > b
	})
	return found[0], nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
