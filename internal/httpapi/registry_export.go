package httpapi

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/registryload"
)

// registryExport writes the kecamatan's registry as a DTKS/BNBA extract, CSV
// or XLSX (?format=), optionally of one kelurahan: the shape the import
// reads. It holds every NIK of the kecamatan, so it is audited.
func (s *Server) registryExport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	contentType := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[format]
	if contentType == "" {
		invalid(w, r, FieldError{Field: "format", Code: "export.format", Message: "csv or xlsx"})
		return
	}
	code := chi.URLParam(r, "code")
	s.withTenantDB(w, r, func(conn tenantConn) error {
		s.audit(r, code, "success")
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="bnba-`+code+"-"+time.Now().Format("20060102")+"."+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		out, err := bnba.NewWriter(format, w)
		if err != nil {
			return err
		}
		if _, err := registryload.Export(r.Context(), conn, r.URL.Query().Get("kelurahan"), func(row *bnba.Row) error {
			return out.Write(row.Record())
		}); err != nil {
			return err
		}
		return out.Close()
	})
}
