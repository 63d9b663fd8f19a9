package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/workdays"
)

// scopeOf returns the kelurahan the caller may act in inside the request's
// tenant for the route's permission, or nil for the whole kecamatan.
func scopeOf(ctx context.Context) []string {
	t := tenantFrom(ctx)
	domains := allowedDomains(ctx)
	for _, d := range domains {
		if t != nil && d == t.Code {
			return nil
		}
	}
	return domains
}

// actorOf is the caller as case histories record it.
func (s *Server) actorOf(ctx context.Context) casework.Actor {
	p := principalFrom(ctx)
	return casework.Actor{ID: p.Account.ID, Username: p.Account.Username, Role: rolesString(s.authz.Grants(p.Account.ID))}
}

// today is the city's date now.
func today() time.Time { return workdays.Today(time.Now()) }

// caseProblem answers the errors of the registry and casework packages; it
// reports false for an error it does not know, which is the server's.
func caseProblem(w http.ResponseWriter, r *http.Request, err error) bool {
	var inv *registry.InvalidError
	var conflict *registry.ConflictError
	var state *casework.StateError
	var transition *rujukan.TransitionError
	var elsewhere *otherKecamatanError
	switch {
	case errors.As(err, &elsewhere):
		writeProblem(w, http.StatusConflict, Conflict{
			Problem: newProblem(r, http.StatusConflict, elsewhere.Error()+"; if the resident moved here, register again with acknowledgeOtherKecamatan",
				FieldError{Field: "/nik", Code: "nik.other_kecamatan", Message: elsewhere.Error()}),
			OtherKecamatan: elsewhere.codes})
	case errors.As(err, &inv):
		fields := make([]FieldError, len(inv.Fields))
		for i, f := range inv.Fields {
			fields[i] = FieldError{Field: f.Field, Code: f.Code, Message: f.Message}
		}
		invalid(w, r, fields...)
	case errors.As(err, &conflict):
		conflictProblem(w, r, conflict)
	case errors.As(err, &state):
		problem(w, r, http.StatusConflict, state.Message)
	case errors.As(err, &transition):
		problem(w, r, http.StatusConflict, transition.Error()+".")
	case errors.Is(err, registry.ErrNotFound):
		problem(w, r, http.StatusNotFound, "No such record here.")
	default:
		return false
	}
	return true
}

// Conflict is a 409 naming the existing record a create collides with.
type Conflict struct {
	Problem
	// Existing is the path of the existing record, when the caller may open it.
	Existing string `json:"existing,omitempty"`
	// OtherKecamatan names the kecamatan that also hold this NIK.
	OtherKecamatan []string `json:"otherKecamatan,omitempty"`
}

func conflictProblem(w http.ResponseWriter, r *http.Request, c *registry.ConflictError) {
	out := Conflict{Problem: newProblem(r, http.StatusConflict, c.Message,
		FieldError{Field: c.Field, Code: "conflict", Message: c.Message})}
	if c.ExistingID != 0 {
		base := "/api/v1/kecamatan/" + chi.URLParam(r, "code")
		switch c.Kind {
		case "person":
			out.Existing = base + "/penduduk/" + strconv.FormatInt(c.ExistingID, 10)
		case "household":
			out.Existing = base + "/keluarga/" + strconv.FormatInt(c.ExistingID, 10)
		}
	}
	writeProblem(w, out.Status, out)
}

// readBody reads a JSON body into v like decodeJSON, and returns its bytes
// too (for the idempotency check).
func readBody(w http.ResponseWriter, r *http.Request, v any) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		problem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", maxBodyBytes))
		return nil, false
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, decodeJSON(w, r, v)
}

// created is what a create handler made: its id and where to read it.
type created struct {
	ID       int64  `json:"id"`
	Location string `json:"location"`
	// TrackingCode is a referral's code for the resident.
	TrackingCode string `json:"trackingCode,omitempty"`
	// OtherKecamatan names kecamatan that also hold the NIK registered.
	OtherKecamatan []string `json:"otherKecamatan,omitempty"`
}

// errReplayed ends a transaction whose answer was already sent.
var errReplayed = errors.New("replayed")

// createInTenant runs a create in a transaction on the request's tenant
// database. With an Idempotency-Key header, the key and the answer are
// stored in the same transaction: a retry with the same key and body gets
// the first answer back (and creates nothing), the same key with another
// body is refused. Concurrent retries wait on the key's row.
func (s *Server) createInTenant(w http.ResponseWriter, r *http.Request, body []byte, fn func(tx pgx.Tx) (*created, error)) {
	s.createOnce(w, r, r.Header.Get("Idempotency-Key"), body, fn, writeCreated, caseProblem)
}

// answerCreated answers a create, or a retry of one (replayed).
type answerCreated func(w http.ResponseWriter, r *http.Request, status int, out *created, replayed bool)

// writeCreated answers a create with the record's id and location.
func writeCreated(w http.ResponseWriter, r *http.Request, status int, out *created, replayed bool) {
	w.Header().Set("Location", out.Location)
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, status, out)
}

// createOnce is createInTenant with the idempotency key and the answer
// given: the web app's forms carry their key in a field and answer with a
// redirect.
//
// failed answers the errors of fn it knows, and reports whether it did.
func (s *Server) createOnce(w http.ResponseWriter, r *http.Request, key string, body []byte, fn func(tx pgx.Tx) (*created, error),
	answer answerCreated, failed func(http.ResponseWriter, *http.Request, error) bool) {
	route := r.Method + " " + chi.RouteContext(r.Context()).RoutePattern() + " " + chi.URLParam(r, "code")
	sum := sha256.Sum256(append([]byte(route+"\n"), body...))
	account := principalFrom(r.Context()).Account.ID
	var out *created
	s.withTenantDB(w, r, func(conn tenantConn) error {
		err := pgx.BeginFunc(r.Context(), conn, func(tx pgx.Tx) error {
			if key != "" {
				tag, err := tx.Exec(r.Context(), `INSERT INTO idempotency_key (account_id, key, route, request_hash) VALUES ($1, $2, $3, $4)
					ON CONFLICT DO NOTHING`, account, key, route, sum[:])
				if err != nil {
					return err
				}
				if tag.RowsAffected() == 0 {
					return s.replay(w, r, tx, account, key, sum[:], answer)
				}
			}
			var err error
			if out, err = fn(tx); err != nil {
				return err
			}
			if key != "" {
				data, _ := json.Marshal(out)
				_, err = tx.Exec(r.Context(), `UPDATE idempotency_key SET status = 201, response = $3 WHERE account_id = $1 AND key = $2`,
					account, key, data)
			}
			return err
		})
		switch {
		case errors.Is(err, errReplayed):
			return nil
		case err != nil && failed(w, r, err):
			return nil
		case err != nil:
			return err
		}
		answer(w, r, http.StatusCreated, out, false)
		return nil
	})
}

// replay answers a retried create from its stored answer.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, tx pgx.Tx, account int64, key string, sum []byte, answer answerCreated) error {
	var hash []byte
	var status int
	var response []byte
	err := tx.QueryRow(r.Context(), `SELECT request_hash, status, response FROM idempotency_key WHERE account_id = $1 AND key = $2`,
		account, key).Scan(&hash, &status, &response)
	if err != nil {
		return err
	}
	if !bytes.Equal(hash, sum) {
		invalid(w, r, FieldError{Field: "Idempotency-Key", Code: "idempotency.reused",
			Message: "this key was used for a different request; use a new key for a new create"})
		return errReplayed
	}
	var out created
	if err := json.Unmarshal(response, &out); err != nil {
		return err
	}
	answer(w, r, status, &out, true)
	return errReplayed
}

// readInTenant runs a read on the request's tenant database, answering the
// casework errors.
func (s *Server) readInTenant(w http.ResponseWriter, r *http.Request, fn func(conn tenantConn) error) {
	s.withTenantDB(w, r, func(conn tenantConn) error {
		if err := fn(conn); err != nil && !caseProblem(w, r, err) {
			return err
		}
		return nil
	})
}

// writeInTenant runs a change in a transaction and answers 200 with what
// after returns (read after the commit), or the casework error.
func (s *Server) writeInTenant(w http.ResponseWriter, r *http.Request, change func(tx pgx.Tx) error, after func(conn tenantConn) (any, error)) {
	s.withTenantDB(w, r, func(conn tenantConn) error {
		if err := pgx.BeginFunc(r.Context(), conn, change); err != nil {
			if caseProblem(w, r, err) {
				return nil
			}
			return err
		}
		v, err := after(conn)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	})
}

// idParam reads a numeric path parameter.
func idParam(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		problem(w, r, http.StatusNotFound, "No such "+name+".")
		return 0, false
	}
	return id, true
}

// location is the path of a record of the request's tenant.
func location(r *http.Request, kind string, id int64) string {
	return "/api/v1/kecamatan/" + chi.URLParam(r, "code") + "/" + kind + "/" + strconv.FormatInt(id, 10)
}
