package apiserver_test

import (
	"net/http"
	"strings"
	"testing"
)

// The supervisor sees the kecamatan's referrals past their targets, by
// kelurahan and agency, and each late one leads to its case file; Dinas
// Sosial sees the city's by kecamatan, each leading to the kecamatan's
// view; a petugas has no city view.
func TestWebOverdueReferrals(t *testing.T) {
	_, complaint := newCase(t)
	late, tracking := newReferral(t, complaint, "RTLH")
	expectMoved(t, "koordinator", late, "requested", "")
	makeLate(t, late)

	supervisor := newBrowser(t)
	supervisor.signIn("supervisor")
	if r := supervisor.get("/kecamatan/32.73.03/keluhan"); !strings.Contains(r.body, `href="/kecamatan/32.73.03/rujukan/terlambat"`) {
		t.Fatalf("no link to the overdue referrals: %s", r.body)
	}
	r := supervisor.get("/kecamatan/32.73.03/rujukan/terlambat")
	caseFile := `href="/kecamatan/32.73.03/keluhan/` + jsonNum(float64(complaint)) + `">` + tracking + `</a>`
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="counts"`) || !strings.Contains(r.body, caseFile) ||
		!strings.Contains(r.body, "Lewat batas tanggapan, Lewat batas penyelesaian") {
		t.Fatalf("the supervisor's overdue referrals: %d %s", r.status, r.body)
	}

	dinsos := newBrowser(t)
	dinsos.signIn("dinsos")
	r = dinsos.get("/rujukan/terlambat")
	if r.status != http.StatusOK || !strings.Contains(r.body, `<a href="/kecamatan/32.73.03/rujukan/terlambat">Babakan Ciparay</a>`) {
		t.Fatalf("the city's overdue referrals: %d %s", r.status, r.body)
	}
	petugas := newBrowser(t)
	petugas.signIn("petugas")
	if r := petugas.get("/rujukan/terlambat"); r.status != http.StatusForbidden {
		t.Fatalf("a petugas's city view: %d", r.status)
	}
}
