package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/usecase"
)

// adminAccountList lists accounts by username, a page at a time
// (?cursor=<last username>&limit=).
func (s *Server) adminAccountList(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	views, err := s.app.Accounts(r.Context(), &RequestOf(r).Caller, r.URL.Query().Get("cursor"), limit+1)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	// An AccountView is its account in JSON: the grants are left out.
	writeJSON(w, http.StatusOK, pageOf(views, limit, func(a *usecase.AccountView) string { return a.Username }))
}
