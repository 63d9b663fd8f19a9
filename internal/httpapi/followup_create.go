package httpapi

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
)

// followUpCreate records a follow-up (tindak lanjut) on a case.
func (s *Server) followUpCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var in casework.NewFollowUp
	body, ok := readBody(w, r, &in)
	if !ok {
		return
	}
	actor := s.actorOf(r.Context())
	scope := scopeOf(r.Context())
	s.createInTenant(w, r, body, func(tx pgx.Tx) (*created, error) {
		fid, err := casework.AddFollowUp(r.Context(), tx, id, &in, actor, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: fid, Location: location(r, "keluhan", id)}, nil
	})
}
