package web

import (
	"crypto/rand"
	"net/http"
	"slices"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
)

// intakePage is the new-complaint page: first finding the resident, then
// the complaint's fields.
type intakePage struct {
	kecamatanPage
	NIK, Name      string
	Searched       bool
	Found          []registry.Found
	Resident       *casework.PersonBrief
	Categories     []store.Category
	Channels       []string
	Urgencies      []string
	Form           casework.NewComplaint
	IdempotencyKey string
	MaxDescription int
	Errors         map[string]string
}

func (h *Handler) newIntakePage(r *http.Request) (*webPage, *intakePage, error) {
	k, cats, err := h.kecamatanPage(r)
	if err != nil {
		return nil, nil, err
	}
	active := slices.DeleteFunc(cats, func(c store.Category) bool { return !c.Active })
	d := &intakePage{kecamatanPage: k, Categories: active, Channels: casework.Channels, Urgencies: casework.Urgencies,
		Form: casework.NewComplaint{Channel: "datang_langsung", Urgency: "biasa"}, IdempotencyKey: rand.Text(),
		MaxDescription: casework.MaxText, Errors: map[string]string{}}
	return newPage(r, "intake.title"), d, nil
}
