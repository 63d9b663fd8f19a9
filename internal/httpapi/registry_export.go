package httpapi

import (
	"net/http"

	"github.com/slrt-id/slrt/internal/bnba"
)

// registryExport writes the kecamatan's registry as a DTKS/BNBA extract, CSV
// or XLSX (?format=), optionally of one kelurahan: the shape the import
// reads. It holds every NIK of the kecamatan, so it is audited.
func (s *Server) registryExport(w http.ResponseWriter, r *http.Request) {
	format, contentType, ok := fileFormat(w, r)
	if !ok {
		return
	}
	rq := RequestOf(r)
	err := s.app.Export(r.Context(), &rq.Caller, r.URL.Query().Get("kelurahan"), func() (bnba.Writer, error) {
		if err := s.Audit(r); err != nil {
			return nil, err
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="bnba-`+rq.Kecamatan()+"-"+rq.Now.Format("20060102")+"."+format+`"`)
		w.Header().Set("Cache-Control", "no-store")
		return bnba.NewWriter(format, w)
	})
	if err != nil && !written(w) {
		s.Fail(w, r, err)
	} else if err != nil {
		// Mid-stream the answer has begun: the client sees a cut file.
		logFailure(r, err)
	}
}

// fileFormat reads a download's ?format= (csv unless said), answering a bad
// one, with its content type.
func fileFormat(w http.ResponseWriter, r *http.Request) (format, contentType string, ok bool) {
	format = r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	contentType = map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[format]
	if contentType == "" {
		invalid(w, r, FieldError{Field: "format", Code: "export.format", Message: "csv or xlsx"})
		return "", "", false
	}
	return format, contentType, true
}
