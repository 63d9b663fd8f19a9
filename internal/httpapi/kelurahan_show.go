package httpapi

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
)

// kelurahanShow returns one kelurahan of the kecamatan.
func (s *Server) kelurahanShow(w http.ResponseWriter, r *http.Request) {
	s.withTenantDB(w, r, func(conn tenantConn) error {
		var k Kelurahan
		err := conn.QueryRow(r.Context(), `SELECT code, name FROM kelurahan WHERE code = $1`, chi.URLParam(r, "kelurahan")).
			Scan(&k.Code, &k.Name)
		if errors.Is(err, pgx.ErrNoRows) {
			problem(w, r, http.StatusNotFound, "No such kelurahan in this kecamatan.")
			return nil
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, k)
		return nil
	})
}
