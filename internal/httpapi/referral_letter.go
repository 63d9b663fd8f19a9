package httpapi

import (
	"bytes"
	"net/http"

	"github.com/slrt-id/slrt/internal/letter"
)

// referralLetter renders the referral letter (surat rujukan) of a sent
// referral as PDF for the resident to take to the agency. It holds the
// resident's NIK and address, so printing it is audited.
func (s *Server) referralLetter(w http.ResponseWriter, r *http.Request) {
	id, ok := ID(w, r)
	if !ok {
		return
	}
	l, err := s.app.Letter(r.Context(), &RequestOf(r).Caller, id, s.cfg.CityName, s.publicURL(r)+"/lacak/")
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := letter.Render(&buf, l); err != nil {
		serverError(w, r, err)
		return
	}
	if err := s.Audit(r); err != nil {
		s.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="surat-rujukan-`+l.TrackingCode+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
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
