package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A handler's panic is answered 500 as a problem document naming the
// request's id, and the server goes on.
func TestAPanicIsAnswered500WithTheRequestID(t *testing.T) {
	s := &Server{metrics: newInstruments()}
	h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("a bug") }))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.Header.Set("X-Request-Id", "dari-pemanggil-1")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("status %d, %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var p problemDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.RequestID != "dari-pemanggil-1" {
		t.Errorf("request id %q, want the caller's", p.RequestID)
	}
}

// Requests without an id get one of their own, different each time; the
// layers below read it, and the answer's status, from the exchange.
func TestEachRequestGetsItsOwnID(t *testing.T) {
	s := &Server{metrics: newInstruments()}
	var ids []string
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, RequestID(r.Context()))
		w.WriteHeader(http.StatusTeapot)
		if got := exchangeOf(r.Context()).Status(); got != http.StatusTeapot {
			t.Errorf("exchange status %d", got)
		}
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	if len(ids) != 2 || ids[0] == "" || ids[0] == ids[1] {
		t.Errorf("ids %q", ids)
	}
}
