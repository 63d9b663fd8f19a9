package usecase

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/registry"
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

// OnCredentialsChanged calls fn after an account's credentials change here
// (disabled, a password set, a token revoked): the HTTP layer forgets what
// it remembered of them at once, before the control database's notification
// reaches every replica.
func (a *App) OnCredentialsChanged(fn func()) { a.credentialsChanged = fn }

func (a *App) forgetCredentials() {
	if a.credentialsChanged != nil {
		a.credentialsChanged()
	}
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// NewAccount is a staff account to create. Without a Password the account
// gets a one-time password (OneTime) or none at all (it signs in through an
// identity provider, once one is configured).
type NewAccount struct {
	Username    string `json:"username"`
	DisplayName string `json:"displayName"`
	Password    string `json:"password"`
	// OneTime asks for a generated one-time password, shown once.
	OneTime bool `json:"oneTimePassword"`
	// OIDCSubject makes an account with no password, linked to this person
	// at the city's identity provider: they sign in only there.
	OIDCSubject string `json:"oidcSubject,omitempty"`
}

// Validate checks the username, the name and a chosen password.
func (in *NewAccount) Validate() error {
	var p registry.Problems
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if !usernameRe.MatchString(in.Username) {
		p.Add("/username", "account.username", "3 to 64 of a-z, 0-9, dot, dash, underscore")
	}
	checkDisplayName(&p, in.DisplayName)
	if in.Password != "" {
		checkPassword(&p, "/password", in.Password, in.Username)
	}
	return p.Err()
}

func checkDisplayName(p *registry.Problems, name string) {
	if name == "" || len(name) > 200 {
		p.Add("/displayName", "account.display_name", "1 to 200 characters")
	}
}

// AccountCreated is a new account, with its one-time password when one
// was asked for: shown once, stored only as a hash.
type AccountCreated struct {
	*store.Account
	OneTimePassword string `json:"oneTimePassword,omitempty"`
}

// CreateAccount creates a staff account for city IT. A taken username is
// a *registry.ConflictError on /username.
func (a *App) CreateAccount(ctx context.Context, c *Caller, in *NewAccount) (*AccountCreated, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.authz.AllowedAnywhere(c.Account, "account", "write") {
		return nil, casework.ErrNotAllowed
	}
	if subject := strings.TrimSpace(in.OIDCSubject); subject != "" {
		return a.createLinkedAccount(ctx, in, subject)
	}
	out := &AccountCreated{}
	password, create := in.Password, a.store.CreateAccount
	if password == "" && in.OneTime {
		out.OneTimePassword = newOneTimePassword()
		password, create = out.OneTimePassword, a.store.CreateAccountOneTime
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return nil, err
	}
	out.Account, err = create(ctx, in.Username, in.DisplayName, hash)
	if errors.Is(err, store.ErrConflict) {
		return nil, &registry.ConflictError{Field: "/username", Message: "The username " + in.Username + " is taken."}
	}
	return out, err
}

// createLinkedAccount makes an account that signs in only through the
// identity provider, as the person subject.
func (a *App) createLinkedAccount(ctx context.Context, in *NewAccount, subject string) (*AccountCreated, error) {
	var p registry.Problems
	a.checkOIDCSubject(&p, subject)
	if in.Password != "" || in.OneTime {
		p.Add("/password", "account.oidc_no_password", "an account linked to the identity provider has no password")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	acct, err := a.store.CreateAccountLinked(ctx, in.Username, in.DisplayName, a.OIDCIssuer, subject)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &registry.ConflictError{Field: "/username", Message: "The username " + in.Username + " is taken."}
	case err != nil:
		return nil, subjectTaken(err)
	}
	return &AccountCreated{Account: acct}, nil
}

// checkOIDCSubject notes what is wrong with linking an account to subject
// (empty: unlinking, always allowed).
func (a *App) checkOIDCSubject(p *registry.Problems, subject string) {
	switch {
	case subject == "":
	case a.OIDCIssuer == "":
		p.Add("/oidcSubject", "account.oidc_off", "single sign-on is not configured (slrt-api --oidc-issuer)")
	case len(subject) > 255:
		p.Add("/oidcSubject", "account.oidc_subject_length", "at most 255 characters")
	}
}

// subjectTaken words a subject already linked to another account as a
// problem with the field; other errors pass.
func subjectTaken(err error) error {
	if errors.Is(err, store.ErrOIDCSubjectTaken) {
		return registry.Invalid("/oidcSubject", "account.oidc_subject_taken", "another account is linked to this subject")
	}
	return err
}

// hashPassword is the argon2id hash of a password, or "" for none.
func hashPassword(ctx context.Context, pw string) (string, error) {
	if pw == "" {
		return "", nil
	}
	return password.Hash(ctx, pw)
}

// AccountChange renames, disables or enables an account, or sets its
// password (chosen by city IT: not a one-time one).
type AccountChange struct {
	DisplayName *string `json:"displayName,omitempty"`
	Disabled    *bool   `json:"disabled,omitempty"`
	Password    *string `json:"password,omitempty"`
	// OIDCSubject links the account to the person the city's identity
	// provider knows by this subject (or the claim slrt-api's
	// --oidc-subject-claim names); "" unlinks it.
	OIDCSubject *string `json:"oidcSubject,omitempty"`
}

// AccountDetail is one account as city IT manages it.
type AccountDetail struct {
	*store.Account
	Grants []*store.Grant
	Tokens []*store.Token
}

// maxGrantsShown bounds the grants one account's page lists; an account
// holds a handful.
const maxGrantsShown = 500

// Account returns one account with its grants and tokens, for city IT.
func (a *App) Account(ctx context.Context, c *Caller, username string) (*AccountDetail, error) {
	if !a.authz.AllowedAnywhere(c.Account, "account", "read") {
		return nil, casework.ErrNotAllowed
	}
	acct, err := a.accountNamed(ctx, username)
	if err != nil {
		return nil, err
	}
	d := &AccountDetail{Account: acct}
	if d.Grants, err = a.store.ListGrants(ctx, acct.ID, 0, maxGrantsShown); err != nil {
		return nil, err
	}
	if d.Tokens, err = a.store.ListTokens(ctx, acct.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// accountNamed loads an account; a missing one is registry.ErrNotFound.
func (a *App) accountNamed(ctx context.Context, username string) (*store.Account, error) {
	acct, err := a.store.AccountByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, registry.ErrNotFound
	}
	return acct, err
}

// UpdateAccount changes an account. Disabling ends its access at once:
// sessions and tokens stop working and its grants leave every replica's
// authoriser.
func (a *App) UpdateAccount(ctx context.Context, c *Caller, username string, ch *AccountChange) (*store.Account, error) {
	if !a.authz.AllowedAnywhere(c.Account, "account", "write") {
		return nil, casework.ErrNotAllowed
	}
	acct, err := a.accountNamed(ctx, username)
	if err != nil {
		return nil, err
	}
	name, disabled := acct.DisplayName, acct.Disabled
	var p registry.Problems
	if ch.DisplayName != nil {
		name = strings.TrimSpace(*ch.DisplayName)
		checkDisplayName(&p, name)
	}
	if ch.Disabled != nil {
		disabled = *ch.Disabled
	}
	if ch.Password != nil {
		checkPassword(&p, "/password", *ch.Password, acct.Username)
	}
	var subject string
	if ch.OIDCSubject != nil {
		subject = strings.TrimSpace(*ch.OIDCSubject)
		a.checkOIDCSubject(&p, subject)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	defer a.forgetCredentials()
	if ch.OIDCSubject != nil {
		if err := a.store.LinkOIDC(ctx, acct.ID, a.OIDCIssuer, subject); err != nil {
			return nil, subjectTaken(err)
		}
	}
	if ch.Password != nil {
		hash, err := hashPassword(ctx, *ch.Password)
		if err == nil {
			err = a.store.SetPasswordHash(ctx, acct.ID, hash, false)
		}
		if err != nil {
			return nil, err
		}
	}
	return a.store.UpdateAccount(ctx, acct.ID, name, disabled)
}

// ResetPassword gives an account a new one-time password, returned once;
// the old one stops working and so does a lockout.
func (a *App) ResetPassword(ctx context.Context, c *Caller, username string) (string, error) {
	if !a.authz.AllowedAnywhere(c.Account, "account", "write") {
		return "", casework.ErrNotAllowed
	}
	acct, err := a.accountNamed(ctx, username)
	if err != nil {
		return "", err
	}
	password := newOneTimePassword()
	hash, err := hashPassword(ctx, password)
	if err == nil {
		err = a.store.SetPasswordHash(ctx, acct.ID, hash, true)
	}
	a.forgetCredentials()
	return password, err
}

// PasswordChange is a signed-in caller setting their own password.
type PasswordChange struct {
	Current string `json:"currentPassword"`
	New     string `json:"newPassword"`
}

// ChangeOwnPassword sets the caller's password after checking the current
// one; it ends a one-time password's restrictions.
func (a *App) ChangeOwnPassword(ctx context.Context, c *Caller, ch *PasswordChange) error {
	acct, err := a.store.AccountByID(ctx, c.Account)
	if err != nil {
		return err
	}
	var p registry.Problems
	ok, err := password.Check(ctx, ch.Current, acct.PasswordHash())
	if err != nil {
		return err
	}
	if !ok {
		p.Add("/currentPassword", "password.current_wrong", "is not your current password")
	}
	checkPassword(&p, "/newPassword", ch.New, acct.Username)
	if ch.New != "" && ch.New == ch.Current {
		p.Add("/newPassword", "password.unchanged", "must differ from the current one")
	}
	if err := p.Err(); err != nil {
		return err
	}
	hash, err := hashPassword(ctx, ch.New)
	if err == nil {
		err = a.store.SetPasswordHash(ctx, acct.ID, hash, false)
	}
	a.forgetCredentials()
	return err
}

// NewGrant gives an account a role in an area or an agency.
type NewGrant struct {
	Username string     `json:"username"`
	Role     authz.Role `json:"role"`
	Domain   string     `json:"domain"`
}

// Validate checks that the domain is of the level the role is granted at.
func (in *NewGrant) Validate() error {
	level, known := authz.GrantLevel(in.Role)
	switch {
	case !known:
		return registry.Invalid("/role", "grant.role", "one of petugas, koordinator, supervisor, dinsos, agency, admin, auditor")
	case authz.DomainLevel(in.Domain) != level:
		return registry.Invalid("/domain", "grant.domain_level", "a "+level+" domain for role "+string(in.Role))
	}
	return nil
}

// Grant gives an account a role in a domain. The caller must hold
// grant-writing rights over that domain; the change reaches every replica
// through the control database's notification. A role already held there
// is a *registry.ConflictError.
func (a *App) Grant(ctx context.Context, c *Caller, in *NewGrant) (*store.Grant, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.mayGrantIn(c, in.Domain) {
		return nil, casework.ErrNotAllowed
	}
	acct, err := a.store.AccountByUsername(ctx, in.Username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, registry.Invalid("/username", "grant.username", "no such account")
	}
	if err != nil {
		return nil, err
	}
	g, err := a.store.CreateGrant(ctx, acct.ID, in.Role, in.Domain, c.Account)
	if errors.Is(err, store.ErrConflict) {
		return nil, &registry.ConflictError{Field: "/role", Message: "The account already holds this role here."}
	}
	return g, err
}

// Ungrant withdraws a grant; withdrawing one already gone is no error.
func (a *App) Ungrant(ctx context.Context, c *Caller, id int64) error {
	g, err := a.store.GrantByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return registry.ErrNotFound
	}
	if err != nil {
		return err
	}
	if !a.mayGrantIn(c, g.Domain) {
		return casework.ErrNotAllowed
	}
	if err := a.store.DeleteGrant(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// mayGrantIn reports whether the caller may manage grants in domain: an
// area its admin grant covers, or any agency.
func (a *App) mayGrantIn(c *Caller, domain string) bool {
	if strings.HasPrefix(domain, authz.AgencyPrefix) {
		return a.authz.AllowedAnywhere(c.Account, "grant", "write")
	}
	return a.authz.Allowed(c.Account, domain, "grant", "write")
}

// RevokeToken revokes any account's API token, for city IT.
func (a *App) RevokeToken(ctx context.Context, c *Caller, id int64) (*store.Token, error) {
	if !a.authz.AllowedAnywhere(c.Account, "token", "write") {
		return nil, casework.ErrNotAllowed
	}
	return a.revokeToken(ctx, id, 0)
}

// RevokeOwnToken revokes one of the caller's own tokens; another's is as
// absent as a missing one.
func (a *App) RevokeOwnToken(ctx context.Context, c *Caller, id int64) (*store.Token, error) {
	return a.revokeToken(ctx, id, c.Account)
}

// revokeToken revokes token id, of the account owner unless owner is 0.
func (a *App) revokeToken(ctx context.Context, id, owner int64) (*store.Token, error) {
	tok, err := a.store.TokenByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && owner != 0 && tok.AccountID != owner) {
		return nil, registry.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	tok, err = a.store.RevokeToken(ctx, id)
	// This replica stops trusting it now; the others on the notification.
	a.forgetCredentials()
	return tok, err
}
