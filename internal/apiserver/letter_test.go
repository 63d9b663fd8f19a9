package apiserver_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/letter/lettertest"
)

// The letter of a sent referral is a valid PDF whose text holds the
// tracking code, the service, the agency and the signer; printing it is
// audited; a draft has none.
func TestReferralLetterIsAPDFWithTheTrackingCode(t *testing.T) {
	_, complaint := newCase(t)
	id, tracking := newReferral(t, complaint, "KIP_PIP", "KK")
	path := fmt.Sprintf("%s/rujukan/%d/surat", kec("32.73.03"), id)
	expectStatus(t, do(t, "petugas", "GET", path, nil), http.StatusConflict)
	expectMoved(t, "koordinator", id, "requested", "")

	resp := do(t, "petugas", "GET", path, nil, "X-Purpose", "cetak surat")
	expectStatus(t, resp, http.StatusOK)
	if ct := resp.header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type %q", ct)
	}
	text := lettertest.PDFText(t, resp.body)
	for _, want := range []string{tracking, "Kartu Indonesia Pintar / Program Indonesia Pintar", "Dinas Pendidikan Kota Bandung",
		"Asep Sunandar", "Babakan Ciparay", "Staf koordinator", "/lacak/" + tracking} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter's text lacks %q", want)
		}
	}
	expectAudited(t, "petugas", "GET /api/v1/kecamatan/{code}/rujukan/{id}/surat", "cetak surat")
	// Not another kecamatan's, nor another kelurahan's.
	expectStatus(t, do(t, "petugas-bk", "GET", path, nil), http.StatusForbidden)
	other := addCaller(t, "petugas-1002", "petugas", "32.73.03.1002")
	expectStatus(t, do(t, other, "GET", path, nil), http.StatusNotFound)
}

// The public answers by tracking code with status and dates only, as JSON
// and as a page; unknown codes are 404; drafts are not public.
func TestPublicTrackingShowsStatusAndDatesOnly(t *testing.T) {
	_, complaint := newCase(t)
	id, tracking := newReferral(t, complaint, "PBI_JK", "KTP")
	expectStatus(t, do(t, "", "GET", "/api/v1/lacak/"+tracking, nil), http.StatusNotFound) // a draft
	expectMoved(t, "koordinator", id, "requested", "")
	expectMoved(t, "dinkes", id, "accepted", "")

	resp := do(t, "", "GET", "/api/v1/lacak/"+tracking, nil)
	expectStatus(t, resp, http.StatusOK)
	var tr struct {
		TrackingCode  string `json:"trackingCode"`
		Status        string `json:"status"`
		ResponseDue   string `json:"responseDue"`
		CompletionDue string `json:"completionDue"`
		History       []struct {
			Status string `json:"status"`
		} `json:"history"`
	}
	resp.json(t, &tr)
	if tr.TrackingCode != tracking || tr.Status != "accepted" || tr.ResponseDue == "" || len(tr.History) != 2 {
		t.Errorf("tracking: %s", resp.body)
	}
	page := do(t, "", "GET", "/lacak/"+tracking, nil)
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(string(page.body), "Diterima instansi") || !strings.Contains(page.header.Get("Content-Type"), "text/html") {
		t.Errorf("page: %s", page.body)
	}
	for _, body := range [][]byte{resp.body, page.body} {
		for _, personal := range []string{"Asep", "Sunandar", "32730317", "PBI", "Dinkes", "DINKES", "koordinator", "Sukamaju"} {
			if strings.Contains(string(body), personal) {
				t.Errorf("the public answer holds %q: %s", personal, body)
			}
		}
	}
	for _, code := range []string{"327303-AAAAAAAA", "329999-7KQ2M9XA", "bukan-kode", "327303-7KQ2M9XI"} {
		expectStatus(t, do(t, "", "GET", "/api/v1/lacak/"+code, nil), http.StatusNotFound)
		expectStatus(t, do(t, "", "GET", "/lacak/"+code, nil), http.StatusNotFound)
	}
}

// Guessing codes is throttled per client address, on the page and the
// JSON alike.
func TestPublicTrackingThrottlesGuessing(t *testing.T) {
	o := options
	o.Migrate = false
	o.HTTP.TrackPerIPPerMinute = 5
	o.HTTP.ReferralMetricsEvery = 0
	replica, err := apiserver.Start(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	srv := httptest.NewServer(replica.Handler.Handler())
	defer srv.Close()
	statuses := map[int]int{}
	for i := range 8 {
		path := fmt.Sprintf("/api/v1/lacak/327303-%08d", i)
		if i%2 == 1 {
			path = fmt.Sprintf("/lacak/327303-%08d", i)
		}
		statuses[doOn(t, srv.URL, "", "GET", path, nil).status]++
	}
	if statuses[http.StatusNotFound] != 5 || statuses[http.StatusTooManyRequests] != 3 {
		t.Errorf("8 guesses with 5 allowed a minute: %v", statuses)
	}
}
