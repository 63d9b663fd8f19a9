package web

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strings"

	"github.com/slrt-id/slrt/internal/registry"
)

// registerFields are the new-household form's fields, named as the
// columns of a DTKS/BNBA extract, which staff know.
var registerFields = []string{"no_kk", "kelurahan", "rt", "rw", "alamat", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin"}

// registerFormField names the form's field of each input field.
var registerFormField = map[string]string{
	"/noKK": "no_kk", "/house": "kelurahan", "/house/kelurahan": "kelurahan", "/house/rt": "rt", "/house/rw": "rw",
	"/house/street": "alamat", "/nik": "nik", "/name": "nama", "/birthPlace": "tempat_lahir", "/birthDate": "tanggal_lahir",
	"/sex": "jenis_kelamin",
}

// registerPage is the form that registers a household with its head.
type registerPage struct {
	kecamatanPage
	Kelurahan      []place // where the caller may register
	Form           map[string]string
	Errors         map[string]string
	OtherKecamatan []string // the NIK is held there: ask to acknowledge
	Acknowledged   bool
	IdempotencyKey string
}

// newRegisterPage starts the form in the request's kecamatan, offering
// the kelurahan the caller may register in.
func newRegisterPage(r *http.Request) (*webPage, *registerPage) {
	k := newKecamatanPage(caller(r).Kecamatan(), nil)
	d := &registerPage{kecamatanPage: k, Form: map[string]string{}, Errors: map[string]string{}, IdempotencyKey: rand.Text(),
		Kelurahan: kelurahanIn(k, caller(r).Scope)}
	return newPage(r, "register.title"), d
}

// kelurahanIn lists the page's kelurahan within scope (all when nil), by
// code, for a form's choice of kelurahan.
func kelurahanIn(k kecamatanPage, scope []string) []place {
	var out []place
	for code, name := range k.KelurahanNames {
		if registry.Allowed(scope, code) {
			out = append(out, place{Code: code, Name: name})
		}
	}
	slices.SortFunc(out, func(a, b place) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// householdNew shows the form for a new household and its head: the
// resident a search did not find.
func (h *Handler) householdNew(w http.ResponseWriter, r *http.Request) {
	v, d := newRegisterPage(r)
	render(w, r, http.StatusOK, keluargaBaru(v, d))
}
