package usecase

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// Once makes a create safe to retry: the same Key with the same request
// (Hash, of what was sent and where) gets the first answer back and
// creates nothing. An empty Key creates every time.
type Once struct {
	Key   string
	Route string
	Hash  []byte
}

// Created is what a create made.
type Created struct {
	ID int64 `json:"id"`
	// TrackingCode is a referral's code for the resident.
	TrackingCode string `json:"trackingCode,omitempty"`
	// OtherKecamatan names kecamatan that also hold the NIK registered.
	OtherKecamatan []string `json:"otherKecamatan,omitempty"`
	// Replayed says this is the answer of an earlier call with the same key.
	Replayed bool `json:"-"`
}

// statusCreated is what the key's row records of a create's answer (the
// status column was written by the HTTP layer before this one existed).
const statusCreated = 201

// ErrKeyReused is an idempotency key sent again with another request.
var ErrKeyReused = errors.New("this idempotency key was used for a different request; use a new key for a new create")

// create runs fn in a transaction on the caller's tenant database, with the
// idempotency key and the answer stored in the same transaction. Concurrent
// retries wait on the key's row.
func (a *App) create(ctx context.Context, c *Caller, once Once, fn func(tx pgx.Tx) (*Created, error)) (*Created, error) {
	var out *Created
	err := a.write(ctx, c, func(tx pgx.Tx) error {
		out = nil
		if once.Key != "" {
			err := casework.ClaimKey(ctx, tx, c.Account, once.Key, once.Route, once.Hash)
			if errors.Is(err, casework.ErrKeyTaken) {
				out, err = replay(ctx, tx, c.Account, once)
				return err
			}
			if err != nil {
				return err
			}
		}
		var err error
		if out, err = fn(tx); err != nil {
			return err
		}
		if once.Key == "" {
			return nil
		}
		data, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return casework.SaveAnswer(ctx, tx, c.Account, once.Key, statusCreated, data)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// replay reads the answer of a create retried with its key.
func replay(ctx context.Context, tx pgx.Tx, account int64, once Once) (*Created, error) {
	hash, _, answer, err := casework.Answer(ctx, tx, account, once.Key)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(hash, once.Hash) {
		return nil, ErrKeyReused
	}
	var out Created
	if err := json.Unmarshal(answer, &out); err != nil {
		return nil, err
	}
	out.Replayed = true
	return &out, nil
}
