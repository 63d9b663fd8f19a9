package web

import (
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/usecase"
)

// kecamatanAdminPage is city IT's list of kecamatan, each with its state as
// the operator reports it. No resident data: codes, names and states only.
type kecamatanAdminPage struct {
	Rows []kecamatanAdminRow
	// Provisioning says some kecamatan is being set up: the page refreshes
	// itself until none is.
	Provisioning bool
}

type kecamatanAdminRow struct {
	Code, Name, State, StateClass, Reason, Message string
	SchemaVersion                                  string
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
	for _, k := range items {
		row := kecamatanAdminRow{Code: k.Code, Name: k.DisplayName, Reason: k.Reason, Message: k.Message,
			Kelurahan: k.KelurahanCount, SchemaVersion: "–"}
		if k.SchemaVersion > 0 {
			row.SchemaVersion = strconv.FormatInt(k.SchemaVersion, 10)
		}
		row.State, row.StateClass = kecamatanState(v, k)
		if row.StateClass == "provisioning" {
			d.Provisioning = true
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Provisioning {
		v.Refresh = refreshEvery
	}
	render(w, r, http.StatusOK, adminKecamatanList(v, d))
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
