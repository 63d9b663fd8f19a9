package apiserver_test

import (
	"net/http"
	"strings"
	"testing"
)

// City IT finds the kecamatan from the home page and sees each tenant's
// state as the operator reports it, and nothing of any resident; other
// roles cannot open the page.
func TestWebCityITSeesEachKecamatansState(t *testing.T) {
	admin := newBrowser(t)
	admin.signIn("admin")
	if r := admin.get("/"); !strings.Contains(r.body, `href="/admin/kecamatan"`) {
		t.Fatalf("no link to the kecamatan on the home page: %d %s", r.status, r.body)
	}
	r := admin.get("/admin/kecamatan")
	row := r.body[strings.Index(r.body, `id="kecamatan-32.73.03"`)+1:]
	row = row[:strings.Index(row, "</tr>")]
	if r.status != http.StatusOK || !strings.Contains(row, "Babakan Ciparay") || !strings.Contains(row, `class="state-ready">Siap</span>`) {
		t.Fatalf("Babakan Ciparay's row: %d %s", r.status, row)
	}
	if !strings.Contains(r.body, `id="kecamatan-32.73.04"`) {
		t.Errorf("Bojongloa Kaler missing: %s", r.body)
	}
	for _, personal := range []string{"3273", "NIK"} {
		if strings.Contains(strings.ReplaceAll(r.body, "32.73", ""), personal) {
			t.Errorf("the admin page holds %q", personal)
		}
	}
	for _, who := range []string{"petugas", "supervisor", "dinsos"} {
		b := newBrowser(t)
		b.signIn(who)
		if r := b.get("/admin/kecamatan"); r.status != http.StatusForbidden {
			t.Errorf("%s opened city IT's page: %d", who, r.status)
		}
	}
}
