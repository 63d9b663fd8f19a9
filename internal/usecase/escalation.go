package usecase

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// EscalateCase sends a case the kelurahan cannot solve to Dinas Sosial's
// queue (the koordinator's permission is the route's).
func (a *App) EscalateCase(ctx context.Context, c *Caller, id int64, in *casework.NewEscalation) (*casework.Complaint, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	actor := a.actor(c)
	return a.changeComplaint(ctx, c, id, func(tx pgx.Tx) error { return casework.Escalate(ctx, tx, id, in, actor, c.Scope) })
}

// TakeEscalation is a Dinas Sosial officer taking an escalated case.
func (a *App) TakeEscalation(ctx context.Context, c *Caller, id int64) (*casework.Complaint, error) {
	actor := a.actor(c)
	return a.changeComplaint(ctx, c, id, func(tx pgx.Tx) error { return casework.TakeEscalation(ctx, tx, id, actor) })
}

// DecideEscalation records Dinas Sosial's decision on a case it took.
func (a *App) DecideEscalation(ctx context.Context, c *Caller, id int64, decision string) (*casework.Complaint, error) {
	actor := a.actor(c)
	return a.changeComplaint(ctx, c, id, func(tx pgx.Tx) error { return casework.DecideEscalation(ctx, tx, id, decision, actor) })
}

// EscalationQueue is the city's queue of escalated cases, emergencies
// first, then oldest, across every kecamatan the caller may decide in;
// those that did not answer are named.
func (a *App) EscalationQueue(ctx context.Context, c *Caller) (*Across[casework.QueueItem], error) {
	items, unavailable, err := gather(ctx, a,
		func(code string) bool { return a.authz.Allowed(c.Account, code, "eskalasi", "decide") },
		func(ctx context.Context, code string, cn conn) ([]casework.QueueItem, error) {
			return casework.EscalationQueue(ctx, cn, code)
		})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, casework.QueueLess)
	if items == nil {
		items = []casework.QueueItem{}
	}
	return &Across[casework.QueueItem]{Items: items, Unavailable: orNone(unavailable)}, nil
}
