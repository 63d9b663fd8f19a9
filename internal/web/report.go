package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/usecase"
)

// reportPage is a monitoring report as a page: its tables, the range, and
// where to download the same counts as CSV or XLSX from the API.
type reportPage struct {
	Scope       string // "Kota Bandung" or "Kecamatan X"
	From, To    string
	Tables      []reportTable
	Unavailable string
	Download    string // the API route; ?format= and the range are added
}

type reportTable struct {
	Name    string
	Columns []string
	Rows    [][]string
	// Suppressed counts the cells hidden because they counted fewer than 5.
	Suppressed int
	// Chart draws the first count of each row.
	Chart *barChart
}

// DownloadURL is the API's report in a format, for the page's range.
func (d reportPage) DownloadURL(format string) string {
	return d.Download + "?" + url.Values{"format": {format}, "from": {d.From}, "to": {d.To}}.Encode()
}

// cityReport is Dinas Sosial's view of the city for a date range
// (default: the last 30 days): counts by kecamatan and kelurahan, cells
// under 5 suppressed because the view leaves the kecamatan.
func (h *Handler) cityReport(w http.ResponseWriter, r *http.Request) {
	p, ok := httpapi.ReportPeriod(w, r)
	if !ok {
		return
	}
	a, err := h.app.CityReport(r.Context(), caller(r), p)
	h.renderReport(w, r, a, err, reportPage{Scope: h.cfg.CityName, Download: "/api/v1/laporan"})
}

// kecamatanReport is a kecamatan's counts by kelurahan (the caller's own
// kelurahan for Puskesos staff), nothing suppressed inside the kecamatan.
func (h *Handler) kecamatanReport(w http.ResponseWriter, r *http.Request) {
	p, ok := httpapi.ReportPeriod(w, r)
	if !ok {
		return
	}
	c := caller(r)
	a, err := h.app.KecamatanReport(r.Context(), c, p)
	h.renderReport(w, r, a, err, reportPage{Scope: "Kecamatan " + areaName(c.Kecamatan()), Download: "/api/v1/kecamatan/" + c.Kecamatan() + "/laporan"})
}

// renderReport writes a report's tables with every code in words.
func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, a *usecase.Report, err error, d reportPage) {
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	agencies, err := h.app.AgencyNames(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	cats, err := h.app.Categories(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "report.title")
	categories := map[string]string{}
	for _, c := range cats {
		categories[c.Code] = c.Name
	}
	ppks, err := h.app.PPKSCategories(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	ppksName := ppksNames(ppks)
	// A dimension's code, in words.
	name := func(column, code string) string {
		switch column {
		case "kecamatan", "kelurahan":
			return areaName(code)
		case "kategori":
			return cmp.Or(categories[code], code)
		case "instansi":
			return cmp.Or(agencies[code], code)
		case "kanal":
			return v.T("channel." + code)
		case "ppks":
			return cmp.Or(ppksName[code], code)
		case "status":
			return v.T("referral." + code)
		case "arah":
			return v.T("pindah." + map[string]string{"masuk": "in", "keluar": "out"}[code])
		}
		return code
	}
	d.From, d.To = a.From, a.To
	d.Unavailable = unavailableNames(a.Unavailable)
	for _, t := range a.Tables {
		rt := reportTable{Name: v.T("report." + t.Name), Suppressed: t.Suppressed}
		for _, c := range t.Columns {
			rt.Columns = append(rt.Columns, v.T("reportcol."+c))
		}
		dims := t.Dims()
		var labels []string
		var counts []*int64
		for _, row := range t.Rows {
			cells := cellsOf(row)
			for i, c := range row {
				if code, ok := c.(string); ok {
					cells[i] = name(t.Columns[i], code)
				}
			}
			rt.Rows = append(rt.Rows, cells)
			if dims > 0 && dims < len(row) {
				labels = append(labels, strings.Join(cells[:dims], " · "))
				n, _ := row[dims].(int64)
				if row[dims] == nil {
					counts = append(counts, nil)
				} else {
					counts = append(counts, &n)
				}
			}
		}
		if dims < len(t.Columns) {
			rt.Chart = newBarChart(rt.Name+": "+rt.Columns[dims], labels, counts)
		}
		d.Tables = append(d.Tables, rt)
	}
	render(w, r, http.StatusOK, laporan(v, &d))
}
