package authz

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// GrantsChannel is the PostgreSQL notification channel the control database
// signals on when grants, or the accounts holding them, change.
const GrantsChannel = "slrt_grants"

// Watch keeps the Authorizer in step with the control database until ctx
// ends: it listens on GrantsChannel and reloads every grant when notified,
// and also each time it (re)connects, so a change made while the listener
// was away is not missed. load returns the current grants.
func (a *Authorizer) Watch(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), load func(context.Context) ([]Grant, error)) error {
	reload := func(ctx context.Context) error {
		grants, err := load(ctx)
		if err != nil {
			return err
		}
		return a.Replace(grants)
	}
	l := &pgxlisten.Listener{
		Connect:        connect,
		ReconnectDelay: 2 * time.Second,
		LogError: func(ctx context.Context, err error) {
			slog.WarnContext(ctx, "grant listener", "error", err)
		},
	}
	l.Handle(GrantsChannel, reloader(reload))
	return l.Listen(ctx)
}

// reloader reloads on every notification and on every (re)connection.
type reloader func(context.Context) error

func (f reloader) HandleNotification(ctx context.Context, _ *pgconn.Notification, _ *pgx.Conn) error {
	return f(ctx)
}

func (f reloader) HandleBacklog(ctx context.Context, _ string, _ *pgx.Conn) error {
	return f(ctx)
}
