package usecase

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/slrt-id/slrt/internal/controldb"
	"github.com/slrt-id/slrt/internal/transfer"
)

// TransferArgs is the background job that carries out an accepted
// transfer. It is queued in the control database with the decision.
type TransferArgs struct {
	ID string `json:"id"`
}

// Kind names the job in the queue.
func (TransferArgs) Kind() string { return "pindah" }

// transferQueue is the queue transfers run in.
const transferQueue = "pindah"

// transferJobOpts: tried until done, since a database away for a day is
// a wait, not a failure; one job per transfer at a time.
var transferJobOpts = &river.InsertOpts{Queue: transferQueue, MaxAttempts: 100000, UniqueOpts: river.UniqueOpts{ByArgs: true}}

// JobOptions tune the background jobs.
type JobOptions struct {
	// Workers bounds the transfers one replica carries out at once.
	Workers int
	// RetryAtMost caps the pause before a failed step is tried again.
	RetryAtMost time.Duration
	// RescueAfter is when a job whose replica died is taken up again.
	RescueAfter time.Duration
}

// DefaultJobOptions are the production settings.
func DefaultJobOptions() JobOptions {
	return JobOptions{Workers: 4, RetryAtMost: 30 * time.Second, RescueAfter: 2 * time.Minute}
}

// jobs is the queue of background work (River, in the control database).
type jobs struct {
	client *river.Client[pgx.Tx]
}

// enqueue queues transfer id's job in tx.
func (j *jobs) enqueue(ctx context.Context, tx pgx.Tx, id string) error {
	if j == nil || j.client == nil {
		return errors.New("no job queue: the API started without one")
	}
	if _, err := j.client.InsertTx(ctx, tx, TransferArgs{ID: id}, transferJobOpts); err != nil {
		return fmt.Errorf("while queueing transfer %s: %w", id, err)
	}
	return nil
}

// StartJobs starts working the background jobs of this replica on the
// control database's pool, until ctx ends; every replica works them, each
// job once at a time. It also queues again, every sweep, an accepted
// transfer whose job is gone (tried out, or lost with a restored queue).
func (a *App) StartJobs(ctx context.Context, pool *pgxpool.Pool, o JobOptions, sweep time.Duration) (stop func(), err error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &transferWorker{app: a, retryAtMost: o.RetryAtMost})
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Schema:               controldb.JobSchema,
		Queues:               map[string]river.QueueConfig{transferQueue: {MaxWorkers: o.Workers}},
		Workers:              workers,
		RescueStuckJobsAfter: o.RescueAfter,
		// Transfers are few: every accepted one is announced at once
		// (River skips the announcement of an insert within the cooldown of
		// the last, leaving it to the next poll, up to a second later).
		FetchCooldown: 10 * time.Millisecond,
		JobTimeout:    o.RescueAfter / 2,
		Logger:        slog.New(quietHandler{slog.Default().Handler()}),
	})
	if err != nil {
		return nil, fmt.Errorf("while making the job queue's client: %w", err)
	}
	a.jobs = &jobs{client: client}
	if err := client.Start(ctx); err != nil {
		return nil, fmt.Errorf("while starting the job queue: %w", err)
	}
	sweepCtx, stopSweep := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.sweepTransfers(sweepCtx, sweep)
	}()
	return func() {
		stopSweep()
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := client.Stop(stopCtx); err != nil {
			slog.Warn("the job queue did not stop in time", "error", err)
		}
		<-done
	}, nil
}

// sweepTransfers queues the job of each accepted transfer that has none.
func (a *App) sweepTransfers(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, err := a.store.AcceptedTransfers(ctx)
		if err != nil {
			slog.WarnContext(ctx, "could not list the accepted transfers", "error", err)
			continue
		}
		for _, id := range ids {
			if _, err := a.jobs.client.Insert(ctx, TransferArgs{ID: id}, transferJobOpts); err != nil {
				slog.WarnContext(ctx, "could not queue a transfer", "transfer", id, "error", err)
			}
		}
	}
}

// transferWorker carries out one transfer.
type transferWorker struct {
	river.WorkerDefaults[TransferArgs]
	app         *App
	retryAtMost time.Duration
}

func (w *transferWorker) Work(ctx context.Context, job *river.Job[TransferArgs]) error {
	return w.app.CarryOutTransfer(ctx, job.Args.ID)
}

// NextRetry tries again soon, doubling the pause up to the cap: a
// database back after a restart is used within seconds.
func (w *transferWorker) NextRetry(job *river.Job[TransferArgs]) time.Time {
	pause := time.Second << min(job.Attempt, 16)
	return time.Now().Add(min(pause, w.retryAtMost))
}

// CarryOutTransfer runs an accepted transfer's steps from the one after
// the last recorded: hold the household in the sending kecamatan, copy it
// into the receiving one, move the NIK index, remove it from the sending
// one. Each step does nothing when it finds itself done, so running this
// again after a crash at any point finishes the transfer once. A step
// that cannot reach a database records why and returns the error (the job
// is tried again); one that can never succeed fails the transfer and lets
// the household change again.
func (a *App) CarryOutTransfer(ctx context.Context, id string) error {
	t, err := a.store.Transfer(ctx, id)
	if err != nil {
		return err
	}
	if t.Status == transfer.Failed {
		return a.onKecamatan(ctx, t.From, func(cn conn) error { return transfer.Release(ctx, cn, id) })
	}
	for t.Status == transfer.Accepted {
		step, err := a.transferStep(ctx, t)
		if permanent(err) {
			why := err.Error()
			if err := a.store.EndTransfer(ctx, id, transfer.Failed, &why); err != nil {
				return err
			}
			slog.WarnContext(ctx, "a transfer failed", "transfer", id, "error", err)
			return a.onKecamatan(ctx, t.From, func(cn conn) error { return transfer.Release(ctx, cn, id) })
		}
		if err != nil {
			if werr := a.store.TransferWaiting(ctx, id, err.Error()); werr != nil {
				err = errors.Join(err, werr)
			}
			return err
		}
		if hook := a.AfterTransferStep; hook != nil {
			if err := hook(id, step); err != nil {
				return err
			}
		}
		if t, err = a.store.Transfer(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// transferStep runs the step after t's last and records it; it returns
// the step it ran (Finished for the last).
func (a *App) transferStep(ctx context.Context, t *transfer.Transfer) (transfer.Step, error) {
	switch t.Step {
	case transfer.NotStarted:
		err := a.onKecamatan(ctx, t.From, func(cn conn) error {
			return pgx.BeginFunc(ctx, cn, func(tx pgx.Tx) error { return transfer.Hold(ctx, tx, t.ID, t.HouseholdID) })
		})
		if err == nil {
			err = a.store.TransferStepDone(ctx, t.ID, transfer.Held, nil)
		}
		return transfer.Held, err
	case transfer.Held:
		made, err := a.copyTransfer(ctx, t)
		if err == nil {
			err = a.store.TransferStepDone(ctx, t.ID, transfer.Copied, made)
		}
		return transfer.Copied, err
	case transfer.Copied:
		var niks []string
		err := a.onKecamatan(ctx, t.To, func(cn conn) (err error) {
			niks, err = transfer.NIKs(ctx, cn, *t.NewHouseholdID)
			return err
		})
		if err != nil {
			return transfer.Indexed, err
		}
		hashes := make([][]byte, len(niks))
		for i, n := range niks {
			hashes[i] = a.nikHasher.Hash(n)
		}
		return transfer.Indexed, a.store.TransferIndexed(ctx, t, hashes)
	default:
		err := a.onKecamatan(ctx, t.From, func(cn conn) error {
			return pgx.BeginFunc(ctx, cn, func(tx pgx.Tx) error { return transfer.Depart(ctx, tx, t.ID, t.HouseholdID, t.To) })
		})
		if err == nil {
			err = a.store.EndTransfer(ctx, t.ID, transfer.Done, nil)
		}
		return transfer.Finished, err
	}
}

// copyTransfer copies t's household from the sending kecamatan (one
// read-only snapshot) into the receiving one (one transaction).
func (a *App) copyTransfer(ctx context.Context, t *transfer.Transfer) (*transfer.Arrival, error) {
	var made *transfer.Arrival
	dest := transfer.Destination{Kelurahan: *t.ToKelurahan, Address: *t.Address}
	err := a.onKecamatan(ctx, t.From, func(from conn) error {
		return pgx.BeginTxFunc(ctx, from, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(read pgx.Tx) error {
			return a.onKecamatan(ctx, t.To, func(to conn) error {
				return pgx.BeginFunc(ctx, to, func(tx pgx.Tx) (err error) {
					made, err = transfer.Copy(ctx, read, tx, t.ID, t.From, t.HouseholdID, dest)
					return err
				})
			})
		})
	})
	return made, err
}

// permanent says whether a step's failure will not go away by trying
// again: the household is gone or has a proposal under way, or a member is
// registered in the receiving kecamatan already.
func permanent(err error) bool {
	var pgErr *pgconn.PgError
	return errors.Is(err, transfer.ErrNotFound) || errors.Is(err, transfer.ErrOpenUsulan) ||
		errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// quietHandler keeps the job queue's own chatter (informational lines on
// every start and stop) out of the logs; its warnings and errors stay.
type quietHandler struct{ slog.Handler }

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}
