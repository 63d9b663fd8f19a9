package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/slrt-id/slrt/internal/authz"
)

// accountsPage is city IT's list of staff accounts: names, state and
// roles; no resident data.
type accountsPage struct {
	Rows []accountRow
	Next string
	Form *accountForm
}

type accountRow struct {
	Username, Name, State, StateClass string
	Roles                             []string
}

// accountsPerPage is how many accounts one page lists.
const accountsPerPage = 50

// adminAccounts lists staff accounts by username, 50 a page, each with
// whether it may sign in and its roles in words.
func (h *Handler) adminAccounts(w http.ResponseWriter, r *http.Request) {
	views, err := h.app.Accounts(r.Context(), caller(r), r.URL.Query().Get("setelah"), accountsPerPage+1)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "admin.accounts.title")
	d := &accountsPage{Form: h.newAccountForm()}
	if len(views) > accountsPerPage {
		views = views[:accountsPerPage]
		d.Next = query("setelah", views[accountsPerPage-1].Username)
	}
	for _, a := range views {
		row := accountRow{Username: a.Username, Name: a.DisplayName}
		row.State, row.StateClass = accountState(v, a.Account, caller(r))
		for _, g := range a.Grants {
			row.Roles = append(row.Roles, grantWords(v, g))
		}
		sort.Strings(row.Roles)
		d.Rows = append(d.Rows, row)
	}
	render(w, r, http.StatusOK, adminAccountList(v, d))
}

// grantWords says a grant as staff say it: the role, and where (an area
// by its name, an agency by its code).
func grantWords(v *webPage, g authz.Grant) string {
	where := strings.TrimPrefix(g.Domain, authz.AgencyPrefix)
	if authz.DomainLevel(g.Domain) != authz.LevelAgency {
		where = areaName(g.Domain)
	}
	return v.T("role."+string(g.Role)) + " · " + where
}
