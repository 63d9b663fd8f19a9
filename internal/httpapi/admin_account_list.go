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
	views, err := s.app.Accounts(r.Context(), &RequestOf(r).Caller, r.URL.Query().Get("cursor"), limit+1)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	accounts := make([]*store.Account, len(views))
	for i, v := range views {
		accounts[i] = v.Account
	}
	writeJSON(w, http.StatusOK, pageOf(accounts, limit, func(a *store.Account) string { return a.Username }))
}
