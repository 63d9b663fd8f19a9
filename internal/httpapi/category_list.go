package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// categoryList lists the complaint categories.
func (s *Server) categoryList(w http.ResponseWriter, r *http.Request) {
	cats, err := s.store.Categories(r.Context())
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[store.Category]{Items: cats})
}

// ppksList lists the PPKS categories (Permensos 08/2012) an assessment
// records.
func (s *Server) ppksList(w http.ResponseWriter, r *http.Request) {
	cats, err := s.app.PPKSCategories(r.Context())
	s.answer(w, r, Page[store.PPKS]{Items: cats}, err)
}
