package httpapi

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/usecase"
)

type servicePutRequest struct {
	Name              string   `json:"name"`
	Agency            string   `json:"agency"`
	RequiredDocuments []string `json:"requiredDocuments"`
	SharedFields      []string `json:"sharedFields"`
	ResponseDays      int      `json:"responseDays"`
	CompletionDays    int      `json:"completionDays"`
	Active            *bool    `json:"active,omitempty"`
	Reason            string   `json:"reason"`
}

// servicePut creates or replaces a service of the catalogue (Dinas Sosial),
// with the change's reason kept in its history.
func (s *Server) servicePut(w http.ResponseWriter, r *http.Request) {
	var req servicePutRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	saved, created, err := s.app.PutService(r.Context(), &RequestOf(r).Caller, &usecase.ServiceEdit{Service: store.Service{
		Code: chi.URLParam(r, "service"), Name: req.Name, Agency: req.Agency, RequiredDocuments: req.RequiredDocuments,
		SharedFields: req.SharedFields, ResponseDays: req.ResponseDays, CompletionDays: req.CompletionDays,
		Active: req.Active == nil || *req.Active}, Reason: req.Reason})
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, putStatus(created), saved)
}

func putStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// catalogueChanges lists the recorded changes of the catalogue, newest
// first: ?kind= (layanan, kategori, libur), ?code= for one entry, paged.
func (s *Server) catalogueChanges(w http.ResponseWriter, r *http.Request) {
	limit, before, ok := idPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	changes, err := s.app.CatalogueChanges(r.Context(), &RequestOf(r).Caller, q.Get("kind"), q.Get("code"), before, limit+1)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(changes, limit, func(c store.CatalogueChange) string { return strconv.FormatInt(c.ID, 10) }))
}
