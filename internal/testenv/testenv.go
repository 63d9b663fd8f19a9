// Package testenv starts the real services that tests run against: a private
// PostgreSQL server and a Kubernetes control plane (kube-apiserver and etcd,
// through controller-runtime's envtest). Each test package starts them once in
// TestMain with Run, and they are stopped and removed when the package's tests
// end, also when a test panics or the test binary is killed: a watchdog
// process outlives the test binary just long enough to stop what it started.
package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Options says which services a test package needs.
type Options struct {
	Postgres bool
	Kube     bool
}

// Env holds the running services.
type Env struct {
	Postgres *Postgres
	Kube     *Kube
	// Root is the repository root (the folder holding go.mod).
	Root string

	cleanups []func()
}

// Cleanup registers fn to run when the tests end, after the setup context is
// cancelled and before the services stop: the place to wait for a controller
// started in setup to finish.
func (e *Env) Cleanup(fn func()) { e.cleanups = append(e.cleanups, fn) }

// Run starts the services opts asks for, runs setup (which may start
// controllers that live until the tests end), runs the tests and stops it all.
// Use it from TestMain: os.Exit(testenv.Run(m, opts, &env, setup)).
func Run(m *testing.M, opts Options, env **Env, setup ...func(context.Context, *Env) error) int {
	ctx, cancel := context.WithCancel(context.Background())
	e, err := start(opts)
	for _, fn := range setup {
		if err == nil {
			err = fn(ctx, e)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		cancel()
		if e != nil {
			for i := len(e.cleanups) - 1; i >= 0; i-- {
				e.cleanups[i]()
			}
			_ = e.stop()
		}
		return 1
	}
	*env = e
	code := m.Run()
	// Controllers stop before the services they talk to.
	cancel()
	for i := len(e.cleanups) - 1; i >= 0; i-- {
		e.cleanups[i]()
	}
	if err := errors.Join(e.stop(), disarm()); err != nil {
		fmt.Fprintln(os.Stderr, "testenv: while stopping:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func start(opts Options) (*Env, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	e := &Env{Root: root}
	if opts.Postgres {
		if e.Postgres, err = StartPostgres(); err != nil {
			return e, fmt.Errorf("while starting PostgreSQL: %w", err)
		}
	}
	if opts.Kube {
		if e.Kube, err = StartKube(root); err != nil {
			return e, fmt.Errorf("while starting the Kubernetes control plane: %w", err)
		}
	}
	return e, nil
}

func (e *Env) stop() error {
	var errs []error
	if e.Kube != nil {
		errs = append(errs, e.Kube.Stop())
	}
	if e.Postgres != nil {
		errs = append(errs, e.Postgres.Close())
	}
	return errors.Join(errs...)
}

// RepoRoot returns the folder holding the project's go.mod, found upwards
// from the working directory (go test runs in the package's folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
