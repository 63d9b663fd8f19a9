package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/reportfile"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/workdays"
)

// auditOutcomes are the outcomes an audit entry records.
var auditOutcomes = []string{"success", "failure", "denied"}

// auditPage is the audit log for auditors: filters, a page of entries,
// the next page and the CSV of the same filter.
type auditPage struct {
	Filter    store.AuditFilter
	From, To  string
	Kecamatan []place
	Outcomes  []string
	Entries   []*store.AuditEntry
	Next, CSV string
}

// auditList is the audit log, newest first, 50 a page, by account,
// kecamatan, outcome and dates (the city's): who read or changed what, and
// what was refused. With ?format=csv, the filter's entries (up to 10,000)
// as a file for a data protection officer.
func (h *Handler) auditList(w http.ResponseWriter, r *http.Request) {
	const limit = 50
	q := r.URL.Query()
	d := &auditPage{Filter: store.AuditFilter{Username: q.Get("pengguna"), Tenant: q.Get("kecamatan"), Outcome: q.Get("hasil"),
		ActionHas: q.Get("aksi")},
		From: q.Get("dari"), To: q.Get("sampai"), Outcomes: auditOutcomes}
	d.Kecamatan = h.kecamatanWhere(account(r), "audit", "read")
	if from, err := time.ParseInLocation(time.DateOnly, d.From, workdays.Zone); err == nil {
		d.Filter.From = from
	}
	if to, err := time.ParseInLocation(time.DateOnly, d.To, workdays.Zone); err == nil {
		d.Filter.To = to.AddDate(0, 0, 1)
	}
	d.Filter.Before, _ = strconv.ParseInt(q.Get("sebelum"), 10, 64)
	d.Filter.Limit = limit + 1
	csv := q.Get("format") == "csv"
	if csv {
		d.Filter.Limit = 10000
	}
	entries, err := h.app.AuditLog(r.Context(), d.Filter)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if csv {
		writeAuditCSV(w, entries)
		return
	}
	filter := []string{"pengguna", d.Filter.Username, "kecamatan", d.Filter.Tenant, "aksi", d.Filter.ActionHas, "hasil", d.Filter.Outcome,
		"dari", d.From, "sampai", d.To}
	if len(entries) > limit {
		entries = entries[:limit]
		d.Next = query(append(filter, "sebelum", strconv.FormatInt(entries[limit-1].ID, 10))...)
	}
	d.Entries, d.CSV = entries, "/audit"+query(append(filter, "format", "csv")...)
	render(w, r, http.StatusOK, audit(newPage(r, "audit.title"), d))
}

// writeAuditCSV answers with the entries as a CSV file.
func writeAuditCSV(w http.ResponseWriter, entries []*store.AuditEntry) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	rows := [][]string{{"waktu", "pengguna", "peran", "kecamatan", "kelurahan", "aksi", "objek", "hasil", "tujuan", "id_permintaan", "alamat_ip"}}
	for _, e := range entries {
		rows = append(rows, []string{e.At.In(workdays.Zone).Format(time.RFC3339), e.Username, e.Roles, e.Tenant, e.Kelurahan, e.Action,
			e.Object, e.Outcome, e.Purpose, e.RequestID, e.ClientIP})
	}
	_ = reportfile.WriteRows(w, rows)
}

// residentReadsPage is who read or changed one resident's records.
type residentReadsPage struct {
	Searched    bool
	Problem     string
	Kecamatan   string // names of the kecamatan holding the NIK
	Unavailable string
	Entries     []*store.AuditEntry
}

// auditResidentReads answers a data protection officer's question "who
// read this resident's data?": the NIK typed into a POST form (never in an
// address), the reads and changes of the resident's records in every
// kecamatan holding them, on the page or as CSV. The lookup itself is
// audited, without the NIK.
func (h *Handler) auditResidentReads(w http.ResponseWriter, r *http.Request) {
	v := newPage(r, "audit.reads.title")
	d := &residentReadsPage{}
	out, err := h.app.ReadsOfPerson(r.Context(), caller(r), strings.TrimSpace(r.PostFormValue("nik")))
	problems := map[string]string{}
	switch {
	case fieldProblems(v, err, problems, nil):
		d.Problem = problems["nik"]
		render(w, r, http.StatusUnprocessableEntity, residentReads(v, d))
		return
	case err != nil:
		h.http.Fail(w, r, err)
		return
	}
	if err := h.http.Audit(r); err != nil {
		h.http.Fail(w, r, err)
		return
	}
	if r.PostFormValue("format") == "csv" {
		writeAuditCSV(w, out.Entries)
		return
	}
	d.Searched, d.Entries = true, out.Entries
	d.Kecamatan, d.Unavailable = areaNames(out.Kecamatan), unavailableNames(out.Unavailable)
	render(w, r, http.StatusOK, residentReads(v, d))
}
