// Package authz decides what a caller may do, with Casbin: RBAC with domains,
// where a domain is an area code and a grant on a code covers every code
// under it. Role permissions ship with the code (config/casbin); who holds
// which role where comes from the control database and is swapped in whole,
// so a reload never blocks a decision.
package authz

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/rbac"

	"github.com/slrt-id/slrt/config"
)

// Grant is one role held by an account in a domain.
type Grant struct {
	AccountID int64
	Role      Role
	Domain    string
}

// Authorizer answers authorisation questions from the current snapshot of
// grants. It is safe for concurrent use; Replace swaps in a new snapshot
// atomically, and decisions in flight finish on the one they started with.
type Authorizer struct {
	current atomic.Pointer[snapshot]
}

type snapshot struct {
	enforcer *casbin.SyncedEnforcer
	roles    rbac.RoleManager
	// allowedRoles lists, per "obj act", the roles the policy lets do it:
	// a decision asks Casbin's role manager whether the caller holds one of
	// them in the domain, instead of evaluating the matcher against every
	// policy line (which costs tens of microseconds and allocates).
	allowedRoles map[string][]string
	grants       map[int64][]Grant
	// inDomain says which domains an account holds any grant in. Roles do not
	// inherit roles in this model, so without a grant in a domain the answer
	// there is no; asking the role manager anyway would make it create and
	// drop a temporary role each time (allocations, tens of microseconds).
	inDomain map[string]bool
	// decided remembers Allowed's answers for this snapshot's grants: a
	// request asks the same few questions as the last one of its caller,
	// and the role manager's answer costs microseconds and allocates.
	decidedMu sync.RWMutex
	decided   map[decision]bool
}

// decision is a question Allowed answers.
type decision struct {
	account          int64
	domain, obj, act string
}

// maxDecided bounds the answers a snapshot remembers; past it, it decides
// each time, as without memory.
const maxDecided = 1 << 17

// New builds an Authorizer holding grants.
func New(grants []Grant) (*Authorizer, error) {
	a := &Authorizer{}
	return a, a.Replace(grants)
}

// Replace builds a new snapshot from grants, off to the side, and swaps it in.
func (a *Authorizer) Replace(grants []Grant) error {
	s, err := newSnapshot(grants)
	if err != nil {
		return err
	}
	a.current.Store(s)
	return nil
}

func newSnapshot(grants []Grant) (*snapshot, error) {
	m, err := model.NewModelFromString(config.CasbinModel)
	if err != nil {
		return nil, fmt.Errorf("while loading the Casbin model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("while creating the Casbin enforcer: %w", err)
	}
	e.EnableAutoBuildRoleLinks(false)
	var policies [][]string
	for _, line := range strings.Split(config.CasbinPolicy, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if len(fields) != 4 || fields[0] != "p" {
			return nil, fmt.Errorf("config/casbin/policy.csv: malformed line %q", line)
		}
		policies = append(policies, fields[1:])
	}
	if _, err := e.AddPolicies(policies); err != nil {
		return nil, fmt.Errorf("while loading role permissions: %w", err)
	}
	byAccount := map[int64][]Grant{}
	inDomain := map[string]bool{}
	links := make([][]string, 0, len(grants))
	for _, g := range grants {
		byAccount[g.AccountID] = append(byAccount[g.AccountID], g)
		inDomain[subject(g.AccountID)+" "+g.Domain] = true
		links = append(links, []string{subject(g.AccountID), string(g.Role), g.Domain})
	}
	if len(links) > 0 {
		if _, err := e.AddGroupingPolicies(links); err != nil {
			return nil, fmt.Errorf("while loading grants: %w", err)
		}
	}
	if err := e.BuildRoleLinks(); err != nil {
		return nil, fmt.Errorf("while building role links: %w", err)
	}
	for _, gs := range byAccount {
		sort.Slice(gs, func(i, j int) bool { return gs[i].Domain < gs[j].Domain })
	}
	allowed := map[string][]string{}
	for _, p := range policies {
		allowed[p[1]+" "+p[2]] = append(allowed[p[1]+" "+p[2]], p[0])
	}
	return &snapshot{enforcer: e, roles: e.GetRoleManager(), allowedRoles: allowed, grants: byAccount, inDomain: inDomain,
		decided: map[decision]bool{}}, nil
}

// allowedIn is the decision in one domain: does sub hold, in domain, a role
// whose permissions include act on obj.
func (s *snapshot) allowedIn(sub, domain, obj, act string) bool {
	if !s.inDomain[sub+" "+domain] {
		return false
	}
	for _, role := range s.allowedRoles[obj+" "+act] {
		if ok, err := s.roles.HasLink(sub, role, domain); err == nil && ok {
			return true
		}
	}
	return false
}

func subject(accountID int64) string { return "u:" + strconv.FormatInt(accountID, 10) }

// Allowed reports whether the account may do act on obj in domain, through a
// grant on the domain or on any area above it.
func (a *Authorizer) Allowed(accountID int64, domain, obj, act string) bool {
	s := a.current.Load()
	q := decision{accountID, domain, obj, act}
	s.decidedMu.RLock()
	allowed, ok := s.decided[q]
	s.decidedMu.RUnlock()
	if ok {
		return allowed
	}
	sub := subject(accountID)
	for _, d := range Ancestors(domain) {
		if allowed = s.allowedIn(sub, d, obj, act); allowed {
			break
		}
	}
	s.decidedMu.Lock()
	if len(s.decided) < maxDecided {
		s.decided[q] = allowed
	}
	s.decidedMu.Unlock()
	return allowed
}

// enforce is the same decision as Allowed through Casbin's full matcher;
// tests hold the two to the same answers.
func (a *Authorizer) enforce(accountID int64, domain, obj, act string) bool {
	s := a.current.Load()
	for _, d := range Ancestors(domain) {
		if ok, err := s.enforcer.Enforce(subject(accountID), d, obj, act); err == nil && ok {
			return true
		}
	}
	return false
}

// AllowedWithin returns the domains under (or covering) prefix where the
// account may do act on obj: the whole prefix when a grant covers it, else
// each granted domain below it. Empty means nowhere.
func (a *Authorizer) AllowedWithin(accountID int64, prefix, obj, act string) []string {
	if a.Allowed(accountID, prefix, obj, act) {
		return []string{prefix}
	}
	s := a.current.Load()
	var out []string
	for _, g := range s.grants[accountID] {
		if strings.HasPrefix(g.Domain, prefix+".") && a.Allowed(accountID, g.Domain, obj, act) {
			out = append(out, g.Domain)
		}
	}
	return out
}

// AllowedAnywhere reports whether the account may do act on obj in any
// domain it holds a grant in.
func (a *Authorizer) AllowedAnywhere(accountID int64, obj, act string) bool {
	s := a.current.Load()
	for _, g := range s.grants[accountID] {
		if s.allowedIn(subject(accountID), g.Domain, obj, act) {
			return true
		}
	}
	return false
}

// Grants returns the account's grants, ordered by domain.
func (a *Authorizer) Grants(accountID int64) []Grant {
	return append([]Grant(nil), a.current.Load().grants[accountID]...)
}
