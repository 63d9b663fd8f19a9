package web

import (
	"net/http"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
)

// complaintEscalate sends the case to Dinas Sosial (the koordinator).
func (h *Handler) complaintEscalate(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	in := casework.NewEscalation{Reason: r.PostFormValue("reason"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	_, err := h.app.EscalateCase(r.Context(), caller(r), id, &in)
	h.backToCaseFile(w, r, id, "?dieskalasi=1#eskalasi", err)
}

// escalationTake is Dinas Sosial taking the escalated case.
func (h *Handler) escalationTake(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	_, err := h.app.TakeEscalation(r.Context(), caller(r), id)
	h.backToCaseFile(w, r, id, "?diambil=1#eskalasi", err)
}

// escalationDecide records Dinas Sosial's decision on the case it took.
func (h *Handler) escalationDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	_, err := h.app.DecideEscalation(r.Context(), caller(r), id, strings.TrimSpace(r.PostFormValue("decision")))
	h.backToCaseFile(w, r, id, "?diputuskan=1#eskalasi", err)
}

// escalationQueuePage is the city's queue of escalated cases.
type escalationQueuePage struct {
	Items       []casework.QueueItem
	Unavailable string
	Categories  map[string]string
}

// escalationQueue lists the cases escalated to Dinas Sosial, emergencies
// first, each leading to its case file.
func (h *Handler) escalationQueue(w http.ResponseWriter, r *http.Request) {
	q, err := h.app.EscalationQueue(r.Context(), caller(r))
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	cat, err := h.app.Catalogue(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	d := &escalationQueuePage{Items: q.Items, Unavailable: unavailableNames(q.Unavailable), Categories: map[string]string{}}
	for _, c := range cat.Categories {
		d.Categories[c.Code] = c.Name
	}
	render(w, r, http.StatusOK, eskalasiDaftar(newPage(r, "escalation.queue_title"), d))
}
