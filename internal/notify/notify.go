// Package notify follows a PostgreSQL notification channel: it calls a
// function on every notification and on every (re)connection, so that a
// change made while the listener was away is not missed, and reports when
// the listener loses its connection, so that callers can stop trusting what
// they cached.
package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Listen follows channel until ctx ends. changed runs on each notification
// and after each (re)connection; lost runs when the connection fails.
func Listen(ctx context.Context, connect func(context.Context) (*pgx.Conn, error), channel string,
	changed func(context.Context) error, lost func()) error {
	l := &pgxlisten.Listener{
		Connect:        connect,
		ReconnectDelay: 2 * time.Second,
		LogError: func(ctx context.Context, err error) {
			if lost != nil {
				lost()
			}
			if ctx.Err() == nil {
				slog.WarnContext(ctx, "notification listener", "channel", channel, "error", err)
			}
		},
	}
	l.Handle(channel, handler(changed))
	return l.Listen(ctx)
}

type handler func(context.Context) error

func (f handler) HandleNotification(ctx context.Context, _ *pgconn.Notification, _ *pgx.Conn) error {
	return f(ctx)
}

func (f handler) HandleBacklog(ctx context.Context, _ string, _ *pgx.Conn) error {
	return f(ctx)
}
