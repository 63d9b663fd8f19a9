package usecase

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usulan"
)

// VerificationQueue is a page of Dinas Sosial's queue across kecamatan.
type VerificationQueue = Across[proposal.QueueItem]

// QueueQuery selects a page of the verification queue.
type QueueQuery struct {
	proposal.QueueFilter
	// Kecamatan narrows the queue to one kecamatan.
	Kecamatan string
	// Cursor is the reference (proposal.Ref) of the previous page's last
	// proposal.
	Cursor string
}

// ProposalsToVerify reads a page of the city's verification queue: the
// proposals every kecamatan's muskel agreed (or those in another of
// proposal.QueueStatuses), by kecamatan and then oldest first. Kecamatan
// are read in parallel; one that does not answer is named in Unavailable.
func (a *App) ProposalsToVerify(ctx context.Context, q QueueQuery) (*VerificationQueue, error) {
	after, afterID := "", int64(0)
	if q.Cursor != "" {
		after, afterID, _ = proposal.ParseRef(q.Cursor)
	}
	want := func(code string) bool { return code >= after && (q.Kecamatan == "" || code == q.Kecamatan) }
	items, unavailable, err := gather(ctx, a, want, func(ctx context.Context, code string, cn conn) ([]proposal.QueueItem, error) {
		f := q.QueueFilter
		if code != after {
			f.After = 0
		} else {
			f.After = afterID
		}
		return proposal.Queue(ctx, cn, code, f)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, func(x, y proposal.QueueItem) int {
		return cmp.Or(strings.Compare(x.Kecamatan, y.Kecamatan), cmp.Compare(x.ID, y.ID))
	})
	out := &VerificationQueue{Items: items, Unavailable: orNone(unavailable)}
	if len(items) > q.Limit {
		out.Items = items[:q.Limit]
		last := out.Items[q.Limit-1]
		out.NextCursor = proposal.Ref(last.Kecamatan, last.ID)
	}
	if out.Items == nil {
		out.Items = []proposal.QueueItem{}
	}
	return out, nil
}

// VerifyProposal is Dinas Sosial's word on a proposal the muskel agreed:
// diverifikasi, dikembalikan (to the Puskesos, with a note) or ditolak
// Dinsos (with the reason). It returns the proposal moved.
func (a *App) VerifyProposal(ctx context.Context, c *Caller, id int64, ch *proposal.Change) (*proposal.Proposal, error) {
	m := &proposal.Move{ID: id, Change: ch, Side: usulan.Dinsos, Scope: c.Scope, Actor: a.actor(c)}
	return changeThenGet(ctx, a, c,
		func(tx pgx.Tx) error { return proposal.Transition(ctx, tx, m) },
		func(cn conn) (*proposal.Proposal, error) { return proposal.Get(ctx, cn, id, c.Scope) })
}

// SentBatch is a batch made, with what each kecamatan sent in it.
type SentBatch struct {
	*store.Batch
	// Replayed says this is the batch of an earlier call with the same key.
	Replayed bool `json:"-"`
}

// SendBatch makes a batch of every verified proposal of the city (of one
// period when period is not ""): each kecamatan's become dikirim in its own
// transaction. A kecamatan that cannot be reached is named in the batch and
// keeps its proposals verified, for the next batch. A key sent again
// returns the batch the first call made and sends nothing more.
func (a *App) SendBatch(ctx context.Context, c *Caller, period, key string) (*SentBatch, error) {
	b, created, err := a.store.CreateBatch(ctx, period, c.Account, key)
	if err != nil {
		return nil, err
	}
	if !created {
		return &SentBatch{Batch: b, Replayed: true}, nil
	}
	actor := a.actor(c)
	var mu sync.Mutex
	sent := map[string]int{}
	unavailable, err := a.fanOut(ctx, nil, func(ctx context.Context, code string, cn conn) error {
		tc, err := a.callerIn(ctx, c, code)
		if err != nil {
			return err
		}
		n := 0
		err = a.inTx(ctx, tc, cn, func(tx pgx.Tx) (err error) {
			n, err = proposal.Send(ctx, tx, b.Code, period, actor)
			return err
		})
		if err != nil {
			return err
		}
		if n > 0 {
			mu.Lock()
			sent[code] = n
			mu.Unlock()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := a.store.FinishBatch(ctx, b.ID, sent, orNone(unavailable)); err != nil {
		return nil, err
	}
	b, err = a.store.Batch(ctx, b.ID)
	return &SentBatch{Batch: b}, err
}

// callerIn is c acting in the kecamatan code (a city-wide call writing into
// each kecamatan's database in turn).
func (a *App) callerIn(ctx context.Context, c *Caller, code string) (*Caller, error) {
	t, err := a.tenants.Lookup(ctx, code)
	if err != nil {
		return nil, err
	}
	in := *c
	in.Tenant, in.Scope = t, nil
	return &in, nil
}

// Batches lists the latest batches, newest first.
func (a *App) Batches(ctx context.Context, limit int) ([]store.Batch, error) {
	return a.store.Batches(ctx, limit)
}

// Batch reads one batch.
func (a *App) Batch(ctx context.Context, id int64) (*store.Batch, error) {
	b, err := a.store.Batch(ctx, id)
	if errors.Is(err, store.ErrBatchNotFound) {
		return nil, registry.ErrNotFound
	}
	return b, err
}

// ErrBatchIncomplete is a batch file that could not be written whole: a
// kecamatan that sent proposals in it did not answer.
var ErrBatchIncomplete = errors.New("a kecamatan of the batch cannot be read now")

// WriteBatchFile writes a batch's BNBA upload (proposal.BatchColumns), the
// kecamatan in code order. It holds NIK: the caller audits it. begin is
// called once every kecamatan of the batch has answered, before the first
// row, so that a kecamatan down fails the file (ErrBatchIncomplete) before
// anything is written rather than cutting it.
func (a *App) WriteBatchFile(ctx context.Context, b *store.Batch, begin func() (bnba.Writer, error)) error {
	codes := slices.Sorted(maps.Keys(b.Sent))
	each := func(fn func(code string, cn conn) error) error {
		for _, code := range codes {
			t, err := a.tenants.Lookup(ctx, code)
			if err != nil {
				return errors.Join(ErrBatchIncomplete, err)
			}
			cn, err := a.tenants.Acquire(ctx, t)
			if err != nil {
				return errors.Join(ErrBatchIncomplete, err)
			}
			err = fn(code, cn)
			cn.Release()
			if err != nil {
				return err
			}
		}
		return nil
	}
	// Every kecamatan first, one connection at a time: a national batch
	// spans hundreds.
	if err := each(func(string, conn) error { return nil }); err != nil {
		return err
	}
	out, err := begin()
	if err != nil {
		return err
	}
	if err := each(func(code string, cn conn) error { return proposal.WriteBatch(ctx, cn, code, b.Code, out.Write) }); err != nil {
		return err
	}
	return out.Close()
}
