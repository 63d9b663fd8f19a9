package apiserver_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/store"
)

// location is where, relative to the callers' own posts in Babakan Ciparay
// (32.73.03, kelurahan 32.73.03.1001) and Dinkes, a request points.
type location struct {
	name, code, kelurahan, agency string
}

var locations = []location{
	{"own kelurahan", "32.73.03", "32.73.03.1001", "DINKES"},
	{"other kelurahan of the same kecamatan", "32.73.03", "32.73.03.1002", "DINKES"},
	{"other kecamatan and agency", "32.73.04", "32.73.04.1001", "DISDIK"},
}

// Who may do what, written out independently of the Casbin policy: the
// specification the router and the policy are held to. A route missing here
// fails the test, so a new route cannot ship without its rule.
var expectations = map[string]func(c *caller, l location) bool{
	"GET /healthz":           anyone,
	"GET /readyz":            anyone,
	"GET /openapi.json":      anyone,
	"POST /api/v1/session":   anyone,
	"DELETE /api/v1/session": signedIn,

	"GET /api/v1/session/oidc":  anyone,
	"POST /api/v1/session/oidc": anyone,

	"GET /api/v1/lacak/{trackingCode}": anyone,
	"GET /lacak/{trackingCode}":        anyone,

	"GET /api/v1/me":                signedIn,
	"PUT /api/v1/me/password":       signedIn,
	"GET /api/v1/me/tokens":         signedIn,
	"POST /api/v1/me/tokens":        signedIn,
	"DELETE /api/v1/me/tokens/{id}": signedIn,

	"GET /api/v1/kecamatan/{code}/kelurahan":             readsKecamatan,
	"GET /api/v1/kecamatan/{code}/kelurahan/{kelurahan}": readsKelurahan,

	"POST /api/v1/kecamatan/{code}/keluarga":             writesKecamatan,
	"GET /api/v1/kecamatan/{code}/keluarga/{id}":         readsKecamatan,
	"PATCH /api/v1/kecamatan/{code}/keluarga/{id}":       writesKecamatan,
	"GET /api/v1/kecamatan/{code}/keluarga/{id}/riwayat": readsKecamatan,
	"POST /api/v1/kecamatan/{code}/penduduk":             writesKecamatan,
	"POST /api/v1/kecamatan/{code}/penduduk/cari":        readsKecamatan,
	"GET /api/v1/kecamatan/{code}/penduduk/{id}":         readsKecamatan,
	"PATCH /api/v1/kecamatan/{code}/penduduk/{id}":       writesKecamatan,
	"POST /api/v1/kecamatan/{code}/impor":                role(authz.RoleDinsos),
	"GET /api/v1/kecamatan/{code}/ekspor":                role(authz.RoleDinsos),

	"POST /api/v1/kecamatan/{code}/keluhan":                         writesKecamatan,
	"GET /api/v1/kecamatan/{code}/keluhan":                          readsKecamatan,
	"GET /api/v1/kecamatan/{code}/keluhan/{id}":                     readsKecamatan,
	"PUT /api/v1/kecamatan/{code}/keluhan/{id}/asesmen":             writesKecamatan,
	"POST /api/v1/kecamatan/{code}/keluhan/{id}/tindak-lanjut":      writesKecamatan,
	"POST /api/v1/kecamatan/{code}/keluhan/{id}/tutup":              decidesInKecamatan,
	"POST /api/v1/kecamatan/{code}/keluhan/{id}/eskalasi":           decidesInKecamatan,
	"POST /api/v1/kecamatan/{code}/keluhan/{id}/eskalasi/ambil":     role(authz.RoleDinsos),
	"POST /api/v1/kecamatan/{code}/keluhan/{id}/eskalasi/keputusan": role(authz.RoleDinsos),
	"GET /api/v1/eskalasi":                                          role(authz.RoleDinsos),

	"POST /api/v1/kecamatan/{code}/rujukan":             writesKecamatan,
	"GET /api/v1/kecamatan/{code}/rujukan":              readsKecamatan,
	"GET /api/v1/kecamatan/{code}/rujukan/terlambat":    readsKecamatan,
	"GET /api/v1/kecamatan/{code}/rujukan/{id}":         readsKecamatan,
	"GET /api/v1/kecamatan/{code}/rujukan/{id}/surat":   readsKecamatan,
	"POST /api/v1/kecamatan/{code}/rujukan/{id}/status": writesKecamatan,
	"GET /api/v1/rujukan/terlambat":                     role(authz.RoleDinsos),
	"GET /api/v1/kecamatan/{code}/laporan":              readsKecamatan,
	"GET /api/v1/laporan":                               role(authz.RoleDinsos),
	"GET /api/v1/kecamatan/{code}/sasaran":              readsKecamatan,
	"GET /api/v1/kecamatan/{code}/sasaran/keluarga":     readsKecamatan,
	"GET /api/v1/sasaran":                               role(authz.RoleDinsos),
	"GET /api/v1/program":                               signedIn,
	"PUT /api/v1/program/{programme}":                   role(authz.RoleDinsos),

	"POST /api/v1/kecamatan/{code}/usulan":                      writesKecamatan,
	"GET /api/v1/kecamatan/{code}/usulan":                       readsKecamatan,
	"GET /api/v1/kecamatan/{code}/usulan/{id}":                  readsKecamatan,
	"POST /api/v1/kecamatan/{code}/usulan/{id}/status":          writesKecamatan,
	"POST /api/v1/kecamatan/{code}/musyawarah":                  decidesInKecamatan,
	"GET /api/v1/kecamatan/{code}/musyawarah":                   readsKecamatan,
	"GET /api/v1/kecamatan/{code}/musyawarah/terlambat":         readsKecamatan,
	"GET /api/v1/kecamatan/{code}/musyawarah/{id}":              readsKecamatan,
	"GET /api/v1/kecamatan/{code}/musyawarah/{id}/berita-acara": readsKecamatan,
	"GET /api/v1/usulan/verifikasi":                             role(authz.RoleDinsos),
	"POST /api/v1/kecamatan/{code}/usulan/{id}/verifikasi":      role(authz.RoleDinsos),
	"POST /api/v1/usulan/batch":                                 role(authz.RoleDinsos),
	"GET /api/v1/usulan/batch":                                  role(authz.RoleDinsos),
	"GET /api/v1/usulan/batch/{id}":                             role(authz.RoleDinsos),
	"GET /api/v1/usulan/batch/{id}/bnba":                        role(authz.RoleDinsos),
	"POST /api/v1/usulan/hasil":                                 role(authz.RoleDinsos),
	"GET /api/v1/usulan/periode":                                signedIn,
	"PUT /api/v1/usulan/periode/{period}":                       role(authz.RoleDinsos),

	"POST /api/v1/kecamatan/{code}/pindah/permintaan":     writesKecamatan,
	"POST /api/v1/kecamatan/{code}/pindah/tawaran":        writesKecamatan,
	"GET /api/v1/kecamatan/{code}/pindah":                 readsKecamatan,
	"GET /api/v1/kecamatan/{code}/pindah/{id}":            readsKecamatan,
	"POST /api/v1/kecamatan/{code}/pindah/{id}/keputusan": decidesInKecamatan,
	"POST /api/v1/kecamatan/{code}/pindah/{id}/batal":     writesKecamatan,
	"GET /api/v1/pindah":                                  role(authz.RoleDinsos),

	"GET /api/v1/instansi/{agency}/rujukan":                     ownAgency,
	"GET /api/v1/instansi/{agency}/rujukan/{code}/{id}":         ownAgency,
	"POST /api/v1/instansi/{agency}/rujukan/{code}/{id}/status": ownAgency,

	"GET /api/v1/layanan":                     signedIn,
	"PUT /api/v1/layanan/{service}":           role(authz.RoleDinsos),
	"GET /api/v1/kategori-keluhan":            signedIn,
	"GET /api/v1/ppks":                        signedIn,
	"PUT /api/v1/kategori-keluhan/{category}": role(authz.RoleDinsos),
	"GET /api/v1/hari-libur":                  signedIn,
	"PUT /api/v1/hari-libur/{date}":           role(authz.RoleDinsos),
	"DELETE /api/v1/hari-libur/{date}":        role(authz.RoleDinsos),
	"GET /api/v1/katalog/riwayat":             roles(authz.RoleDinsos, authz.RoleAuditor),

	"GET /api/v1/admin/kecamatan":                           role(authz.RoleAdmin),
	"POST /api/v1/admin/kecamatan":                          role(authz.RoleAdmin),
	"PATCH /api/v1/admin/kecamatan/{code}":                  role(authz.RoleAdmin),
	"GET /api/v1/admin/kecamatan/{code}/backups":            role(authz.RoleAdmin),
	"POST /api/v1/admin/kecamatan/{code}/backups":           role(authz.RoleAdmin),
	"GET /api/v1/admin/accounts":                            role(authz.RoleAdmin),
	"POST /api/v1/admin/accounts":                           role(authz.RoleAdmin),
	"PATCH /api/v1/admin/accounts/{username}":               role(authz.RoleAdmin),
	"POST /api/v1/admin/accounts/{username}/password-reset": role(authz.RoleAdmin),
	"GET /api/v1/admin/grants":                              role(authz.RoleAdmin),
	"POST /api/v1/admin/grants":                             role(authz.RoleAdmin),
	"DELETE /api/v1/admin/grants/{id}":                      role(authz.RoleAdmin),
	"GET /api/v1/admin/accounts/{username}/tokens":          role(authz.RoleAdmin),
	"DELETE /api/v1/admin/tokens/{id}":                      role(authz.RoleAdmin),

	"GET /api/v1/audit":        role(authz.RoleAuditor),
	"POST /api/v1/audit/reads": role(authz.RoleAuditor),

	"GET /static/app.css":    anyone,
	"GET /masuk":             anyone,
	"POST /masuk":            anyone,
	"GET /masuk/sso":         anyone,
	"GET /masuk/sso/kembali": anyone,
	"POST /keluar":           signedIn,
	"GET /":                  signedIn,
	"POST /kecamatan/{code}/keluhan/{id}/asesmen":        writesKecamatan,
	"POST /kecamatan/{code}/keluhan/{id}/tindak-lanjut":  writesKecamatan,
	"POST /kecamatan/{code}/keluhan/{id}/tutup":          decidesInKecamatan,
	"GET /kecamatan/{code}/laporan":                      readsKecamatan,
	"GET /laporan":                                       role(authz.RoleDinsos),
	"GET /instansi/{agency}/rujukan":                     ownAgency,
	"GET /instansi/{agency}/rujukan/{code}/{id}":         ownAgency,
	"POST /instansi/{agency}/rujukan/{code}/{id}/status": ownAgency,
	"GET /kecamatan/{code}/keluarga/baru":                writesKecamatan,
	"POST /kecamatan/{code}/keluarga":                    writesKecamatan,
	"GET /kecamatan/{code}/keluarga/{id}":                readsKecamatan,
	"POST /kecamatan/{code}/keluarga/{id}/anggota":       writesKecamatan,
	"POST /kecamatan/{code}/keluarga/{id}":               writesKecamatan,
	"GET /kecamatan/{code}/keluarga/{id}/ubah":           writesKecamatan,
	"GET /kecamatan/{code}/penduduk/{id}":                readsKecamatan,
	"POST /kecamatan/{code}/penduduk/{id}":               writesKecamatan,
	"POST /kecamatan/{code}/penduduk/{id}/pindah":        writesKecamatan,
	"GET /kecamatan/{code}/keluhan":                      readsKecamatan,
	"POST /kecamatan/{code}/keluhan":                     writesKecamatan,
	"GET /kecamatan/{code}/keluhan/baru":                 writesKecamatan,
	"POST /kecamatan/{code}/keluhan/baru":                writesKecamatan,
	"GET /kecamatan/{code}/keluhan/{id}":                 readsKecamatan,
	"POST /kecamatan/{code}/keluhan/{id}/rujukan":        writesKecamatan,
	"POST /kecamatan/{code}/rujukan/{id}/batal":          writesKecamatan,
	"GET /kecamatan/{code}/impor":                        role(authz.RoleDinsos),
	"GET /kecamatan/{code}/rujukan/terlambat":            readsKecamatan,
	"GET /rujukan/terlambat":                             role(authz.RoleDinsos),
	"GET /kecamatan/{code}/sasaran":                      readsKecamatan,
	"GET /kecamatan/{code}/sasaran/keluarga":             readsKecamatan,
	"GET /sasaran":                                       role(authz.RoleDinsos),
	"GET /katalog/program":                               role(authz.RoleDinsos),
	"POST /katalog/program":                              role(authz.RoleDinsos),
	"GET /audit":                                         role(authz.RoleAuditor),
	"POST /audit/warga":                                  role(authz.RoleAuditor),
	"GET /admin/kecamatan":                               role(authz.RoleAdmin),
	"POST /admin/kecamatan":                              role(authz.RoleAdmin),
	"GET /admin/akun":                                    role(authz.RoleAdmin),
	"POST /admin/akun":                                   role(authz.RoleAdmin),
	"GET /admin/akun/{username}":                         role(authz.RoleAdmin),
	"GET /admin/akun/{username}/status":                  role(authz.RoleAdmin),
	"POST /admin/akun/{username}/status":                 role(authz.RoleAdmin),
	"POST /admin/akun/{username}/sandi":                  role(authz.RoleAdmin),
	"POST /admin/akun/{username}/sso":                    role(authz.RoleAdmin),
	"POST /admin/akun/{username}/peran":                  role(authz.RoleAdmin),
	"POST /admin/akun/{username}/peran/{id}/hapus":       role(authz.RoleAdmin),
	"POST /admin/akun/{username}/token/{id}/cabut":       role(authz.RoleAdmin),
	"GET /sandi":                                             signedIn,
	"POST /sandi":                                            signedIn,
	"GET /admin/kecamatan/{code}/status":                     role(authz.RoleAdmin),
	"POST /admin/kecamatan/{code}/status":                    role(authz.RoleAdmin),
	"GET /admin/kecamatan/{code}/cadangan":                   role(authz.RoleAdmin),
	"POST /admin/kecamatan/{code}/cadangan":                  role(authz.RoleAdmin),
	"POST /kecamatan/{code}/impor":                           role(authz.RoleDinsos),
	"POST /kecamatan/{code}/rujukan/{id}/kirim":              writesKecamatan,
	"GET /kecamatan/{code}/usulan":                           readsKecamatan,
	"GET /kecamatan/{code}/usulan/baru":                      writesKecamatan,
	"POST /kecamatan/{code}/usulan":                          writesKecamatan,
	"GET /kecamatan/{code}/usulan/{id}":                      readsKecamatan,
	"POST /kecamatan/{code}/usulan/{id}/status":              writesKecamatan,
	"GET /kecamatan/{code}/musyawarah/baru":                  decidesInKecamatan,
	"POST /kecamatan/{code}/musyawarah":                      decidesInKecamatan,
	"GET /kecamatan/{code}/musyawarah/{id}":                  readsKecamatan,
	"GET /usulan/verifikasi":                                 role(authz.RoleDinsos),
	"POST /kecamatan/{code}/usulan/{id}/verifikasi":          role(authz.RoleDinsos),
	"POST /usulan/batch":                                     role(authz.RoleDinsos),
	"GET /usulan/hasil":                                      role(authz.RoleDinsos),
	"POST /usulan/hasil":                                     role(authz.RoleDinsos),
	"GET /usulan/periode":                                    role(authz.RoleDinsos),
	"POST /usulan/periode":                                   role(authz.RoleDinsos),
	"POST /usulan/periode/isi":                               role(authz.RoleDinsos),
	"POST /kecamatan/{code}/keluhan/{id}/eskalasi":           decidesInKecamatan,
	"POST /kecamatan/{code}/keluhan/{id}/eskalasi/ambil":     role(authz.RoleDinsos),
	"POST /kecamatan/{code}/keluhan/{id}/eskalasi/keputusan": role(authz.RoleDinsos),
	"GET /eskalasi":                                          role(authz.RoleDinsos),
	"GET /kecamatan/{code}/pindah":                           readsKecamatan,
	"POST /kecamatan/{code}/pindah/permintaan":               writesKecamatan,
	"POST /kecamatan/{code}/pindah/tawaran":                  writesKecamatan,
	"GET /kecamatan/{code}/pindah/{id}":                      readsKecamatan,
	"POST /kecamatan/{code}/pindah/{id}/keputusan":           decidesInKecamatan,
	"POST /kecamatan/{code}/pindah/{id}/batal":               writesKecamatan,
	"GET /pindah":                                            role(authz.RoleDinsos),
	"GET /katalog":                                           role(authz.RoleDinsos),
	"GET /katalog/layanan/baru":                              role(authz.RoleDinsos),
	"POST /katalog/layanan":                                  role(authz.RoleDinsos),
	"GET /katalog/layanan/{service}":                         role(authz.RoleDinsos),
	"POST /katalog/layanan/{service}":                        role(authz.RoleDinsos),
	"GET /katalog/kategori":                                  role(authz.RoleDinsos),
	"POST /katalog/kategori":                                 role(authz.RoleDinsos),
	"GET /katalog/kategori/{category}":                       role(authz.RoleDinsos),
	"POST /katalog/kategori/{category}":                      role(authz.RoleDinsos),
	"GET /katalog/libur":                                     role(authz.RoleDinsos),
	"POST /katalog/libur":                                    role(authz.RoleDinsos),
	"POST /katalog/libur/{date}/hapus":                       role(authz.RoleDinsos),
}

// matrixTarget is the account the matrix's admin routes act on.
const matrixTarget = "sasaran"

func anyone(*caller, location) bool       { return true }
func signedIn(c *caller, _ location) bool { return c != nil }

func role(r authz.Role) func(*caller, location) bool {
	return roles(r)
}

func roles(rs ...authz.Role) func(*caller, location) bool {
	return func(c *caller, _ location) bool { return c != nil && slices.Contains(rs, c.role) }
}

// readsKecamatan: Puskesos staff see their own kelurahan inside their
// kecamatan, the supervisor the whole kecamatan, Dinsos the city.
func readsKecamatan(c *caller, l location) bool {
	if c == nil {
		return false
	}
	switch c.role {
	case authz.RolePetugas, authz.RoleKoordinator:
		return strings.HasPrefix(c.domain, l.code+".")
	case authz.RoleSupervisor:
		return c.domain == l.code
	case authz.RoleDinsos:
		return true
	}
	return false
}

// writesKecamatan: only Puskesos staff write, in their own kecamatan (the
// handler then holds them to their kelurahan).
func writesKecamatan(c *caller, l location) bool {
	return c != nil && (c.role == authz.RolePetugas || c.role == authz.RoleKoordinator) && strings.HasPrefix(c.domain, l.code+".")
}

// decidesInKecamatan: the koordinator's decisions.
func decidesInKecamatan(c *caller, l location) bool {
	return c != nil && c.role == authz.RoleKoordinator && strings.HasPrefix(c.domain, l.code+".")
}

// ownAgency: the staff of the agency the inbox belongs to.
func ownAgency(c *caller, l location) bool {
	return c != nil && c.role == authz.RoleAgency && c.domain == authz.AgencyPrefix+l.agency
}

func readsKelurahan(c *caller, l location) bool {
	if c == nil {
		return false
	}
	switch c.role {
	case authz.RolePetugas, authz.RoleKoordinator:
		return c.domain == l.kelurahan
	case authz.RoleSupervisor:
		return strings.HasPrefix(l.kelurahan, c.domain+".")
	case authz.RoleDinsos:
		return true
	}
	return false
}

// Every route of the router, for every role, in the caller's own kelurahan,
// another kelurahan of the same kecamatan, another kecamatan, and with no
// credentials: allowed or denied as the expectations say.
func TestAuthorizationMatrix(t *testing.T) {
	var routes []string
	err := chi.Walk(app.Handler.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != len(app.Handler.Rules()) {
		t.Errorf("router has %d routes, rule table %d", len(routes), len(app.Handler.Rules()))
	}
	// The accounts named in paths are one no caller signs in as: a password
	// reset must not lock a caller out of the routes after it.
	if _, err := app.Store.CreateAccount(t.Context(), matrixTarget, "Sasaran", ""); err != nil && !errors.Is(err, store.ErrConflict) {
		t.Fatal(err)
	}
	who := append([]string{""}, staffNames()...)
	for _, route := range routes {
		expect, ok := expectations[route]
		if !ok {
			t.Errorf("%s has no expectation: add who may use it to the matrix", route)
			continue
		}
		method, pattern, _ := strings.Cut(route, " ")
		for _, l := range locations {
			path := strings.NewReplacer("{code}", l.code, "{kelurahan}", l.kelurahan, "{id}", "999999", "{username}", matrixTarget,
				"{agency}", l.agency, "{service}", "PBI_JK", "{category}", "LAINNYA", "{date}", "2030-12-31", "{trackingCode}", "327303-AAAAAAAA", "{period}", "2030-9").Replace(pattern)
			var body any
			if method != http.MethodGet && method != http.MethodDelete {
				body = "{}"
			}
			for _, name := range who {
				var c *caller
				if name != "" {
					c = callers[name]
				}
				resp := do(t, name, method, path, body)
				denied := resp.status == http.StatusForbidden ||
					(resp.status == http.StatusUnauthorized && resp.header.Get("WWW-Authenticate") != "")
				if want := expect(c, l); denied == want {
					t.Errorf("%s %s as %q (%s): status %d, want allowed=%t: %s", method, path, name, l.name, resp.status, want, resp.body)
				}
				// The suite's identity provider is down on purpose: single
				// sign-on answers 503 with Retry-After, by design.
				ssoDown := route == "GET /masuk/sso" && resp.status == http.StatusServiceUnavailable && resp.header.Get("Retry-After") != ""
				if resp.status >= 500 && !ssoDown {
					t.Errorf("%s %s as %q: server error %s", method, path, name, resp.body)
				}
			}
		}
	}
}

func staffNames() []string {
	var out []string
	for _, s := range staff {
		out = append(out, s.name)
	}
	return out
}
