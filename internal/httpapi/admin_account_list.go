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
	page := Page[*store.Account]{Items: accounts}
	if len(accounts) > limit {
		page.Items = accounts[:limit]
		page.NextCursor = accounts[limit-1].Username
	}
	writeJSON(w, http.StatusOK, page)
}
