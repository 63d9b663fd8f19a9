package web

import (
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/usecase"
)

// overduePage is the referrals past their targets: counts by area and
// agency, and, inside a kecamatan, the referrals themselves.
type overduePage struct {
	Scope       string
	Code        string // the kecamatan, or "" for the city
	City        bool
	Counts      []overdueRow
	Referrals   []overdueReferral
	Unavailable string
}

type overdueRow struct {
	Area, Link, Agency                       string
	Open, ResponseOverdue, CompletionOverdue int
}

type overdueReferral struct {
	TrackingCode, CaseFile, Kelurahan, Name, Service, Agency, Missed string
}

// kecamatanOverdue is a kecamatan's open referrals past their targets, by
// kelurahan and agency (the caller's kelurahan for Puskesos staff), and
// the late ones, each leading to its case file: the supervisor's view.
func (h *Handler) kecamatanOverdue(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	counts, err := h.app.Overdue(r.Context(), c)
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	late, err := h.app.Referrals(r.Context(), c, casework.ReferralFilter{Overdue: true, Limit: 200})
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	v := newPage(r, "overdue.title")
	d := &overduePage{Scope: "Kecamatan " + areaName(c.Kecamatan()), Code: c.Kecamatan()}
	for _, o := range counts.Items {
		d.Counts = append(d.Counts, h.overdueRow(r, areaName(o.Kelurahan), "", o))
	}
	for _, ref := range late {
		missed := []string{}
		if ref.ResponseOverdue {
			missed = append(missed, v.T("overdue.response"))
		}
		if ref.CompletionOverdue {
			missed = append(missed, v.T("overdue.completion"))
		}
		d.Referrals = append(d.Referrals, overdueReferral{TrackingCode: ref.TrackingCode, CaseFile: caseFileURL(c.Kecamatan(), ref.ComplaintID),
			Kelurahan: areaName(ref.Kelurahan), Name: ref.Person.Name, Service: ref.ServiceName,
			Agency: h.app.AgencyName(r.Context(), ref.Agency), Missed: strings.Join(missed, ", ")})
	}
	render(w, r, http.StatusOK, terlambat(v, d))
}

// cityOverdue is Dinas Sosial's view of the referrals past their targets
// in every kecamatan, by kecamatan and agency, each leading to the
// kecamatan's own view; a kecamatan that did not answer is named.
func (h *Handler) cityOverdue(w http.ResponseWriter, r *http.Request) {
	report, err := h.app.CityOverdue(r.Context(), caller(r))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d := &overduePage{Scope: h.cfg.CityName, City: true, Unavailable: unavailableNames(report.Unavailable)}
	for _, o := range report.Items {
		d.Counts = append(d.Counts, h.overdueRow(r, areaName(o.Kecamatan), "/kecamatan/"+o.Kecamatan+"/rujukan/terlambat", o))
	}
	render(w, r, http.StatusOK, terlambat(newPage(r, "overdue.title"), d))
}

func (h *Handler) overdueRow(r *http.Request, area, link string, o casework.OverdueCount) overdueRow {
	return overdueRow{Area: area, Link: link, Agency: h.app.AgencyName(r.Context(), o.Agency), Open: o.Open,
		ResponseOverdue: o.ResponseOverdue, CompletionOverdue: o.CompletionOverdue}
}

// unavailableNames names the kecamatan a view across kecamatan could not
// read.
func unavailableNames(unavailable []usecase.Unavailable) string {
	codes := make([]string, len(unavailable))
	for i, u := range unavailable {
		codes[i] = u.Kecamatan
	}
	return areaNames(codes)
}

// areaNames names areas by their codes, in a line.
func areaNames(codes []string) string {
	names := make([]string, len(codes))
	for i, code := range codes {
		names[i] = areaName(code)
	}
	return strings.Join(names, ", ")
}
