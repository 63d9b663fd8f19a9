// Package dbfault classifies what goes wrong between the platform and a
// PostgreSQL server, for the control database and the tenant databases
// alike: whether a call may be tried again, and what a caller is told
// (503 with Retry-After) when it cannot be.
package dbfault

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Kind is the sort of failure an error is.
type Kind uint8

const (
	// None is not a fault of the database's availability: nil, or an
	// error the server answered with (a constraint, bad SQL). A real 500
	// when nothing else explains it.
	None Kind = iota
	// Unreachable: no connection could be made (refused, the server
	// starting or shutting down, too many connections).
	Unreachable
	// Lost: the connection ended under the call (a restart, a failover,
	// sessions ended by an administrator). A transaction in flight was
	// rolled back by the server, unless the loss came during its COMMIT.
	Lost
	// Timeout: a statement or lock timeout, or the call's deadline passed
	// while the server did not answer (paused, overloaded).
	Timeout
	// Conflict: a serialization failure or a deadlock; the server rolled
	// the transaction back and it may run again.
	Conflict
	// Paused: the database takes reads only for now (writes are paused
	// while it is moved to another server); a write may run again once it
	// is done, in seconds.
	Paused
)

func (k Kind) String() string {
	return [...]string{"none", "unreachable", "lost", "timeout", "conflict", "paused"}[k]
}

// Transient reports whether the failure passes on its own: answered 503
// with Retry-After, never 500.
func (k Kind) Transient() bool { return k != None }

// RetryAfter is how long a client is asked to wait before trying again.
func (k Kind) RetryAfter() time.Duration {
	switch k {
	case Unreachable:
		return 10 * time.Second
	case Timeout, Paused:
		return 5 * time.Second
	default:
		return 2 * time.Second
	}
}

// Classify tells what err is. A cancelled call is None: the caller left,
// the database did nothing wrong.
func Classify(err error) Kind {
	if err == nil || errors.Is(err, context.Canceled) {
		return None
	}
	// Whatever stops a connection being made (refused, the database not
	// accepting connections, a rejected password) leaves nothing done.
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return Unreachable
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch code := pgErr.Code; {
		case code == "57P03" || code == "53300" || code == "08001" || code == "08004":
			return Unreachable // cannot connect now, too many connections, rejected
		case strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02":
			return Lost // connection exception, admin or crash shutdown
		case code == "57014" || code == "55P03":
			return Timeout // statement cancelled (timeout), lock not available
		case code == "40001" || code == "40P01":
			return Conflict
		case code == "25006": // read_only_sql_transaction
			return Paused
		}
		return None
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return Timeout
	}
	var netErr net.Error
	if errors.As(err, &netErr) || pgconn.SafeToRetry(err) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "conn closed") {
		return Lost
	}
	return None
}

// Retry runs fn until it succeeds, fails with an error that may refuses
// another try, has run attempts times, or ctx ends. Between tries it waits a
// growing, jittered pause, so that replicas retrying together do not
// arrive at a restarted server together.
func Retry(ctx context.Context, attempts int, may func(error) bool, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || attempt >= attempts || !may(err) || ctx.Err() != nil {
			return err
		}
		pause := time.Duration(attempt) * (25*time.Millisecond + rand.N(75*time.Millisecond))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// Retryable is the policy for a call that changed nothing or whose
// transaction the server rolled back: every transient failure but a
// timeout (the server is slow; asking again adds load).
func Retryable(err error) bool {
	switch Classify(err) {
	case Unreachable, Lost, Conflict:
		return true
	}
	return false
}
