package web

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/httpapi"
)

// agencyPage is what an agency's pages share.
type agencyPage struct {
	Agency, AgencyName string
}

func (h *Handler) agencyPage(r *http.Request) agencyPage {
	agency := httpapi.RequestOf(r).Agency
	return agencyPage{Agency: agency, AgencyName: h.app.AgencyName(r.Context(), agency)}
}
