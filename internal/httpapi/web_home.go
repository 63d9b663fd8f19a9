package httpapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// place is a kecamatan a user works in through the web app.
type place struct {
	Code, Name string
	RoleKey    string
	Kelurahan  string // the kelurahan of a Puskesos grant
}

// webHome lists where the user works; with one place it goes straight to
// that kecamatan's complaints.
func (s *Server) webHome(w http.ResponseWriter, r *http.Request) {
	var places, inboxes []place
	others := false
	for _, g := range s.authz.Grants(principalFrom(r.Context()).Account.ID) {
		switch authz.DomainLevel(g.Domain) {
		case authz.LevelKelurahan:
			kec := g.Domain[:8]
			places = append(places, place{Code: kec, Name: areaName(kec), RoleKey: "role." + string(g.Role), Kelurahan: areaName(g.Domain)})
		case authz.LevelKecamatan:
			places = append(places, place{Code: g.Domain, Name: areaName(g.Domain), RoleKey: "role." + string(g.Role)})
		case authz.LevelKota:
			if g.Role != authz.RoleDinsos {
				others = true
				continue
			}
			// The kecamatan onboarded, not every one of the city.
			onboarded, err := s.tenants.List(r.Context())
			if err != nil {
				serverError(w, r, err)
				return
			}
			for _, k := range onboarded {
				places = append(places, place{Code: k.Spec.Code, Name: areaName(k.Spec.Code), RoleKey: "role." + string(g.Role)})
			}
		case authz.LevelAgency:
			agency := strings.TrimPrefix(g.Domain, authz.AgencyPrefix)
			name, err := s.store.AgencyName(r.Context(), agency)
			if err != nil {
				name = agency
			}
			inboxes = append(inboxes, place{Code: agency, Name: name, RoleKey: "role." + string(g.Role)})
		default:
			others = true
		}
	}
	slices.SortStableFunc(places, func(a, b place) int { return strings.Compare(a.Code, b.Code) })
	places = slices.CompactFunc(places, func(a, b place) bool { return a.Code == b.Code })
	switch {
	case len(places) == 1 && len(inboxes) == 0 && !others:
		http.Redirect(w, r, "/kecamatan/"+places[0].Code+"/keluhan", http.StatusSeeOther)
		return
	case len(inboxes) == 1 && len(places) == 0 && !others:
		http.Redirect(w, r, "/instansi/"+inboxes[0].Code+"/rujukan", http.StatusSeeOther)
		return
	}
	render(w, r, http.StatusOK, "beranda", newPage(r, "home.title", struct {
		Places, Inboxes []place
		Others          bool
		CityReport      bool
	}{places, inboxes, others, s.authz.AllowedAnywhere(principalFrom(r.Context()).Account.ID, "laporan_kota", "read")}))
}

// areaName names a kecamatan or kelurahan by its code.
func areaName(code string) string {
	if a, ok := wilayah.Default().Lookup(code); ok {
		return a.Name
	}
	return code
}
