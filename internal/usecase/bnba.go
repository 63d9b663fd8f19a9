package usecase

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registryload"
)

// ErrNothingLoaded is an import whose file has problems and that was not
// asked to skip them: the result lists them, and nothing was loaded.
var ErrNothingLoaded = errors.New("the file has problems; nothing was loaded")

// ImportOptions say how an import goes.
type ImportOptions struct {
	// SkipInvalid loads the good rows and lists the bad; without it one
	// bad row loads nothing.
	SkipInvalid bool
	// DryRun does everything but keep it: the result says what the load
	// would create, update and move, and nothing changes.
	DryRun bool
	// AllowMoves loads a file that moves more than
	// registryload.MaxMoveShare of its registered persons into other
	// households.
	AllowMoves bool
	// Columns names columns for header cells the aliases do not cover.
	Columns bnba.ColumnMap
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// Import loads a DTKS/BNBA extract into the caller's kecamatan in one
// transaction. Every row is checked; with a problem nothing is loaded
// (ErrNothingLoaded, with the result listing each line and field) unless
// o.SkipInvalid, which loads the good rows and lists the bad. A load that
// would move too many registered persons into other households is refused
// (registryload.ErrTooManyMoves, the result listing them) unless
// o.AllowMoves. Loading the same file again changes nothing (upsert by No
// KK and NIK). A dry run answers the same and keeps nothing.
func (a *App) Import(ctx context.Context, c *Caller, extract bnba.Reader, opts ImportOptions) (*registryload.Result, error) {
	o := registryload.Options{Kecamatan: c.Kecamatan(), SkipInvalid: opts.SkipInvalid, Actor: c.Account, Now: c.Now,
		AllowMoves: opts.AllowMoves, Columns: opts.Columns}
	var res *registryload.Result
	// Once: the extract is a stream, read by the first try.
	err := a.writeOnce(ctx, c, func(tx pgx.Tx) error {
		var err error
		if res, err = registryload.Stage(ctx, tx, extract, o); err != nil {
			return err
		}
		if res.Failed(o) {
			return ErrNothingLoaded
		}
		if opts.DryRun {
			if err := registryload.Upsert(ctx, tx, o, res); err != nil {
				return err
			}
			return errDryRun
		}
		return a.upsertAndIndex(ctx, tx, o, res)
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	if err == nil && res.Large() {
		a.analyzeAfterImport(ctx, c)
	}
	return res, err
}

// upsertAndIndex writes the staged rows into the tenant's registry and,
// meanwhile, their NIKs into the cross-kecamatan index in the control
// database: two databases working at once, and the index written before
// the tenant commits (as for one person). When the upsert fails, the
// entries this load added are removed again.
func (a *App) upsertAndIndex(ctx context.Context, tx pgx.Tx, o registryload.Options, res *registryload.Result) error {
	type indexed struct {
		added [][]byte
		err   error
	}
	done := make(chan indexed, 1)
	go func() {
		hashes := make([][]byte, len(res.NIKs))
		for i, n := range res.NIKs {
			hashes[i] = a.nikHasher.Hash(n)
		}
		added, err := a.store.IndexNIKs(ctx, hashes, o.Kecamatan)
		done <- indexed{added, err}
	}()
	err := registryload.Upsert(ctx, tx, o, res)
	ix := <-done
	if err != nil && ix.err == nil && len(ix.added) > 0 {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if uerr := a.store.UnindexNIKs(ctx, ix.added, o.Kecamatan); uerr != nil {
			slog.ErrorContext(ctx, "a failed import left its NIKs in the cross-kecamatan index", "tenant", o.Kecamatan, "error", uerr)
		}
	}
	return errors.Join(err, ix.err)
}

// analyzeAfterImport refreshes the kecamatan's statistics in the
// background after a large import; the answer does not wait for it.
func (a *App) analyzeAfterImport(ctx context.Context, c *Caller) {
	t := c.Tenant
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		cn, err := a.tenants.Acquire(ctx, t)
		if err == nil {
			err = registryload.Analyze(ctx, cn)
			cn.Release()
		}
		if err != nil {
			slog.WarnContext(ctx, "statistics not refreshed after an import", "tenant", t.Code, "error", err)
		}
	}()
}

// Export writes the caller's kecamatan's registry (or one kelurahan of it)
// as a DTKS/BNBA extract, the shape Import reads. It holds every NIK of
// the kecamatan: the caller audits it. begin is called once the database
// is reached, before the first row, so that the caller can start its
// answer.
func (a *App) Export(ctx context.Context, c *Caller, kelurahan string, begin func() (bnba.Writer, error)) error {
	return a.onTenant(ctx, c, func(cn conn) error {
		out, err := begin()
		if err != nil {
			return err
		}
		// Not again once the answer has begun.
		if _, err := registryload.Export(ctx, cn, kelurahan, func(row *bnba.Row) error { return out.Write(row.Record()) }); err != nil {
			return settle(err)
		}
		return out.Close()
	})
}
