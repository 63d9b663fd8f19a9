package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintList lists a kecamatan's complaints (the caller's kelurahan
// only, for Puskesos staff), newest first, 50 a page.
func (h *Handler) complaintList(w http.ResponseWriter, r *http.Request) {
	const limit = 50
	k, _, err := h.kecamatanPage(r)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	f := casework.ComplaintFilter{Status: q.Get("status"), After: after, Limit: limit}
	if f.Status != "" && !slices.Contains(casework.ComplaintStatuses, f.Status) {
		f.Status = ""
	}
	items, err := h.app.Complaints(r.Context(), caller(r), f)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = query("after", strconv.FormatInt(items[limit-1].ID, 10), "status", f.Status)
	}
	v := newPage(r, "complaints.title")
	rows := make([]complaintRow, len(items))
	for i, c := range items {
		rows[i] = complaintRow{ID: c.ID, Date: webDate(c.CreatedAt), Kelurahan: k.KelurahanNames[c.Kelurahan], Name: c.Person.Name,
			NIK: c.Person.NIK, Category: k.CategoryNames[c.Category], Channel: v.T("channel." + c.Channel),
			Urgency: c.Urgency, UrgencyLabel: v.T("urgency." + c.Urgency), Status: v.T("status." + c.Status)}
	}
	// Only Puskesos staff record complaints: the button is theirs.
	canWrite := len(h.authz.AllowedWithin(account(r), k.Code, "keluhan", "write")) > 0
	// Dinas Sosial loads the registry's extracts.
	canImport := h.may(r, k.Code, "penduduk", "import")
	render(w, r, http.StatusOK, keluhan(v, &complaintListPage{k, rows, casework.ComplaintStatuses, f.Status, next, canWrite, canImport}))
}

// complaintListPage is a page of a kecamatan's complaints, with the
// status filter and what the caller may do besides reading.
type complaintListPage struct {
	kecamatanPage
	Items     []complaintRow
	Statuses  []string
	Status    string
	Next      string
	CanWrite  bool
	CanImport bool
}

// complaintRow is a complaint of the list, its words already in the
// page's language, looked up once by the handler rather than cell by cell
// while the page renders (docs/benchmarks.md).
type complaintRow struct {
	ID                                            int64
	Date, Kelurahan, Name, NIK, Category, Channel string
	Urgency, UrgencyLabel, Status                 string
}
