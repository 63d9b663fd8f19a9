package httpapi

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/store"
)

// referralLetter renders the referral letter (surat rujukan) of a sent
// referral as PDF for the resident to take to the agency. It holds the
// resident's NIK and address, so printing it is audited.
func (s *Server) referralLetter(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		f, err := casework.GetLetterFacts(r.Context(), conn, id, scopeOf(r.Context()))
		if err != nil {
			return err
		}
		l := f.Letter
		l.City, l.Kecamatan = s.cfg.CityName, tenantFrom(r.Context()).DisplayName
		l.TrackingURL = s.publicURL(r) + "/lacak/" + l.TrackingCode
		if l.Agency, err = s.store.AgencyName(r.Context(), f.AgencyCode); errors.Is(err, store.ErrNotFound) {
			l.Agency = f.AgencyCode
		} else if err != nil {
			return err
		}
		l.Signer = f.SignerUsername
		if acct, err := s.store.AccountByUsername(r.Context(), f.SignerUsername); err == nil {
			l.Signer = acct.DisplayName
		}
		var buf bytes.Buffer
		if err := letter.Render(&buf, &l); err != nil {
			return err
		}
		s.audit(r, chi.URLParam(r, "code"), "success")
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="surat-rujukan-`+l.TrackingCode+`.pdf"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
		return nil
	})
}

// publicURL is the address residents reach the platform at: the configured
// one, else the one this request came to.
func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
