package dbfault_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/slrt-id/slrt/internal/dbfault"
)

func TestClassifyTellsTheFaultsApart(t *testing.T) {
	for _, c := range []struct {
		err  error
		want dbfault.Kind
	}{
		{nil, dbfault.None},
		{errors.New("bad input"), dbfault.None},
		{&pgconn.PgError{Code: "23505"}, dbfault.None},
		{context.Canceled, dbfault.None},
		{&pgconn.PgError{Code: "57P01"}, dbfault.Lost},
		{fmt.Errorf("while reading: %w", &pgconn.PgError{Code: "08006"}), dbfault.Lost},
		{io.ErrUnexpectedEOF, dbfault.Lost},
		{&pgconn.PgError{Code: "57P03"}, dbfault.Unreachable},
		{&pgconn.PgError{Code: "53300"}, dbfault.Unreachable},
		{&pgconn.PgError{Code: "57014"}, dbfault.Timeout},
		{context.DeadlineExceeded, dbfault.Timeout},
		{&pgconn.PgError{Code: "40001"}, dbfault.Conflict},
		{&pgconn.PgError{Code: "40P01"}, dbfault.Conflict},
	} {
		if got := dbfault.Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestRetryStopsAtTheBoundAndAtAnErrorNotToRetry(t *testing.T) {
	ctx := context.Background()
	tries := 0
	err := dbfault.Retry(ctx, 3, dbfault.Retryable, func() error { tries++; return &pgconn.PgError{Code: "57P01"} })
	if tries != 3 || dbfault.Classify(err) != dbfault.Lost {
		t.Errorf("lost connection: %d tries, %v", tries, err)
	}
	tries = 0
	_ = dbfault.Retry(ctx, 3, dbfault.Retryable, func() error { tries++; return &pgconn.PgError{Code: "57014"} })
	if tries != 1 {
		t.Errorf("a timeout was tried %d times: asking a slow server again adds load", tries)
	}
	tries = 0
	err = dbfault.Retry(ctx, 3, dbfault.Retryable, func() error {
		if tries++; tries < 2 {
			return &pgconn.PgError{Code: "40001"}
		}
		return nil
	})
	if err != nil || tries != 2 {
		t.Errorf("a serialization failure then success: %d tries, %v", tries, err)
	}
}
