package httpapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/workdays"
)

// referralTransition moves a referral on the Puskesos side: send a draft
// (koordinator), or cancel (a draft by any Puskesos staff; a sent referral
// by the koordinator, with a reason).
func (s *Server) referralTransition(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	var ch casework.Change
	if !decodeJSON(w, r, &ch) {
		return
	}
	s.puskesosTransition(w, r, id, &ch, answerJSON(w, func(conn tenantConn) (any, error) {
		return casework.GetReferral(r.Context(), conn, id, scopeOf(r.Context()), today())
	}))
}

// puskesosTransition moves a referral of the caller's kelurahan on the
// Puskesos side; a decision step needs the koordinator's permission in the
// referral's kelurahan.
func (s *Server) puskesosTransition(w http.ResponseWriter, r *http.Request, id int64, ch *casework.Change, answer func(conn tenantConn) error) {
	account := principalFrom(r.Context()).Account.ID
	s.transition(w, r, id, ch, rujukan.Puskesos, casework.Where{Scope: scopeOf(r.Context())},
		func(_ rujukan.Step, kelurahan string) bool {
			return s.authz.Allowed(account, kelurahan, "rujukan", "decide")
		},
		answer)
}

// agencyTransition moves a referral addressed to the path's agency on the
// agency side, which takes no decision steps.
func (s *Server) agencyTransition(w http.ResponseWriter, r *http.Request, id int64, ch *casework.Change, answer func(conn tenantConn) error) {
	s.transition(w, r, id, ch, rujukan.Agency, casework.Where{Agency: chi.URLParam(r, "agency")},
		func(rujukan.Step, string) bool { return false }, answer)
}

// answerJSON answers a change with what read returns, read after it.
func answerJSON(w http.ResponseWriter, read func(conn tenantConn) (any, error)) func(conn tenantConn) error {
	return func(conn tenantConn) error {
		v, err := read(conn)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// transition applies a referral transition in a transaction, with the
// city's holidays for the deadlines; answer then answers the request.
func (s *Server) transition(w http.ResponseWriter, r *http.Request, id int64, ch *casework.Change, side rujukan.Side,
	where casework.Where, allow func(rujukan.Step, string) bool, answer func(conn tenantConn) error) {
	now := time.Now()
	holidays, err := s.store.HolidaysFrom(r.Context(), workdays.Today(now))
	if err != nil {
		serverError(w, r, err)
		return
	}
	cal := workdays.New(holidays)
	actor := s.actorOf(r.Context())
	var agency string
	s.withTenantDB(w, r, func(conn tenantConn) error {
		err := pgx.BeginFunc(r.Context(), conn, func(tx pgx.Tx) error {
			var err error
			agency, err = casework.Transition(r.Context(), tx, id, ch, side, where, actor, cal, now, allow)
			return err
		})
		switch {
		case errors.Is(err, casework.ErrNotAllowed):
			s.deny(w, r, chi.URLParam(r, "code"))
			return nil
		case err != nil && caseProblem(w, r, err):
			return nil
		case err != nil:
			return err
		}
		s.metrics.referralMoved(r.Context(), chi.URLParam(r, "code"), agency, string(ch.Status))
		return answer(conn)
	})
}
