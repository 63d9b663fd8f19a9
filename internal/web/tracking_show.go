package web

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/workdays"
)

var trackingPage = template.Must(template.New("lacak.html").Funcs(template.FuncMap{
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
}).ParseFS(files, "templates/public/lacak.html"))

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
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_ = trackingPage.Execute(w, map[string]any{"Code": code, "Tracking": tr, "Status": status})
}
