package httpapi

import (
	"context"
	"sort"
	"strings"

	"github.com/slrt-id/slrt/internal/authz"
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

type principalKey struct{}

func withPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalFrom returns the caller, or nil when the request is anonymous.
func principalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// rolesString renders grants for the audit log: role@domain, sorted.
func rolesString(grants []authz.Grant) string {
	parts := make([]string, 0, len(grants))
	for _, g := range grants {
		parts = append(parts, string(g.Role)+"@"+g.Domain)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
