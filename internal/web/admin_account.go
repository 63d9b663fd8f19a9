package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// accountForm is the form that creates an account, on the accounts list
// and again with what its checks refused.
type accountForm struct {
	Username, Name string
	// SSO names the city's identity provider when there is one; Subject
	// links the new account to a person there (no password then).
	SSO, Subject string
	Errors       map[string]string
}

// newAccountForm is the empty create form, with the identity provider's
// field when there is one.
func (h *Handler) newAccountForm() *accountForm {
	f := &accountForm{Errors: map[string]string{}}
	if p := h.http.OIDC(); p != nil {
		f.SSO = p.DisplayName()
	}
	return f
}

// adminAccountCreate creates an account with a one-time password and shows
// that password once; what the checks refuse goes back next to its field.
func (h *Handler) adminAccountCreate(w http.ResponseWriter, r *http.Request) {
	f := h.newAccountForm()
	f.Username, f.Name = strings.TrimSpace(r.PostFormValue("username")), strings.TrimSpace(r.PostFormValue("nama"))
	f.Subject = strings.TrimSpace(r.PostFormValue("subjek"))
	// Linked to the identity provider, the account has no password.
	in := &usecase.NewAccount{Username: f.Username, DisplayName: f.Name, OneTime: f.Subject == "", OIDCSubject: f.Subject}
	out, err := h.app.CreateAccount(r.Context(), caller(r), in)
	v := newPage(r, "admin.account.new")
	var conflict *registry.ConflictError
	switch {
	case err == nil && f.Subject != "":
		http.Redirect(w, r, accountURL(out.Username), http.StatusSeeOther)
		return
	case err == nil:
		showOneTimePassword(w, r, out.Username, out.OneTimePassword, "admin.account.created")
		return
	case fieldProblems(v, err, f.Errors, map[string]string{"/displayName": "nama", "/oidcSubject": "subjek"}):
	case errors.As(err, &conflict):
		f.Errors["username"] = v.T("admin.account.taken")
	default:
		h.http.Fail(w, r, err)
		return
	}
	render(w, r, http.StatusUnprocessableEntity, adminAccountNew(v, f))
}

// showOneTimePassword shows a password city IT hands over, once: the page
// is not kept by the browser or a proxy.
func showOneTimePassword(w http.ResponseWriter, r *http.Request, username, password, titleKey string) {
	w.Header().Set("Cache-Control", "no-store")
	render(w, r, http.StatusOK, adminOneTimePassword(newPage(r, titleKey, username), username, password))
}

// accountPage is one account as city IT manages it: its grants with a way
// to add and withdraw them, its tokens, and what can be done to it.
type accountPage struct {
	*usecase.AccountDetail
	State, StateClass string
	Grants            []grantRow
	Tokens            []tokenRow
	Roles             []choice
	// Role is the role chosen in the grant form's first step; Places the
	// domains it can be granted in, by group.
	Role   authz.Role
	Places []placeGroup
	// SSO names the city's identity provider, empty when there is none.
	SSO string
}

type grantRow struct {
	ID    int64
	Words string
}

type tokenRow struct {
	ID                           int64
	Name, Created, Expires, Used string
	State, StateClass            string
	Active                       bool
}

// choice is an option of a list: what is sent, and what staff read.
type choice struct {
	Value, Words string
}

// placeGroup is a group of domains in the grant form's list: the city, a
// kecamatan's kelurahan, the agencies.
type placeGroup struct {
	Label  string
	Places []choice // the domain codes
}

// grantableRoles are the roles city IT grants, in the order staff meet them.
var grantableRoles = []authz.Role{authz.RolePetugas, authz.RoleKoordinator, authz.RoleSupervisor, authz.RoleDinsos,
	authz.RoleAgency, authz.RoleAuditor, authz.RoleAdmin}

// adminAccountShow is one account's page. ?peran= carries the role chosen
// in the grant form's first step, so that the second lists only the places
// that role is granted at, without a script.
func (h *Handler) adminAccountShow(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	acct, err := h.app.Account(r.Context(), c, chi.URLParam(r, "username"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "admin.account.title", acct.Username)
	d := &accountPage{AccountDetail: acct}
	if p := h.http.OIDC(); p != nil {
		d.SSO = p.DisplayName()
	}
	d.State, d.StateClass = accountState(v, acct.Account, c)
	for _, g := range acct.Grants {
		d.Grants = append(d.Grants, grantRow{ID: g.ID, Words: grantWords(v, authz.Grant{Role: g.Role, Domain: g.Domain})})
	}
	for _, t := range acct.Tokens {
		row := tokenRow{ID: t.ID, Name: t.Name, Created: webDate(t.CreatedAt), Expires: webDate(t.ExpiresAt), Used: "—",
			State: v.T("admin.token.active"), StateClass: "ready", Active: true}
		if t.LastUsedAt != nil {
			row.Used = webDate(*t.LastUsedAt)
		}
		switch {
		case t.RevokedAt != nil:
			row.State, row.StateClass, row.Active = v.T("admin.token.revoked"), "suspended", false
		case !t.ExpiresAt.After(c.Now):
			row.State, row.StateClass, row.Active = v.T("admin.token.expired"), "suspended", false
		}
		d.Tokens = append(d.Tokens, row)
	}
	for _, role := range grantableRoles {
		d.Roles = append(d.Roles, choice{Value: string(role), Words: v.T("role." + string(role))})
	}
	if role := authz.Role(r.URL.Query().Get("peran")); role != "" {
		level, known := authz.GrantLevel(role)
		if !known {
			h.http.Fail(w, r, registry.Invalid("peran", "grant.role", "one of the roles listed"))
			return
		}
		d.Role = role
		if d.Places, err = h.places(r, v, level); err != nil {
			h.http.Fail(w, r, err)
			return
		}
	}
	render(w, r, http.StatusOK, adminAccountDetail(v, d))
}

// accountState words an account's state and names its class.
func accountState(v *webPage, a *store.Account, c *usecase.Caller) (words, class string) {
	switch {
	case a.Disabled:
		return v.T("admin.account.disabled"), "suspended"
	case a.LockedUntil != nil && a.LockedUntil.After(c.Now):
		return v.T("admin.account.locked"), "provisioning"
	case a.MustChangePassword:
		return v.T("admin.account.one_time"), "provisioning"
	}
	return v.T("admin.account.active"), "ready"
}

// places lists where a role of level can be granted, by name: the cities
// of the reference data the caller administers, the kecamatan onboarded that the caller
// administers (and their kelurahan), or the agencies.
func (h *Handler) places(r *http.Request, v *webPage, level string) ([]placeGroup, error) {
	ref := wilayah.Default()
	switch level {
	case authz.LevelKota:
		g := placeGroup{Label: v.T("admin.grant.cities")}
		for _, a := range ref.AtLevel(wilayah.LevelKota) {
			// The kabupaten/kota the caller administers, of the nation's 514.
			if h.authz.Allowed(account(r), a.Code, "grant", "write") {
				g.Places = append(g.Places, choice{Value: a.Code, Words: a.Name})
			}
		}
		return []placeGroup{g}, nil
	case authz.LevelAgency:
		names, err := h.app.AgencyNames(r.Context())
		if err != nil {
			return nil, err
		}
		g := placeGroup{Label: v.T("admin.grant.agencies")}
		for code, name := range names {
			g.Places = append(g.Places, choice{Value: authz.AgencyPrefix + code, Words: name + " (" + code + ")"})
		}
		slices.SortFunc(g.Places, func(a, b choice) int { return cmp.Compare(a.Words, b.Words) })
		return []placeGroup{g}, nil
	}
	kecamatan, err := h.app.Kecamatan(r.Context(), caller(r))
	if err != nil {
		return nil, err
	}
	if level == authz.LevelKecamatan {
		g := placeGroup{Label: v.T("admin.grant.kecamatan")}
		for _, k := range kecamatan {
			g.Places = append(g.Places, choice{Value: k.Code, Words: k.DisplayName})
		}
		return []placeGroup{g}, nil
	}
	var groups []placeGroup
	for _, k := range kecamatan {
		g := placeGroup{Label: "Kecamatan " + k.DisplayName}
		for _, a := range ref.Children(k.Code) {
			g.Places = append(g.Places, choice{Value: a.Code, Words: a.Name})
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// accountURL is an account's page.
func accountURL(username string) string { return "/admin/akun/" + username }

// adminGrantAdd gives the account the role chosen in the place chosen;
// sent twice, the second finds the role held and changes nothing.
func (h *Handler) adminGrantAdd(w http.ResponseWriter, r *http.Request) {
	username := chi.URLParam(r, "username")
	in := &usecase.NewGrant{Username: username, Role: authz.Role(r.PostFormValue("peran")), Domain: r.PostFormValue("tempat")}
	_, err := h.app.Grant(r.Context(), caller(r), in)
	var conflict *registry.ConflictError
	if err != nil && !errors.As(err, &conflict) {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountURL(username)+"#peran", http.StatusSeeOther)
}

// adminGrantRemove withdraws one of the account's grants.
func (h *Handler) adminGrantRemove(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err == nil {
		err = h.app.Ungrant(r.Context(), caller(r), id)
	}
	if err != nil && !errors.Is(err, registry.ErrNotFound) {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountURL(chi.URLParam(r, "username"))+"#peran", http.StatusSeeOther)
}

// adminPasswordReset gives the account a one-time password and shows it
// once.
func (h *Handler) adminPasswordReset(w http.ResponseWriter, r *http.Request) {
	username := chi.URLParam(r, "username")
	password, err := h.app.ResetPassword(r.Context(), caller(r), username)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	showOneTimePassword(w, r, username, password, "admin.account.reset")
}

// adminTokenRevoke revokes one of the account's API tokens.
func (h *Handler) adminTokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err == nil {
		_, err = h.app.RevokeToken(r.Context(), caller(r), id)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountURL(chi.URLParam(r, "username"))+"#token", http.StatusSeeOther)
}

// adminAccountSSO links the account to a person at the city's identity
// provider, or unlinks it (an empty subject).
func (h *Handler) adminAccountSSO(w http.ResponseWriter, r *http.Request) {
	username := chi.URLParam(r, "username")
	subject := r.PostFormValue("subjek")
	if _, err := h.app.UpdateAccount(r.Context(), caller(r), username, &usecase.AccountChange{OIDCSubject: &subject}); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountURL(username)+"#sso", http.StatusSeeOther)
}

// adminAccountConfirm asks before disabling or enabling an account.
func (h *Handler) adminAccountConfirm(w http.ResponseWriter, r *http.Request) {
	acct, err := h.app.Account(r.Context(), caller(r), chi.URLParam(r, "username"))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	key := "admin.enable.title"
	if !acct.Disabled {
		key = "admin.disable.title"
	}
	render(w, r, http.StatusOK, adminAccountStatus(newPage(r, key, acct.Username), acct.Username, !acct.Disabled))
}

// adminAccountStatus disables or enables an account as the confirmed form
// says; sent twice, it changes nothing more.
func (h *Handler) adminAccountStatus(w http.ResponseWriter, r *http.Request) {
	disable, err := strconv.ParseBool(r.PostFormValue("disabled"))
	if err != nil {
		h.http.Fail(w, r, registry.Invalid("disabled", "account.disabled", "true or false"))
		return
	}
	username := chi.URLParam(r, "username")
	if _, err := h.app.UpdateAccount(r.Context(), caller(r), username, &usecase.AccountChange{Disabled: &disable}); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, accountURL(username), http.StatusSeeOther)
}
