package httpapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/store"
)

// referralCreate makes a draft referral for a complaint to a service of the
// catalogue, with its documents checklist and a tracking code. A koordinator
// sends it (POST .../status requested), which starts the SLA clock.
func (s *Server) referralCreate(w http.ResponseWriter, r *http.Request) {
	var in casework.NewReferral
	body, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	svc, err := s.store.Service(r.Context(), in.Service)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !svc.Active) {
		invalid(w, r, FieldError{Field: "/service", Code: "service.unknown", Message: "not an active service of the catalogue; see GET /api/v1/layanan"})
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	docs, err := s.store.DocumentTypes(r.Context(), svc.RequiredDocuments)
	if err != nil {
		serverError(w, r, err)
		return
	}
	snapshot := &casework.Service{Code: svc.Code, Name: svc.Name, Agency: svc.Agency, SharedFields: svc.SharedFields,
		ResponseDays: svc.ResponseDays, CompletionDays: svc.CompletionDays}
	for _, d := range docs {
		snapshot.RequiredDocuments = append(snapshot.RequiredDocuments, casework.Document{Code: d.Code, Name: d.Name})
	}
	actor := s.actorOf(r.Context())
	scope := scopeOf(r.Context())
	code := chi.URLParam(r, "code")
	s.createInTenant(w, r, body, func(tx pgx.Tx) (*created, error) {
		id, tracking, err := casework.CreateReferral(r.Context(), tx, &in, snapshot, code, actor, scope)
		if err != nil {
			return nil, err
		}
		s.metrics.referralMoved(r.Context(), code, svc.Agency, "draft")
		return &created{ID: id, Location: location(r, "rujukan", id), TrackingCode: tracking}, nil
	})
}
