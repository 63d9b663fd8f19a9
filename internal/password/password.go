// Package password hashes and checks account passwords with argon2id, with
// one set of parameters for every binary, and bounds how many hashes are
// computed at once: each holds its whole memory cost while it runs, so that
// a morning's sign-ins cannot take the API's memory with them (at 64 MiB a
// hash, the 15 hashes of the national run's sign-in stage were most of the
// API's 380 MB RSS, docs/benchmarks.md).
package password

import (
	"context"
	"runtime"

	"github.com/alexedwards/argon2id"
)

// Params are OWASP's argon2id settings of 19 MiB, two passes and one lane:
// as strong as 46 MiB and one pass by its reckoning, at under a third of
// the memory of the library's defaults (64 MiB), which earlier hashes used.
// A hash records its own parameters: hashes made with others still verify,
// and Outdated tells them apart so that a sign-in can replace them.
var Params = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// slots bounds the hashes in progress: one per CPU the process may use;
// more would not finish sooner, only hold more memory.
var slots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// dummy is checked against when there is no hash to check, so that a
// missing account takes as long to refuse as a wrong password.
var dummy, _ = argon2id.CreateHash("not a password of anyone", Params)

// Hash returns the argon2id hash of password.
func Hash(ctx context.Context, password string) (string, error) {
	var hash string
	err := withSlot(ctx, func() (err error) {
		hash, err = argon2id.CreateHash(password, Params)
		return err
	})
	return hash, err
}

// Check reports whether password matches hash. An empty hash (no account,
// or no password) never matches, and takes as long as one that does not.
func Check(ctx context.Context, password, hash string) (bool, error) {
	var ok bool
	err := withSlot(ctx, func() (err error) {
		if hash == "" {
			_, _ = argon2id.ComparePasswordAndHash(password, dummy)
			return nil
		}
		ok, err = argon2id.ComparePasswordAndHash(password, hash)
		return err
	})
	return ok, err
}

// Outdated reports whether hash was made with other parameters than
// Params (or cannot be read).
func Outdated(hash string) bool {
	p, _, _, err := argon2id.DecodeHash(hash)
	return err != nil || *p != *Params
}

func withSlot(ctx context.Context, fn func() error) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	return fn()
}
