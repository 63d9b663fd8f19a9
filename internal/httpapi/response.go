package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/slrt-id/slrt/internal/dbfault"
)

// maxBodyBytes bounds a request body; the API takes small JSON documents.
const maxBodyBytes = 1 << 20

// problemDoc is an RFC 9457 problem document.
type problemDoc struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
	// RequestID lets staff quote the request to city IT.
	RequestID string `json:"requestId,omitempty"`
}

// FieldError names an offending field: a JSON pointer into the request body,
// or a query parameter or header, with a translation key and a message.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// problem answers with a problem+json document. Server errors are logged
// with the request id; their detail never reaches the client.
func problem(w http.ResponseWriter, r *http.Request, status int, detail string, fields ...FieldError) {
	if pages := pagesFor(r); pages != nil && wantsHTML(r) {
		pages.ErrorPage(w, r, status, detail, fields)
		return
	}
	writeProblem(w, status, newProblem(r, status, detail, fields...))
}

func newProblem(r *http.Request, status int, detail string, fields ...FieldError) problemDoc {
	return problemDoc{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  r.URL.Path,
		Errors:    fields,
		RequestID: RequestID(r.Context()),
	}
}

// writeProblem sends a problem document (or one that extends it).
func writeProblem(w http.ResponseWriter, status int, p any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func serverError(w http.ResponseWriter, r *http.Request, err error) {
	if kind := dbfault.Classify(err); kind.Transient() {
		unavailable(w, r, kind, err)
		return
	}
	slog.ErrorContext(r.Context(), "request failed", "request_id", RequestID(r.Context()), "error", err)
	problem(w, r, http.StatusInternalServerError, "Something went wrong; quote the request id to city IT.")
}

// wantsHTML reports whether the client is a browser asking for a page, so
// that errors are pages for it and problem documents for everyone else.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

func invalid(w http.ResponseWriter, r *http.Request, fields ...FieldError) {
	problem(w, r, http.StatusUnprocessableEntity, "The request has invalid fields.", fields...)
}

// decodeJSON reads a JSON body into v: one object, no unknown fields, within
// the size limit. A failure is answered and reported as false.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		problem(w, r, http.StatusUnsupportedMediaType, "Send application/json.")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return true
	}
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		problem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", maxBodyBytes))
	case errors.As(err, &typeErr):
		invalid(w, r, FieldError{Field: "/" + strings.ReplaceAll(typeErr.Field, ".", "/"), Code: "type",
			Message: fmt.Sprintf("must be %s", typeErr.Type)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		invalid(w, r, FieldError{Field: "/" + name, Code: "unknown", Message: "unknown field"})
	default:
		problem(w, r, http.StatusBadRequest, "The body is not valid JSON: "+err.Error())
	}
	return false
}

// Page is a page of a list with the cursor of the next one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// written reports whether a response has begun (or might have: a writer
// that cannot tell counts as written).
func written(w http.ResponseWriter) bool {
	ww, ok := w.(interface {
		Status() int
		BytesWritten() int
	})
	return !ok || ww.Status() != 0 || ww.BytesWritten() != 0
}

// logFailure logs an error that can no longer be answered: the answer has
// begun.
func logFailure(r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "request failed after its answer began", "request_id", RequestID(r.Context()), "error", err)
}

// unavailable answers 503 for a part the platform needs that is down or
// slow: the kecamatan's own database errors are told apart by Fail, so
// what comes here is the control database or the Kubernetes API.
func unavailable(w http.ResponseWriter, r *http.Request, kind dbfault.Kind, err error) {
	part := "The platform's control database"
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		part = "The Kubernetes API"
	}
	slog.WarnContext(r.Context(), "request answered 503", "request_id", RequestID(r.Context()),
		"fault", kind.String(), "error", err)
	w.Header().Set("Retry-After", strconv.Itoa(int(kind.RetryAfter().Seconds())))
	problem(w, r, http.StatusServiceUnavailable, part+" cannot be reached just now ("+kind.String()+"); try again shortly.")
}
