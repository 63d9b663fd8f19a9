package usecase

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/slrt-id/slrt/internal/auditlog"
	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/dbfault"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
)

// ResultOptions say how a result import goes.
type ResultOptions struct {
	// SkipInvalid applies the good rows and lists the bad; without it one
	// bad row applies nothing.
	SkipInvalid bool
	// DryRun does everything but keep it.
	DryRun bool
}

// ResultImport is what a result import did, or would do.
type ResultImport struct {
	// Rows counts the file's rows.
	Rows int `json:"rows"`
	proposal.Applied
	// Kecamatan counts the rows applied in each kecamatan.
	Kecamatan    map[string]int `json:"kecamatan"`
	Problems     []bnba.Problem `json:"problems"`
	ProblemCount int            `json:"problemCount"`
	// Committed says whether anything was kept.
	Committed bool `json:"committed"`
}

// held is a kecamatan's transaction kept open until every kecamatan of
// the file is applied.
type held struct {
	code    string
	cn      conn
	tx      pgx.Tx
	applied *proposal.Applied
	niks    []string
	// unreachable says why the kecamatan could not take its rows.
	unreachable error
}

// resultAtOnce bounds the kecamatan a result import applies at the same
// time: each holds a connection of its pool until the whole file is through.
const resultAtOnce = 4

// ImportResult brings the centre's result back: every row is checked and
// applied in its kecamatan's transaction (proposal.ApplyResult), all of
// them held open until the whole file is through, so that with a problem
// anywhere nothing is kept (ErrNothingLoaded, the result listing each line
// and field) unless o.SkipInvalid. Importing the same file again changes
// nothing: a proposal already decided so counts as already.
func (a *App) ImportResult(ctx context.Context, c *Caller, r bnba.Reader, o ResultOptions) (*ResultImport, error) {
	rows, problems, err := proposal.ReadResult(r, c.Now)
	if err != nil {
		return nil, err
	}
	res := &ResultImport{Rows: len(rows) + problemLines(problems), Kecamatan: map[string]int{}}
	byKecamatan := map[string][]proposal.ResultRow{}
	for _, row := range rows {
		byKecamatan[row.Kecamatan] = append(byKecamatan[row.Kecamatan], row)
	}
	// Each kecamatan is its own database (often on its own server): they
	// apply at the same time, a few at once, each transaction held open.
	actor := a.actor(c)
	codes := slices.Sorted(maps.Keys(byKecamatan))
	done := make([]*held, len(codes))
	// One kecamatan failing stops the others starting: the file fails whole.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(resultAtOnce)
	for i, code := range codes {
		g.Go(func() (err error) {
			// Off the request's goroutine its recovery does not reach: a
			// panic is this request's 500, not the server's end.
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("applying the result in kecamatan %s: panic: %v\n%s", code, p, debug.Stack())
				}
			}()
			h, err := a.hold(gctx, c, code)
			if err != nil {
				if !errors.Is(err, ErrTenantUnreachable) && !errors.Is(err, errNotATenant) {
					return err
				}
				done[i] = &held{code: code, unreachable: err}
				return nil
			}
			done[i] = h
			h.applied, err = proposal.ApplyResult(gctx, h.tx, code, byKecamatan[code], actor)
			return err
		})
	}
	failed := g.Wait()
	var open []*held
	defer func() {
		// Bounded: a server that stopped answering must not hold the
		// request (and its connection) for ever.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		for _, h := range open {
			_ = h.tx.Rollback(rctx)
			h.cn.Release()
		}
	}()
	for _, h := range done {
		if h != nil && h.unreachable == nil {
			open = append(open, h)
		}
	}
	if failed != nil {
		return nil, failed
	}
	for _, h := range done {
		if h.unreachable != nil {
			for _, row := range byKecamatan[h.code] {
				problems = append(problems, bnba.Problem{Line: row.Line, Field: "id_usulan", Code: "result.kecamatan",
					Message: "kecamatan " + h.code + " cannot take the result now: " + h.unreachable.Error()})
			}
			continue
		}
		applied := h.applied
		problems = append(problems, applied.Problems...)
		res.Decided += applied.Decided
		res.NotDecided += applied.NotDecided
		res.Already += applied.Already
		res.Registered += applied.Registered
		res.Kecamatan[h.code] = applied.Decided + applied.NotDecided
		h.niks = applied.NIKs
	}
	slices.SortStableFunc(problems, func(x, y bnba.Problem) int { return x.Line - y.Line })
	res.Problems, res.ProblemCount = problems, len(problems)
	if res.Problems == nil {
		res.Problems = []bnba.Problem{}
	}
	if len(problems) > 0 && !o.SkipInvalid {
		return res, ErrNothingLoaded
	}
	if o.DryRun {
		return res, nil
	}
	pending := auditlog.From(ctx)
	for len(open) > 0 {
		h := open[0]
		open = open[1:]
		if err := a.commitHeld(ctx, h, pending); err != nil {
			// The kecamatan before it are kept: importing the file again
			// finishes the rest (what is kept counts as already).
			return nil, err
		}
		res.Committed = true
	}
	return res, nil
}

// problemLines counts the lines with problems.
func problemLines(ps []bnba.Problem) int {
	lines := map[int]bool{}
	for _, p := range ps {
		lines[p.Line] = true
	}
	return len(lines)
}

// errNotATenant is a kecamatan the platform does not serve.
var errNotATenant = errors.New("not a kecamatan of this city")

// hold opens a transaction in kecamatan code, attributed to the caller.
func (a *App) hold(ctx context.Context, c *Caller, code string) (*held, error) {
	t, err := a.tenants.Lookup(ctx, code)
	if err != nil {
		return nil, errors.Join(errNotATenant, err)
	}
	cn, err := a.tenants.Acquire(ctx, t)
	if err != nil {
		return nil, errors.Join(ErrTenantUnreachable, err)
	}
	tx, err := cn.Begin(ctx)
	if err == nil {
		err = registry.Attribute(ctx, tx, c.Account, c.Username)
	}
	if err != nil {
		cn.Release()
		return nil, errors.Join(ErrTenantUnreachable, err)
	}
	return &held{code: code, cn: cn, tx: tx}, nil
}

// commitHeld indexes the NIKs a kecamatan's decisions registered, stages
// the request's audit entry and commits.
func (a *App) commitHeld(ctx context.Context, h *held, pending *auditlog.Pending) error {
	defer h.cn.Release()
	if len(h.niks) > 0 {
		hashes := make([][]byte, len(h.niks))
		for i, n := range h.niks {
			hashes[i] = a.nikHasher.Hash(n)
		}
		// Before the commit: an entry may outlive a failed one (a harmless
		// "also elsewhere"), never the reverse.
		if _, err := a.store.IndexNIKs(ctx, hashes, h.code); err != nil {
			_ = h.tx.Rollback(ctx)
			return err
		}
	}
	if err := pending.Stage(ctx, h.tx); err != nil {
		_ = h.tx.Rollback(ctx)
		return err
	}
	if err := h.tx.Commit(ctx); err != nil {
		if dbfault.Classify(err) != dbfault.Conflict {
			a.outbox.mark(h.code)
		}
		return errors.Join(ErrTenantWentAway, err)
	}
	pending.Staged(h.code)
	return nil
}
