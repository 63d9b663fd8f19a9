package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/transfer"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/workflow"
)

// Fail answers a use case's error: the caller's mistakes as 4xx problems
// (pages for a browser), a database that cannot serve as 503 with
// Retry-After, anything else as 500 with the request id.
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		inv        *registry.InvalidError
		conflict   *registry.ConflictError
		state      *casework.StateError
		transition *workflow.TransitionError
		elsewhere  *usecase.OtherKecamatanError
		outside    *usecase.OutsideScopeError
		notServing *tenant.NotServingError
	)
	switch {
	case errors.Is(err, usecase.ErrTenantPaused):
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "The data of this kecamatan is being moved to another database server: reading works, changes are paused for a moment; try again.")
	case errors.Is(err, usecase.ErrTenantWentAway):
		w.Header().Set("Retry-After", "5")
		problem(w, r, http.StatusServiceUnavailable, "The database of this kecamatan went away; try again.")
	case errors.Is(err, usecase.ErrTenantUnreachable):
		w.Header().Set("Retry-After", "30")
		problem(w, r, http.StatusServiceUnavailable, "The database of this kecamatan cannot be reached; other kecamatan are not affected.")
	case errors.Is(err, tenant.ErrBudgetExhausted), errors.Is(err, tenant.ErrUnknown), errors.As(err, &notServing):
		tenantProblem(w, r, err)
	case errors.Is(err, casework.ErrNotAllowed), errors.As(err, &outside):
		s.deny(w, r, RequestOf(r).Kecamatan())
	case errors.Is(err, usecase.ErrKeyReused):
		invalid(w, r, FieldError{Field: "Idempotency-Key", Code: "idempotency.reused", Message: usecase.ErrKeyReused.Error()})
	case errors.As(err, &elsewhere):
		writeProblem(w, http.StatusConflict, conflictDoc{
			problemDoc: newProblem(r, http.StatusConflict, elsewhere.Error()+"; if the resident moved here, register again with acknowledgeOtherKecamatan",
				FieldError{Field: "/nik", Code: "nik.other_kecamatan", Message: elsewhere.Error()}),
			OtherKecamatan: elsewhere.Kecamatan})
	case errors.As(err, &inv):
		invalid(w, r, inputErrors(inv)...)
	case errors.As(err, &conflict):
		conflictProblem(w, r, conflict)
	case errors.As(err, &state):
		problem(w, r, http.StatusConflict, state.Message)
	case errors.As(err, &transition):
		problem(w, r, http.StatusConflict, transition.Error()+".")
	case errors.Is(err, store.ErrTransferOpen), errors.Is(err, store.ErrTransferChanged), errors.Is(err, transfer.ErrOpenUsulan),
		errors.Is(err, transfer.ErrHeld), errors.Is(err, usecase.ErrAlreadyHere):
		problem(w, r, http.StatusConflict, firstLine(err)+".")
	case errors.Is(err, registry.ErrNotFound), errors.Is(err, transfer.ErrNotFound):
		problem(w, r, http.StatusNotFound, "No such record here.")
	default:
		serverError(w, r, err)
	}
}

// firstLine is an error's first line: a joined error's own message,
// without the database's words under it.
func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// inputErrors are an input's problems as the API lists them.
func inputErrors(inv *registry.InvalidError) []FieldError {
	fields := make([]FieldError, len(inv.Fields))
	for i, f := range inv.Fields {
		fields[i] = FieldError{Field: f.Field, Code: f.Code, Message: f.Message}
	}
	return fields
}

// conflictDoc is a 409 naming the existing record a create collides with.
type conflictDoc struct {
	problemDoc
	// Existing is the path of the existing record, when the caller may open it.
	Existing string `json:"existing,omitempty"`
	// OtherKecamatan names the kecamatan that also hold this NIK.
	OtherKecamatan []string `json:"otherKecamatan,omitempty"`
}

func conflictProblem(w http.ResponseWriter, r *http.Request, c *registry.ConflictError) {
	out := conflictDoc{problemDoc: newProblem(r, http.StatusConflict, c.Message,
		FieldError{Field: c.Field, Code: "conflict", Message: c.Message})}
	if c.ExistingID != 0 {
		switch c.Kind {
		case "person":
			out.Existing = location(r, "penduduk", c.ExistingID)
		case "household":
			out.Existing = location(r, "keluarga", c.ExistingID)
		}
	}
	writeProblem(w, out.Status, out)
}

// location is the API path of a record of the request's kecamatan.
func location(r *http.Request, kind string, id int64) string {
	return "/api/v1/kecamatan/" + RequestOf(r).Kecamatan() + "/" + kind + "/" + strconv.FormatInt(id, 10)
}
