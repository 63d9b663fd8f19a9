package httpapi

import (
	"context"
	"net/http"
	"sync"

	"github.com/slrt-id/slrt/internal/casework"
)

// OverdueReport counts open referrals and those past their targets.
type OverdueReport struct {
	Items []casework.OverdueCount `json:"items"`
	// Unavailable names the kecamatan a city report could not read.
	Unavailable []Unavailable `json:"unavailable"`
}

// referralOverdue counts the kecamatan's open and overdue referrals by
// kelurahan and agency, for the supervisor kecamatan.
func (s *Server) referralOverdue(w http.ResponseWriter, r *http.Request) {
	s.readInTenant(w, r, func(conn tenantConn) error {
		counts, err := casework.CountOverdue(r.Context(), conn, scopeOf(r.Context()), today())
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, OverdueReport{Items: counts, Unavailable: []Unavailable{}})
		return nil
	})
}

// cityOverdue counts open and overdue referrals in every kecamatan the
// caller may see (Dinas Sosial: the city), naming those that did not answer.
func (s *Server) cityOverdue(w http.ResponseWriter, r *http.Request) {
	account := principalFrom(r.Context()).Account.ID
	var mu sync.Mutex
	report := OverdueReport{Items: []casework.OverdueCount{}}
	unavailable, err := s.fanOut(r.Context(),
		func(code string) bool { return s.authz.Allowed(account, code, "rujukan_kota", "read") },
		func(ctx context.Context, code string, conn tenantConn) error {
			counts, err := casework.CountOverdue(ctx, conn, nil, today())
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range counts {
				c.Kecamatan = code
				report.Items = append(report.Items, c)
			}
			return nil
		})
	if err != nil {
		serverError(w, r, err)
		return
	}
	casework.SortOverdue(report.Items)
	report.Unavailable = orNone(unavailable)
	writeJSON(w, http.StatusOK, report)
}
