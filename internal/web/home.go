package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/slrt-id/slrt/internal/authz"
)

// place is a kecamatan a user works in through the web app.
type place struct {
	Code, Name string
	RoleKey    string
	Kelurahan  string // the kelurahan of a Puskesos grant
}

// home lists where the user works; with one place it goes straight to
// that kecamatan's complaints, or that agency's inbox.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	var places, inboxes []place
	others := false
	for _, g := range h.authz.Grants(account(r)) {
		switch authz.DomainLevel(g.Domain) {
		case authz.LevelKelurahan:
			kec := g.Domain[:8]
			places = append(places, place{Code: kec, Name: areaName(kec), RoleKey: "role." + string(g.Role), Kelurahan: areaName(g.Domain)})
		case authz.LevelKecamatan:
			places = append(places, place{Code: g.Domain, Name: areaName(g.Domain), RoleKey: "role." + string(g.Role)})
		case authz.LevelKota:
			if g.Role == authz.RoleAuditor || g.Role == authz.RoleAdmin {
				continue // the audit log and city IT's pages, linked below
			}
			if g.Role != authz.RoleDinsos {
				others = true
				continue
			}
			// The kecamatan onboarded, not every one of the city.
			onboarded, err := h.app.Onboarded(r.Context())
			if err != nil {
				h.http.Fail(w, r, err)
				return
			}
			for _, code := range onboarded {
				places = append(places, place{Code: code, Name: areaName(code), RoleKey: "role." + string(g.Role)})
			}
		case authz.LevelAgency:
			agency := strings.TrimPrefix(g.Domain, authz.AgencyPrefix)
			inboxes = append(inboxes, place{Code: agency, Name: h.app.AgencyName(r.Context(), agency), RoleKey: "role." + string(g.Role)})
		default:
			others = true
		}
	}
	slices.SortStableFunc(places, func(a, b place) int { return strings.Compare(a.Code, b.Code) })
	places = slices.CompactFunc(places, func(a, b place) bool { return a.Code == b.Code })
	audit := h.authz.AllowedAnywhere(account(r), "audit", "read")
	tenants := h.authz.AllowedAnywhere(account(r), "tenant", "read")
	accounts := h.authz.AllowedAnywhere(account(r), "account", "read")
	catalogue := h.authz.AllowedAnywhere(account(r), "katalog", "write")
	switch {
	case len(places) == 0 && len(inboxes) == 0 && !others && audit:
		http.Redirect(w, r, "/audit", http.StatusSeeOther)
		return
	case len(places) == 1 && len(inboxes) == 0 && !others && !catalogue:
		http.Redirect(w, r, "/kecamatan/"+places[0].Code+"/keluhan", http.StatusSeeOther)
		return
	case len(inboxes) == 1 && len(places) == 0 && !others:
		http.Redirect(w, r, "/instansi/"+inboxes[0].Code+"/rujukan", http.StatusSeeOther)
		return
	}
	render(w, r, http.StatusOK, beranda(newPage(r, "home.title"),
		homePage{places, inboxes, others, h.authz.AllowedAnywhere(account(r), "laporan_kota", "read"), audit, tenants, accounts, catalogue,
			h.authz.AllowedAnywhere(account(r), "usulan", "verify")}))
}

// homePage is where a user works: kecamatan, agency inboxes, the city's
// views and the audit log.
type homePage struct {
	Places, Inboxes []place
	Others          bool // grants the web app has no page for
	CityReport      bool
	Audit           bool
	Tenants         bool // city IT's list of kecamatan
	Accounts        bool // city IT's list of staff accounts
	Catalogue       bool // Dinas Sosial's services, categories and holidays
	Verify          bool // Dinas Sosial's verification of proposals
}
