package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A move through the web app: the receiving petugas asks on the transfers
// page (a malformed NIK is shown beside its field), the sending
// koordinator accepts on the transfer's page, the page follows the job to
// the end and the receiving side opens the household that arrived.
func TestWebTransferAskedAndAccepted(t *testing.T) {
	m := newMovingHousehold(t)
	asker := newBrowser(t)
	asker.signIn("petugas-bk")
	if r := asker.get("/kecamatan/32.73.04/pindah"); r.status != http.StatusOK || !strings.Contains(r.body, `id="ask"`) {
		t.Fatalf("the transfers page: %d %s", r.status, r.body)
	}
	form := url.Values{"nik": {"123"}, "kelurahan": {"32.73.04.1001"}, "rt": {"004"}, "rw": {"002"}, "jalan": {"Jl. Web Pindah 1"},
		"alasan": {"Pindah rumah"}}
	if r := asker.post("/kecamatan/32.73.04/pindah/permintaan", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="nik"`) ||
		strings.Contains(r.body, "123</") {
		t.Fatalf("a malformed NIK: %d %s", r.status, r.body)
	}
	form.Set("nik", m.niks[0])
	r := asker.post("/kecamatan/32.73.04/pindah/permintaan", form)
	id := regexp.MustCompile(`^/kecamatan/32\.73\.04/pindah/([0-9a-f-]{36})\?diminta=1$`).FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || id == nil {
		t.Fatalf("asking: %d %q %s", r.status, r.location, r.body)
	}
	if r := asker.get(r.location); !strings.Contains(r.body, `id="notice"`) || strings.Contains(r.body, `id="decide"`) || !strings.Contains(r.body, `id="revoke"`) {
		t.Fatalf("the asking side's page: %s", r.body)
	}

	decider := newBrowser(t)
	decider.signIn("koordinator")
	page := "/kecamatan/32.73.03/pindah/" + id[1]
	if r := decider.get(page); !strings.Contains(r.body, `id="decide"`) || strings.Contains(r.body, `id="kelurahan"`) {
		t.Fatalf("the deciding side's page: %s", r.body)
	}
	if r := decider.post(page+"/keputusan", url.Values{"keputusan": {"tolak"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Tulis alasannya") {
		t.Fatalf("rejecting without a reason: %d %s", r.status, r.body)
	}
	if r := decider.post(page+"/keputusan", url.Values{"keputusan": {"terima"}}); r.status != http.StatusSeeOther {
		t.Fatalf("accepting: %d %s", r.status, r.body)
	}
	var last pageResp
	if err := waitFor(60*time.Second, func() error {
		if last = asker.get("/kecamatan/32.73.04/pindah/" + id[1]); !strings.Contains(last.body, "Selesai") {
			return errNotYet
		}
		return nil
	}); err != nil {
		t.Fatalf("the transfer's page never said done: %s", last.body)
	}
	link := regexp.MustCompile(`href="(/kecamatan/32\.73\.04/keluarga/\d+)" id="household-link"`).FindStringSubmatch(last.body)
	if link == nil {
		t.Fatalf("no link to the household that arrived: %s", last.body)
	}
	if r := asker.get(link[1]); r.status != http.StatusOK || !strings.Contains(r.body, "Dadang Suherman") || !strings.Contains(r.body, "Jl. Web Pindah 1") {
		t.Fatalf("the household that arrived: %d %s", r.status, r.body)
	}
	if r := asker.get("/kecamatan/32.73.04/pindah"); !strings.Contains(r.body, `id="pindah-`+id[1]+`"`) {
		t.Errorf("the list lacks the transfer: %s", r.body)
	}
}

// An escalation through the web app: the koordinator escalates from the
// case file, Dinas Sosial finds it in its queue, takes it and records the
// decision, which the case file shows.
func TestWebEscalation(t *testing.T) {
	_, complaint := newCase(t)
	caseFile := fmt.Sprintf("/kecamatan/32.73.03/keluhan/%d", complaint)
	k := newBrowser(t)
	k.signIn("koordinator")
	if r := k.get(caseFile); !strings.Contains(r.body, `id="escalate"`) {
		t.Fatalf("the case file offers no escalation: %s", r.body)
	}
	if r := k.post(caseFile+"/eskalasi", url.Values{"reason": {"tidak_ada_layanan"}, "note": {"Butuh alat bantu dengar, tidak ada di katalog"}}); r.status != http.StatusSeeOther {
		t.Fatalf("escalating: %d %s", r.status, r.body)
	}
	d := newBrowser(t)
	d.signIn("dinsos")
	if r := d.get("/eskalasi"); !strings.Contains(r.body, fmt.Sprintf(`id="eskalasi-32.73.03-%d"`, complaint)) {
		t.Fatalf("the queue lacks the case: %s", r.body)
	}
	if r := d.get(caseFile); !strings.Contains(r.body, `id="take"`) {
		t.Fatalf("Dinas Sosial cannot take it: %s", r.body)
	}
	if r := d.post(caseFile+"/eskalasi/ambil", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("taking: %d %s", r.status, r.body)
	}
	if r := d.post(caseFile+"/eskalasi/keputusan", url.Values{"decision": {"Dibantu lewat program ATENSI"}}); r.status != http.StatusSeeOther {
		t.Fatalf("deciding: %d %s", r.status, r.body)
	}
	if r := k.get(caseFile); !strings.Contains(r.body, "Dibantu lewat program ATENSI") || !strings.Contains(r.body, "Sudah diputuskan") {
		t.Fatalf("the case file after the decision: %s", r.body)
	}
}
