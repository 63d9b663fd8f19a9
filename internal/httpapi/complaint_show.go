package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// complaintShow returns a complaint's case file. Its description and notes
// can hold health or family matters, so the read is audited.
func (s *Server) complaintShow(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		c, err := casework.GetComplaint(r.Context(), conn, id, scopeOf(r.Context()), today())
		if err != nil {
			return err
		}
		s.audit(r, chi.URLParam(r, "code"), "success")
		writeJSON(w, http.StatusOK, c)
		return nil
	})
}

// afterComplaint reads the complaint back after a change.
func (s *Server) afterComplaint(r *http.Request, id int64) func(conn tenantConn) (any, error) {
	return func(conn tenantConn) (any, error) {
		return casework.GetComplaint(r.Context(), conn, id, scopeOf(r.Context()), today())
	}
}
