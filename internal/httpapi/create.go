package httpapi

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/usecase"
)

// Once makes a create from this request safe to retry: key (the
// Idempotency-Key header, or a form's field) with a hash of where the
// request went and what it sent.
func Once(r *http.Request, key string, body []byte) usecase.Once {
	route := r.Method + " " + chi.RouteContext(r.Context()).RoutePattern() + " " + RequestOf(r).Kecamatan()
	sum := sha256.Sum256(append([]byte(route+"\n"), body...))
	return usecase.Once{Key: key, Route: route, Hash: sum[:]}
}

// readBody reads a JSON body into v like decodeJSON, and returns the
// create's idempotency (the Idempotency-Key header and the body's hash).
func readBody(w http.ResponseWriter, r *http.Request, v any) (usecase.Once, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		problem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", maxBodyBytes))
		return usecase.Once{}, false
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return Once(r, r.Header.Get("Idempotency-Key"), data), decodeJSON(w, r, v)
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

// writeCreated answers a create (or a retry of one) with the record's id
// and location.
func writeCreated(w http.ResponseWriter, out *usecase.Created, location string) {
	w.Header().Set("Location", location)
	if out.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, created{ID: out.ID, Location: location, TrackingCode: out.TrackingCode, OtherKecamatan: out.OtherKecamatan})
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

// ID reads the path's {id}, answering 404 for one that cannot be.
func ID(w http.ResponseWriter, r *http.Request) (int64, bool) { return idParam(w, r, "id") }

// answer writes what a use case returned, or its error.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// answerAudited is answer for a full record, whose read is audited.
func (s *Server) answerAudited(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err == nil {
		err = s.Audit(r)
	}
	s.answer(w, r, v, err)
}

// answerCreated answers a create with the record's location.
func (s *Server) answerCreated(w http.ResponseWriter, r *http.Request, out *usecase.Created, err error, locate func(*usecase.Created) string) {
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	writeCreated(w, out, locate(out))
}

// at locates a created record of the request's kecamatan by its kind.
func at(r *http.Request, kind string) func(*usecase.Created) string {
	return func(c *usecase.Created) string { return location(r, kind, c.ID) }
}
