package authz

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/notify"
)

// GrantsChannel is the PostgreSQL notification channel the control database
// signals on when grants, or the accounts holding them, change.
const GrantsChannel = "slrt_grants"

// Watch keeps the Authorizer in step with the control database until ctx
// ends: it reloads every grant on each notification and each time it
// (re)connects. load returns the current grants.
func (a *Authorizer) Watch(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), load func(context.Context) ([]Grant, error)) error {
	return notify.Listen(ctx, connect, GrantsChannel, func(ctx context.Context) error {
		grants, err := load(ctx)
		if err != nil {
			return err
		}
		return a.Replace(grants)
	}, nil)
}
