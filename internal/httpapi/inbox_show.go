package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// inboxShow is one referral as its receiving agency sees it: documents,
// history, and of the resident only the fields the service shares. It
// carries personal data, so the read is audited.
func (s *Server) inboxShow(w http.ResponseWriter, r *http.Request) {
	s.withAgencyReferral(w, r, func(ref *casework.AgencyReferral) error {
		writeJSON(w, http.StatusOK, ref)
		return nil
	})
}

// withAgencyReferral reads the referral of the path as its agency sees it,
// audits the read, and hands it to show.
func (s *Server) withAgencyReferral(w http.ResponseWriter, r *http.Request, show func(*casework.AgencyReferral) error) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	code, agency := chi.URLParam(r, "code"), chi.URLParam(r, "agency")
	s.readInTenant(w, r, func(conn tenantConn) error {
		ref, err := casework.GetForAgency(r.Context(), conn, code, agency, id, today())
		if err != nil {
			return err
		}
		s.audit(r, code, "success")
		return show(ref)
	})
}
