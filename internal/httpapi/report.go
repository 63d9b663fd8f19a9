package httpapi

import (
	"net/http"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/reportfile"
	"github.com/slrt-id/slrt/internal/usecase"
)

// ReportPeriod reads ?from= and ?to= (dates, both included; by default
// the last 30 days), answering a date that is not one.
func ReportPeriod(w http.ResponseWriter, r *http.Request) (usecase.Period, bool) {
	q := r.URL.Query()
	var p usecase.Period
	for _, d := range []struct {
		name string
		t    *time.Time
	}{{"from", &p.From}, {"to", &p.To}} {
		if raw := q.Get(d.name); raw != "" {
			t, err := time.Parse(time.DateOnly, raw)
			if err != nil {
				invalid(w, r, FieldError{Field: d.name, Code: "date", Message: "a date YYYY-MM-DD"})
				return p, false
			}
			*d.t = t
		}
	}
	return p, true
}

// kecamatanReport counts the kecamatan's work by kelurahan, for the
// supervisor kecamatan and the Puskesos (their own kelurahan). Inside the
// kecamatan nothing is suppressed.
func (s *Server) kecamatanReport(w http.ResponseWriter, r *http.Request) {
	p, ok := ReportPeriod(w, r)
	if !ok {
		return
	}
	rq := RequestOf(r)
	a, err := s.app.KecamatanReport(r.Context(), &rq.Caller, p)
	s.answerReport(w, r, a, err, "laporan-"+rq.Kecamatan())
}

// cityReport counts every kecamatan's work for Dinas Sosial, by kecamatan
// and kelurahan. The view leaves the kecamatan, so cells counting 1 to 4
// are suppressed.
func (s *Server) cityReport(w http.ResponseWriter, r *http.Request) {
	p, ok := ReportPeriod(w, r)
	if !ok {
		return
	}
	a, err := s.app.CityReport(r.Context(), &RequestOf(r).Caller, p)
	s.answerReport(w, r, a, err, "laporan-kota")
}

func (s *Server) answerReport(w http.ResponseWriter, r *http.Request, a *usecase.Report, err error, filename string) {
	if err == nil {
		err = writeTables(w, r, a, a.Tables, filename)
	}
	if err != nil {
		s.Fail(w, r, err)
	}
}

// writeTables answers v as JSON, or its tables as CSV (one block per
// table) or XLSX (a sheet per table) with ?format=.
func writeTables(w http.ResponseWriter, r *http.Request, v any, tables []*casework.Table, filename string) error {
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, v)
		return nil
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`.csv"`)
		return reportfile.WriteCSV(w, tables)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`.xlsx"`)
		return reportfile.WriteXLSX(w, tables)
	default:
		invalid(w, r, FieldError{Field: "format", Code: "report.format", Message: "json, csv or xlsx"})
		return nil
	}
}
