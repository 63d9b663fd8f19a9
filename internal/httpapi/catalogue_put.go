package httpapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
)

type servicePutRequest struct {
	Name              string   `json:"name"`
	Agency            string   `json:"agency"`
	RequiredDocuments []string `json:"requiredDocuments"`
	SharedFields      []string `json:"sharedFields"`
	ResponseDays      int      `json:"responseDays"`
	CompletionDays    int      `json:"completionDays"`
	Active            *bool    `json:"active,omitempty"`
}

// servicePut creates or replaces a service of the catalogue (Dinas Sosial).
// Referrals already made keep the targets and documents they were made with.
func (s *Server) servicePut(w http.ResponseWriter, r *http.Request) {
	var req servicePutRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	if req.CompletionDays < req.ResponseDays {
		invalid(w, r, FieldError{Field: "/completionDays", Code: "service.targets", Message: "cannot be shorter than responseDays"})
		return
	}
	svc := &store.Service{Code: chi.URLParam(r, "service"), Name: req.Name, Agency: req.Agency,
		RequiredDocuments: orEmpty(req.RequiredDocuments), SharedFields: orEmpty(req.SharedFields),
		ResponseDays: req.ResponseDays, CompletionDays: req.CompletionDays, Active: req.Active == nil || *req.Active}
	isNew, err := s.store.PutService(r.Context(), svc)
	var ref *store.InvalidReferenceError
	if errors.As(err, &ref) {
		invalid(w, r, FieldError{Field: ref.Field, Code: "service.reference", Message: ref.Message})
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	saved, err := s.store.Service(r.Context(), svc.Code)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, putStatus(isNew), saved)
}

func putStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
