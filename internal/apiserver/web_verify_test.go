package apiserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/slrt-id/slrt/internal/proposal"
)

// Dinas Sosial's part of the cycle in the web app: the home page leads to
// the queue, which lists what the muskel agreed; the proposal's page
// verifies it (a return without its note is refused beside the field);
// the queue of the verified sends the batch (a second press is the same
// batch) and links its BNBA file; the result page previews, then applies
// the centre's result, and the household's page shows its desil.
func TestWebDinsosVerifiesSendsAndImportsTheResult(t *testing.T) {
	agreed := draftProposal(t, newHouseholdProposal("Nanang Web Verifikasi"))
	returned := draftProposal(t, newHouseholdProposal("Tati Web Dikembalikan"))
	agreeInMuskel(t, agreed, returned)

	b := newBrowser(t)
	b.signIn("dinsos")
	if r := b.get("/"); !strings.Contains(r.body, `id="verify-link"`) {
		t.Fatalf("the home page does not lead to the queue: %s", r.body)
	}
	queue := b.get("/usulan/verifikasi?kecamatan=32.73.03")
	path := fmt.Sprintf("/kecamatan/32.73.03/usulan/%d", agreed)
	if !strings.Contains(queue.body, `href="`+path+`"`) || !strings.Contains(queue.body, "Nanang Web Verifikasi") {
		t.Fatalf("the queue does not list the agreed proposal: %s", queue.body)
	}
	if r := b.get(path); !strings.Contains(r.body, `id="verify-form"`) || !strings.Contains(r.body, `id="queue-link"`) {
		t.Fatalf("the proposal's page offers no verification: %s", r.body)
	}
	returnPath := fmt.Sprintf("/kecamatan/32.73.03/usulan/%d", returned)
	b.get(returnPath)
	if r := b.post(returnPath+"/verifikasi", url.Values{"status": {"dikembalikan"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `class="error"`) {
		t.Fatalf("a return without its note: %d %s", r.status, r.body)
	}
	if r := b.post(returnPath+"/verifikasi", url.Values{"status": {"dikembalikan"}, "alasan": {"Lengkapi foto rumah"}}); r.status != http.StatusSeeOther {
		t.Fatalf("returning: %d %s", r.status, r.body)
	}
	if r := b.post(path+"/verifikasi", url.Values{"status": {"diverifikasi"}}); r.status != http.StatusSeeOther {
		t.Fatalf("verifying: %d %s", r.status, r.body)
	}
	if r := b.get(path + "?diubah=1"); !strings.Contains(r.body, "Diverifikasi Dinas Sosial") || strings.Contains(r.body, `id="verify-form"`) {
		t.Fatalf("the verified proposal: %s", r.body)
	}

	verified := b.get("/usulan/verifikasi?status=diverifikasi")
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(verified.body)
	if key == nil || !strings.Contains(verified.body, `id="send-batch"`) {
		t.Fatalf("the verified queue offers no batch: %s", verified.body)
	}
	var location string
	for range 2 {
		r := b.post("/usulan/batch", url.Values{"idempotency_key": {key[1]}})
		if r.status != http.StatusSeeOther || (location != "" && r.location != location) {
			t.Fatalf("sending the batch: %d %q %s", r.status, r.location, r.body)
		}
		location = r.location
	}
	sent := b.get(location)
	batchID := regexp.MustCompile(`batch=(\d+)`).FindStringSubmatch(location)
	if !strings.Contains(sent.body, `id="sent"`) || !strings.Contains(sent.body, fmt.Sprintf("/api/v1/usulan/batch/%s/bnba?format=xlsx", batchID[1])) {
		t.Fatalf("the batch sent: %s", sent.body)
	}
	if r := b.get(fmt.Sprintf("/api/v1/usulan/batch/%s/bnba?format=csv", batchID[1])); r.status != http.StatusOK || !strings.Contains(r.body, "Nanang Web Verifikasi") {
		t.Fatalf("the batch's file from the page's link: %d %s", r.status, r.body)
	}

	noKK, _ := proposalOf(t, "petugas", agreed).Proposal["noKK"].(string)
	file := "id_usulan,no_kk,hasil,desil,program,id_dtsen,keterangan\n" + proposal.Ref("32.73.03", agreed) + "," + noKK + ",ditetapkan,4,PKH,,\n"
	b.get("/usulan/hasil")
	preview := b.upload("/usulan/hasil?aksi=pratinjau", "hasil.csv", file, true)
	if preview.status != http.StatusOK || !strings.Contains(preview.body, `id="preview"`) || !strings.Contains(preview.body, `<td id="decided">1</td>`) {
		t.Fatalf("the preview: %d %s", preview.status, preview.body)
	}
	if p := proposalOf(t, "petugas", agreed); p.Status != "dikirim" {
		t.Fatalf("the preview kept something: %+v", p)
	}
	applied := b.upload("/usulan/hasil?aksi=terapkan", "hasil.csv", file, true)
	if applied.status != http.StatusOK || !strings.Contains(applied.body, `id="applied"`) {
		t.Fatalf("applying: %d %s", applied.status, applied.body)
	}
	var p struct{ HouseholdID int64 }
	do(t, "petugas", "GET", fmt.Sprintf("%s/usulan/%d", kec("32.73.03"), agreed), nil).json(t, &p)
	pb := newBrowser(t)
	pb.signIn("petugas")
	if r := pb.get(householdURL(p.HouseholdID)); !strings.Contains(r.body, "Ditetapkan") {
		t.Errorf("the household's page does not show its decided proposal: %s", r.body)
	}
	// Puskesos staff have no queue.
	if r := pb.get("/usulan/verifikasi"); r.status != http.StatusForbidden {
		t.Errorf("the petugas opened the queue: %d", r.status)
	}
}
