package httpapi

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/xuri/excelize/v2"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/workdays"
)

// ReportAnswer is a monitoring report: counts for a date range.
type ReportAnswer struct {
	From   string            `json:"from"`
	To     string            `json:"to"`
	Tables []*casework.Table `json:"tables"`
	// Unavailable names the kecamatan a city report could not read.
	Unavailable []Unavailable `json:"unavailable"`
}

// reportRange reads ?from= and ?to= (dates, to inclusive; default: the
// last 30 days) as [from, to+1 day) in the city's time zone.
func reportRange(w http.ResponseWriter, r *http.Request) (time.Time, time.Time, bool) {
	q := r.URL.Query()
	today := workdays.Today(time.Now())
	from, to := today.AddDate(0, 0, -29), today
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &from}, {"to", &to}} {
		if raw := q.Get(p.name); raw != "" {
			d, err := time.Parse(time.DateOnly, raw)
			if err != nil {
				invalid(w, r, FieldError{Field: p.name, Code: "date", Message: "a date YYYY-MM-DD"})
				return time.Time{}, time.Time{}, false
			}
			*p.t = d
		}
	}
	if to.Before(from) {
		invalid(w, r, FieldError{Field: "to", Code: "report.range", Message: "not before from"})
		return time.Time{}, time.Time{}, false
	}
	// Dates are the city's: midnight WIB.
	zone := workdays.Zone
	return time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, zone),
		time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, zone).AddDate(0, 0, 1), true
}

// kecamatanReport counts the kecamatan's work by kelurahan, for the
// supervisor kecamatan and the Puskesos (their own kelurahan). Inside the
// kecamatan nothing is suppressed.
func (s *Server) kecamatanReport(w http.ResponseWriter, r *http.Request) {
	from, to, ok := reportRange(w, r)
	if !ok {
		return
	}
	s.withKecamatanReport(w, r, from, to, func(a ReportAnswer) error {
		return writeReport(w, r, a, "laporan-"+chi.URLParam(r, "code"))
	})
}

// withKecamatanReport counts the request's kecamatan (the caller's
// kelurahan only, for Puskesos staff) and hands the answer to show.
func (s *Server) withKecamatanReport(w http.ResponseWriter, r *http.Request, from, to time.Time, show func(ReportAnswer) error) {
	s.readInTenant(w, r, func(conn tenantConn) error {
		tables, err := casework.Report(r.Context(), conn, scopeOf(r.Context()), from, to, today())
		if err != nil {
			return err
		}
		return show(ReportAnswer{From: from.Format(time.DateOnly), To: to.AddDate(0, 0, -1).Format(time.DateOnly),
			Tables: tables, Unavailable: []Unavailable{}})
	})
}

// cityReport counts every kecamatan's work for Dinas Sosial, by kecamatan
// and kelurahan. The view leaves the kecamatan, so cells counting 1 to 4
// are suppressed.
func (s *Server) cityReport(w http.ResponseWriter, r *http.Request) {
	from, to, ok := reportRange(w, r)
	if !ok {
		return
	}
	answer, err := s.cityReportAnswer(r.Context(), principalFrom(r.Context()).Account.ID, from, to)
	if err == nil {
		err = writeReport(w, r, *answer, "laporan-kota")
	}
	if err != nil {
		serverError(w, r, err)
	}
}

// cityReportAnswer counts every kecamatan the account may report on, small
// cells suppressed, the kecamatan that did not answer named.
func (s *Server) cityReportAnswer(ctx context.Context, account int64, from, to time.Time) (*ReportAnswer, error) {
	var mu sync.Mutex
	merged := map[string]*casework.Table{}
	var order []string
	unavailable, err := s.fanOut(ctx,
		func(code string) bool { return s.authz.Allowed(account, code, "laporan_kota", "read") },
		func(ctx context.Context, code string, conn tenantConn) error {
			tables, err := casework.Report(ctx, conn, nil, from, to, today())
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, t := range tables {
				t.Suppress()
				t.Prepend("kecamatan", code)
				if m, ok := merged[t.Name]; ok {
					m.Append(t)
				} else {
					merged[t.Name] = t
					order = append(order, t.Name)
				}
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	answer := &ReportAnswer{From: from.Format(time.DateOnly), To: to.AddDate(0, 0, -1).Format(time.DateOnly), Unavailable: orNone(unavailable)}
	for _, name := range casework.ReportTables {
		if t, ok := merged[name]; ok {
			t.SortRows()
			answer.Tables = append(answer.Tables, t)
		}
	}
	return answer, nil
}

// writeReport answers as JSON, or as CSV (one block per table) or XLSX (a
// sheet per table) with ?format=.
func writeReport(w http.ResponseWriter, r *http.Request, a ReportAnswer, filename string) error {
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, a)
		return nil
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`.csv"`)
		cw := csv.NewWriter(w)
		for _, t := range a.Tables {
			_ = cw.Write(append([]string{"tabel"}, t.Columns...))
			for _, row := range t.Rows {
				rec := []string{t.Name}
				for _, v := range row {
					rec = append(rec, cell(v))
				}
				_ = cw.Write(rec)
			}
		}
		cw.Flush()
		return cw.Error()
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		for i, t := range a.Tables {
			sheet := t.Name
			if len(sheet) > 31 {
				sheet = sheet[:31] // the format's limit
			}
			if i == 0 {
				_ = f.SetSheetName("Sheet1", sheet)
			} else if _, err := f.NewSheet(sheet); err != nil {
				return err
			}
			header := make([]any, len(t.Columns))
			for j, c := range t.Columns {
				header[j] = c
			}
			_ = f.SetSheetRow(sheet, "A1", &header)
			for j, row := range t.Rows {
				values := make([]any, len(row))
				for k, v := range row {
					if v == nil {
						values[k] = "<5"
					} else {
						values[k] = v
					}
				}
				_ = f.SetSheetRow(sheet, fmt.Sprintf("A%d", j+2), &values)
			}
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`.xlsx"`)
		_, err := f.WriteTo(w)
		return err
	default:
		invalid(w, r, FieldError{Field: "format", Code: "report.format", Message: "json, csv or xlsx"})
		return nil
	}
}

func cell(v any) string {
	if v == nil {
		return "<5" // suppressed
	}
	return fmt.Sprint(v)
}
