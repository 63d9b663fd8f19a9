package httpapi

import (
	"context"
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"regexp"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/workdays"
)

// A tracking code: the kecamatan's six digits and eight characters of
// Crockford's base32 (see casework.TrackingCode).
var trackingCodeRe = regexp.MustCompile(`^([0-9]{2})([0-9]{2})([0-9]{2})-[0-9A-HJKMNP-TV-Z]{8}$`)

// errNoSuchCode is a tracking code that names nothing (or a draft).
var errNoSuchCode = errors.New("no such tracking code")

// track looks a tracking code up in the kecamatan it names.
func (s *Server) track(ctx context.Context, code string) (*casework.Tracking, error) {
	m := trackingCodeRe.FindStringSubmatch(code)
	if m == nil {
		return nil, errNoSuchCode
	}
	t, err := s.tenants.Lookup(ctx, m[1]+"."+m[2]+"."+m[3])
	if err != nil {
		return nil, errNoSuchCode // unknown, suspended or provisioning: nothing to show the public
	}
	conn, err := s.tenants.Acquire(ctx, t)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	tr, err := casework.Track(ctx, conn, code)
	if errors.Is(err, casework.ErrNotFound) {
		return nil, errNoSuchCode
	}
	return tr, err
}

// trackingShow answers the public: status and dates of a referral by its
// tracking code, as JSON. Rate-limited per client address.
func (s *Server) trackingShow(w http.ResponseWriter, r *http.Request) {
	tr, err := s.track(r.Context(), chi.URLParam(r, "trackingCode"))
	switch {
	case errors.Is(err, errNoSuchCode):
		problem(w, r, http.StatusNotFound, "Kode lacak tidak ditemukan. / No referral has this tracking code.")
	case err != nil:
		w.Header().Set("Retry-After", "30")
		problem(w, r, http.StatusServiceUnavailable, "Status belum dapat ditampilkan; coba lagi nanti. / Try again later.")
	default:
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, tr)
	}
}

//go:embed tracking.html
var trackingHTML string

var trackingPage = template.Must(template.New("lacak").Funcs(template.FuncMap{
	"tanggal": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return letter.Tanggal(v.In(workdays.Zone))
		case *time.Time:
			if v != nil {
				return letter.Tanggal(v.In(workdays.Zone))
			}
		}
		return "-"
	},
	"status": func(s string) statusLabel { return statusLabels[s] },
}).Parse(trackingHTML))

type statusLabel struct{ ID, EN string }

// What residents read for each status, Bahasa Indonesia first.
var statusLabels = map[string]statusLabel{
	"requested":   {"Dikirim ke instansi tujuan", "Sent to the agency"},
	"accepted":    {"Diterima instansi", "Accepted by the agency"},
	"rejected":    {"Ditolak instansi", "Rejected by the agency"},
	"in-progress": {"Sedang diproses", "In progress"},
	"completed":   {"Selesai", "Completed"},
	"failed":      {"Tidak berhasil", "Not successful"},
	"cancelled":   {"Dibatalkan", "Cancelled"},
}

// trackingPageShow is the public status page residents reach from the QR
// code on their letter: server-rendered, no script, status and dates only.
func (s *Server) trackingPageShow(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "trackingCode")
	tr, err := s.track(r.Context(), code)
	status := http.StatusOK
	switch {
	case errors.Is(err, errNoSuchCode):
		status = http.StatusNotFound
	case err != nil:
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = trackingPage.Execute(w, map[string]any{"Code": code, "Tracking": tr, "Status": status})
}
