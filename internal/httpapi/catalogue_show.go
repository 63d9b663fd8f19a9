package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// Catalogue is the service catalogue with the document types it names.
type Catalogue struct {
	Items         []store.Service      `json:"items"`
	DocumentTypes []store.DocumentType `json:"documentTypes"`
}

// catalogueShow lists the services Puskesos can refer residents to.
func (s *Server) catalogueShow(w http.ResponseWriter, r *http.Request) {
	services, err := s.store.Services(r.Context())
	if err != nil {
		serverError(w, r, err)
		return
	}
	docs, err := s.store.DocumentTypes(r.Context(), nil)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Catalogue{Items: services, DocumentTypes: docs})
}
