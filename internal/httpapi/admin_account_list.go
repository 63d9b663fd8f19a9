package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/store"
)

// adminAccountList lists accounts by username, a page at a time
// (?cursor=<last username>&limit=).
func (s *Server) adminAccountList(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	accounts, err := s.store.ListAccounts(r.Context(), r.URL.Query().Get("cursor"), limit+1)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(accounts, limit, func(a *store.Account) string { return a.Username }))
}
