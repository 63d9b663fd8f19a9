package tenantbackup

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Store keeps dumps as files under a folder: a volume mounted into the
// operator. A dump is written to a temporary file, synced and renamed, so a
// file under its final name is always whole.
type Store struct {
	Dir string
}

// ErrCorrupt says a stored dump is not the one the backup recorded.
var ErrCorrupt = errors.New("the dump does not match its recorded digest")

func (s Store) path(name string) (string, error) {
	if s.Dir == "" {
		return "", errors.New("no backup store is configured (the operator's --backup-dir)")
	}
	if !filepath.IsLocal(name) {
		return "", fmt.Errorf("backup file name %q is not a path inside the store", name)
	}
	return filepath.Join(s.Dir, name), nil
}

// Write stores what fill writes as name, and returns its size and SHA-256.
// Nothing is left under name when fill fails.
func (s Store) Write(name string, fill func(io.Writer) error) (size int64, digest string, err error) {
	path, err := s.path(name)
	if err != nil {
		return 0, "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return 0, "", fmt.Errorf("while making the folder of %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return 0, "", fmt.Errorf("while creating %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	counter := &countingWriter{w: io.MultiWriter(tmp, h)}
	if err := fill(counter); err != nil {
		return 0, "", err
	}
	if err := tmp.Sync(); err != nil {
		return 0, "", fmt.Errorf("while syncing %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, "", fmt.Errorf("while closing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, "", fmt.Errorf("while naming %s: %w", name, err)
	}
	return counter.n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open opens a stored dump after checking it against digest.
func (s Store) Open(name, digest string) (*os.File, error) {
	path, err := s.path(name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("while opening backup file %s: %w", name, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("while reading backup file %s: %w", name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, digest) {
		_ = f.Close()
		return nil, fmt.Errorf("backup file %s has SHA-256 %s, the backup recorded %s: %w", name, got, digest, ErrCorrupt)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("while rewinding backup file %s: %w", name, err)
	}
	return f, nil
}

// Remove deletes a stored dump; one already gone is not an error.
func (s Store) Remove(name string) error {
	path, err := s.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("while deleting backup file %s: %w", name, err)
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
