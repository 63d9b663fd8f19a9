package httpapi

import (
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/authz"
)

// Kelurahan is a kelurahan of a kecamatan.
type Kelurahan struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// kelurahanList lists the kelurahan of a kecamatan the caller may see: all of
// them with a grant on the kecamatan or above, else those it is granted in.
func (s *Server) kelurahanList(w http.ResponseWriter, r *http.Request) {
	domains := allowedDomains(r.Context())
	s.withTenantDB(w, r, func(conn tenantConn) error {
		rows, err := conn.Query(r.Context(), `SELECT code, name FROM kelurahan ORDER BY code`)
		if err != nil {
			return err
		}
		all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Kelurahan])
		if err != nil {
			return err
		}
		visible := []Kelurahan{}
		for _, k := range all {
			for _, d := range domains {
				if authz.Covers(d, k.Code) {
					visible = append(visible, k)
					break
				}
			}
		}
		writeJSON(w, http.StatusOK, Page[Kelurahan]{Items: visible})
		return nil
	})
}
