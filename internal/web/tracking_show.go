package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/workdays"
)

// trackingPage is what the public status page shows: the code asked for,
// and the referral's status, or why there is none (404 or 503).
type trackingPage struct {
	Code     string
	Tracking *casework.Tracking
	Status   int
}

// trackingDate writes a date of the status page, or "-" for none.
func trackingDate(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return letter.Tanggal(t.In(workdays.Zone))
}

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
func (h *Handler) trackingShow(w http.ResponseWriter, r *http.Request) {
	code := chi.URLParam(r, "trackingCode")
	tr, err := h.app.Track(r.Context(), code)
	status := http.StatusOK
	switch {
	case errors.Is(err, casework.ErrNotFound):
		status = http.StatusNotFound
	case err != nil:
		status = http.StatusServiceUnavailable
	}
	// The page's one stylesheet is inline: nothing else may load.
	writePage(w, r, status, lacak(trackingPage{Code: code, Tracking: tr, Status: status}), "default-src 'none'; style-src 'unsafe-inline'")
}
