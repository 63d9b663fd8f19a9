package httpapi

import (
	"context"

	"github.com/slrt-id/slrt/internal/store"
)

// Principal is the authenticated caller.
type Principal struct {
	Account *store.Account
	// Via says how the caller signed in: "session" or "token".
	Via       string
	SessionID string
	CSRFToken string
	TokenID   int64
}

// principalFrom returns the caller, or nil when the request is anonymous.
func principalFrom(ctx context.Context) *Principal {
	if x := exchangeOf(ctx); x != nil {
		return x.principal
	}
	return nil
}
