package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// kecamatanAdminPage is city IT's list of kecamatan, each with its state as
// the operator reports it. No resident data: codes, names and states only.
type kecamatanAdminPage struct {
	Rows []kecamatanAdminRow
	// CanOnboard says the caller may onboard, suspend and resume; NotYet
	// are the reference data's kecamatan it may onboard that are not yet.
	CanOnboard bool
	NotYet     []place
	// Onboarding names a kecamatan just onboarded that the list does not
	// show yet.
	Onboarding string
	// Provisioning says some kecamatan is being set up: the page refreshes
	// itself until none is.
	Provisioning bool
}

type kecamatanAdminRow struct {
	Code, Name, State, StateClass, Reason, Message string
	SchemaVersion, Server                          string
	Kelurahan                                      int32
}

// refreshEvery is how often the page reloads while a kecamatan is being
// provisioned (a meta refresh: no script).
const refreshEvery = 5

// adminKecamatan lists the kecamatan the caller administers with each
// tenant's state: Ready, the failing step's reason, the schema version,
// suspended.
func (h *Handler) adminKecamatan(w http.ResponseWriter, r *http.Request) {
	items, err := h.app.Kecamatan(r.Context(), caller(r))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "admin.kecamatan.title")
	d := &kecamatanAdminPage{}
	onboarded := map[string]bool{}
	for _, k := range items {
		onboarded[k.Code] = true
		row := kecamatanAdminRow{Code: k.Code, Name: k.DisplayName, Reason: k.Reason, Message: k.Message,
			Kelurahan: k.KelurahanCount, SchemaVersion: "–", Server: k.Server}
		if k.SchemaVersion > 0 {
			row.SchemaVersion = strconv.FormatInt(k.SchemaVersion, 10)
		}
		row.State, row.StateClass = kecamatanState(v, k)
		if row.StateClass == "provisioning" {
			d.Provisioning = true
		}
		d.Rows = append(d.Rows, row)
	}
	// Just onboarded and not in the operator's cache yet: say so, and look
	// again shortly.
	if just := r.URL.Query().Get("baru"); just != "" && !onboarded[just] {
		if area, ok := wilayah.Default().Lookup(just); ok && area.Level == wilayah.LevelKecamatan {
			d.Provisioning, d.Onboarding = true, area.Name
		}
	}
	if d.Provisioning {
		v.Refresh = refreshEvery
	}
	if d.CanOnboard = h.authz.AllowedAnywhere(account(r), "tenant", "write"); d.CanOnboard {
		for _, a := range h.kecamatanWhere(account(r), "tenant", "write") {
			if !onboarded[a.Code] {
				d.NotYet = append(d.NotYet, a)
			}
		}
		slices.SortFunc(d.NotYet, func(a, b place) int { return strings.Compare(a.Code, b.Code) })
	}
	render(w, r, http.StatusOK, adminKecamatanList(v, d))
}

// adminKecamatanOnboard onboards a kecamatan of the reference data, chosen
// from the list (never a typed code), with its name and kelurahan from the
// same data; the operator then provisions it, which the list shows.
// Onboarding one twice is refused as already done, so a form sent again
// changes nothing.
func (h *Handler) adminKecamatanOnboard(w http.ResponseWriter, r *http.Request) {
	code := r.PostFormValue("code")
	area, ok := wilayah.Default().Lookup(code)
	if !ok || area.Level != wilayah.LevelKecamatan {
		h.http.Fail(w, r, registry.Invalid("code", "kecamatan.code", "a kecamatan of the reference data"))
		return
	}
	if _, err := h.app.Onboard(r.Context(), caller(r), &usecase.NewKecamatan{Code: area.Code, DisplayName: area.Name}); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/kecamatan?baru="+area.Code, http.StatusSeeOther)
}

// kecamatanState words a tenant's state and names its class for the
// stylesheet: suspended, ready, or being provisioned (with the failing
// step's reason, if any, shown beside it).
func kecamatanState(v *webPage, k *usecase.KecamatanView) (words, class string) {
	switch {
	case k.Suspended:
		return v.T("admin.state.suspended"), "suspended"
	case k.Ready:
		return v.T("admin.state.ready"), "ready"
	}
	return v.T("admin.state.provisioning"), "provisioning"
}

// kecamatanStatusPage asks city IT to confirm suspending or resuming a
// kecamatan.
type kecamatanStatusPage struct {
	Code, Name string
	Suspend    bool // else resume
}

// adminKecamatanConfirm asks before suspending or resuming a kecamatan:
// suspending stops every member of its staff at once.
func (h *Handler) adminKecamatanConfirm(w http.ResponseWriter, r *http.Request) {
	k, ok := h.administered(w, r)
	if !ok {
		return
	}
	d := &kecamatanStatusPage{Code: k.Code, Name: k.DisplayName, Suspend: !k.Suspended}
	key := "admin.resume.title"
	if d.Suspend {
		key = "admin.suspend.title"
	}
	render(w, r, http.StatusOK, adminKecamatanStatus(newPage(r, key, k.DisplayName), d))
}

// adminKecamatanStatus suspends or resumes a kecamatan as the confirmed
// form says; sent twice, it changes nothing more.
func (h *Handler) adminKecamatanStatus(w http.ResponseWriter, r *http.Request) {
	suspend, err := strconv.ParseBool(r.PostFormValue("suspended"))
	if err != nil {
		h.http.Fail(w, r, registry.Invalid("suspended", "kecamatan.suspended", "true or false"))
		return
	}
	if _, err := h.app.UpdateKecamatan(r.Context(), caller(r), chi.URLParam(r, "code"), &usecase.KecamatanChange{Suspended: &suspend}); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/kecamatan", http.StatusSeeOther)
}

// administered returns the kecamatan the path names among those the caller
// administers, or answers 404.
func (h *Handler) administered(w http.ResponseWriter, r *http.Request) (*usecase.KecamatanView, bool) {
	items, err := h.app.Kecamatan(r.Context(), caller(r))
	if err != nil {
		h.http.Fail(w, r, err)
		return nil, false
	}
	code := chi.URLParam(r, "code") // the kecamatan administered, not one acted in
	for _, k := range items {
		if k.Code == code {
			return k, true
		}
	}
	h.http.Fail(w, r, registry.ErrNotFound)
	return nil, false
}

// kecamatanWhere lists the kecamatan of the reference data in the
// kabupaten/kota where the account may act on object (city IT's and the
// auditors' grants are at that level): a city's, never the nation's 7,000.
func (h *Handler) kecamatanWhere(acct int64, object, action string) []place {
	ref := wilayah.Default()
	var out []place
	for _, kota := range ref.AtLevel(wilayah.LevelKota) {
		if !h.authz.Allowed(acct, kota.Code, object, action) {
			continue
		}
		for _, k := range ref.Children(kota.Code) {
			out = append(out, place{Code: k.Code, Name: k.Name})
		}
	}
	return out
}
