package httpapi

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/bnba"
	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/registry"
)

// registerFields are the new-household form's fields, named like the
// columns of a DTKS/BNBA extract: the form is checked by the same rules as
// an imported row (bnba.Check).
var registerFields = []string{"no_kk", "kelurahan", "rt", "rw", "alamat", "nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin"}

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

func (s *Server) newRegisterPage(r *http.Request) (*webPage, *registerPage, error) {
	k, _, err := s.kecamatanPage(r)
	if err != nil {
		return nil, nil, err
	}
	d := &registerPage{kecamatanPage: k, Form: map[string]string{}, Errors: map[string]string{}, IdempotencyKey: rand.Text()}
	scope := scopeOf(r.Context())
	for code, name := range k.KelurahanNames {
		if scope == nil || slices.Contains(scope, code) {
			d.Kelurahan = append(d.Kelurahan, place{Code: code, Name: name})
		}
	}
	slices.SortFunc(d.Kelurahan, func(a, b place) int { return strings.Compare(a.Code, b.Code) })
	return newPage(r, "register.title", d), d, nil
}

// webRegisterForm shows the form for a new household and its head: the
// resident a search did not find.
func (s *Server) webRegisterForm(w http.ResponseWriter, r *http.Request) {
	v, _, err := s.newRegisterPage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	render(w, r, http.StatusOK, "keluarga_baru", v)
}

// webRegister registers the household (with a new house) and its head in
// one transaction, then goes on to record the resident's complaint.
func (s *Server) webRegister(w http.ResponseWriter, r *http.Request) {
	v, d, err := s.newRegisterPage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	record := make([]string, len(registerFields))
	header := bnba.Header{}
	for i, f := range registerFields {
		d.Form[f] = strings.TrimSpace(r.PostFormValue(f))
		record[i], header[f] = d.Form[f], i
	}
	d.Acknowledged = r.PostFormValue("pindahan") == "ya"
	if key := r.PostFormValue("idempotency_key"); key != "" {
		d.IdempotencyKey = key
	}
	// The household's relationship is given: this form registers the head.
	header["hubungan"] = len(record)
	record = append(record, "kepala_keluarga")
	code := chi.URLParam(r, "code")
	row, problems := bnba.Check(header, record, 0, code, time.Now())
	for _, p := range problems {
		if _, seen := d.Errors[p.Field]; !seen {
			d.Errors[p.Field] = problemText(v, p.Code, p.Message)
		}
	}
	if len(d.Errors) > 0 {
		render(w, r, http.StatusUnprocessableEntity, "keluarga_baru", v)
		return
	}
	household := registry.NewHousehold{NoKK: row.NoKK, House: &registry.House{Kelurahan: row.Kelurahan, RT: row.RT, RW: row.RW, Street: row.Street}}
	person := registry.NewPerson{NIK: row.NIK, PersonFacts: registry.PersonFacts{Name: row.Name, BirthPlace: row.BirthPlace,
		BirthDate: registry.Date{Time: row.BirthDate}, Sex: row.Sex, Disabilities: []string{}, ChronicIllnesses: []string{}, Presence: "tinggal"},
		Relationship: "kepala_keluarga", AcknowledgeOtherKecamatan: d.Acknowledged}
	form := url.Values{}
	for _, f := range registerFields {
		form.Set(f, d.Form[f])
	}
	scope := scopeOf(r.Context())
	hash := s.nikHasher.Hash(row.NIK)
	s.createOnce(w, r, d.IdempotencyKey, []byte(form.Encode()), func(tx pgx.Tx) (*created, error) {
		hh, err := registry.CreateHousehold(r.Context(), tx, &household, scope)
		if err != nil {
			return nil, err
		}
		person.HouseholdID = hh
		id, _, err := s.registerPerson(r, tx, &person, hash, code, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: id, Location: "/kecamatan/" + code + "/keluhan/baru?penduduk=" + strconv.FormatInt(id, 10)}, nil
	}, redirectCreated, func(w http.ResponseWriter, r *http.Request, err error) bool {
		// What the registry refuses goes back to the form, next to its field.
		var conflict *registry.ConflictError
		var elsewhere *otherKecamatanError
		switch {
		case errors.As(err, &conflict) && conflict.Field == "/noKK":
			d.Errors["no_kk"] = v.T("register.kk_taken")
		case errors.As(err, &conflict) && conflict.Field == "/nik":
			d.Errors["nik"] = v.T("register.nik_taken")
		case errors.As(err, &elsewhere):
			d.OtherKecamatan = elsewhere.codes
		default:
			return caseProblem(w, r, err)
		}
		render(w, r, http.StatusConflict, "keluarga_baru", v)
		return true
	})
}

// problemText says a check's problem in the page's language when the
// catalogue has words for its code, else as the check wrote it.
func problemText(v *webPage, code, message string) string {
	if key := "problem." + code; i18n.Has(key) {
		return v.T(key)
	}
	return message
}
