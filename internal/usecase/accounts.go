package usecase

import (
	"context"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/store"
)

// AccountView is a staff account as city IT sees it: who, whether it may
// sign in, and its grants.
type AccountView struct {
	*store.Account
	Grants []authz.Grant `json:"-"`
}

// Accounts lists staff accounts by username after after, at most limit, for
// city IT.
func (a *App) Accounts(ctx context.Context, c *Caller, after string, limit int) ([]*AccountView, error) {
	if !a.authz.AllowedAnywhere(c.Account, "account", "read") {
		return nil, casework.ErrNotAllowed
	}
	accounts, err := a.store.ListAccounts(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*AccountView, len(accounts))
	for i, acct := range accounts {
		out[i] = &AccountView{Account: acct, Grants: a.authz.Grants(acct.ID)}
	}
	return out, nil
}
