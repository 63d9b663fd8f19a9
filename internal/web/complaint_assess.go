package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/store"
)

// complaintAssess records (or revises) the assessment from the case file:
// the documents the resident holds, the service recommended, notes. The
// registry's facts (in DTKS, desil, programmes) are taken from the
// household. A new complaint becomes dikaji.
func (h *Handler) complaintAssess(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.ID(w, r)
	if !ok {
		return
	}
	known, err := h.app.DocumentTypes(r.Context())
	if err != nil {
		h.http.Fail(w, r, err)
		return
	}
	// A box ticked for a document the catalogue no longer has is dropped.
	in := casework.AssessmentInput{DocumentsHeld: []string{}}
	for _, doc := range r.PostForm["documents"] {
		if slices.ContainsFunc(known, func(d store.DocumentType) bool { return d.Code == doc }) && !slices.Contains(in.DocumentsHeld, doc) {
			in.DocumentsHeld = append(in.DocumentsHeld, doc)
		}
	}
	in.PPKS = r.PostForm["ppks"]
	if svc := r.PostFormValue("service"); svc != "" {
		in.RecommendedService = &svc
	}
	if notes := strings.TrimSpace(r.PostFormValue("notes")); notes != "" {
		in.Notes = &notes
	}
	_, err = h.app.Assess(r.Context(), caller(r), id, &in)
	h.backToCaseFile(w, r, id, "?dikaji=1", err)
}
