package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/slrt-id/slrt/internal/store"
)

// adminGrantList lists grants (?username= to narrow, ?cursor=<last id>).
func (s *Server) adminGrantList(w http.ResponseWriter, r *http.Request) {
	limit, ok := pageLimit(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var accountID int64
	if u := q.Get("username"); u != "" {
		acct, err := s.store.AccountByUsername(r.Context(), u)
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusOK, Page[*store.Grant]{Items: []*store.Grant{}})
			return
		}
		if err != nil {
			serverError(w, r, err)
			return
		}
		accountID = acct.ID
	}
	after, _ := strconv.ParseInt(q.Get("cursor"), 10, 64)
	grants, err := s.store.ListGrants(r.Context(), accountID, after, limit+1)
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(grants, limit, func(g *store.Grant) string { return strconv.FormatInt(g.ID, 10) }))
}
