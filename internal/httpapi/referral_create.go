package httpapi

import (
	"context"
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
	snapshot, err := s.serviceSnapshot(r.Context(), in.Service)
	if errors.Is(err, errNoSuchService) {
		invalid(w, r, FieldError{Field: "/service", Code: "service.unknown", Message: "not an active service of the catalogue; see GET /api/v1/layanan"})
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	s.createInTenant(w, r, body, s.createReferral(r, &in, snapshot, func(id int64) string { return location(r, "rujukan", id) }))
}

var errNoSuchService = errors.New("no such active service")

// serviceSnapshot is the catalogue's service as a referral keeps it: a
// later change of the catalogue does not change a referral made.
func (s *Server) serviceSnapshot(ctx context.Context, code string) (*casework.Service, error) {
	svc, err := s.store.Service(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !svc.Active) {
		return nil, errNoSuchService
	}
	if err != nil {
		return nil, err
	}
	docs, err := s.store.DocumentTypes(ctx, svc.RequiredDocuments)
	if err != nil {
		return nil, err
	}
	snapshot := &casework.Service{Code: svc.Code, Name: svc.Name, Agency: svc.Agency, SharedFields: svc.SharedFields,
		ResponseDays: svc.ResponseDays, CompletionDays: svc.CompletionDays}
	for _, d := range docs {
		snapshot.RequiredDocuments = append(snapshot.RequiredDocuments, casework.Document{Code: d.Code, Name: d.Name})
	}
	return snapshot, nil
}

// createReferral makes the draft referral in a create's transaction;
// locate names where the new referral is read.
func (s *Server) createReferral(r *http.Request, in *casework.NewReferral, snapshot *casework.Service, locate func(int64) string) func(tx pgx.Tx) (*created, error) {
	actor, scope, code := s.actorOf(r.Context()), scopeOf(r.Context()), chi.URLParam(r, "code")
	return func(tx pgx.Tx) (*created, error) {
		id, tracking, err := casework.CreateReferral(r.Context(), tx, in, snapshot, code, actor, scope)
		if err != nil {
			return nil, err
		}
		s.metrics.referralMoved(r.Context(), code, snapshot.Agency, "draft")
		return &created{ID: id, Location: locate(id), TrackingCode: tracking}, nil
	}
}
