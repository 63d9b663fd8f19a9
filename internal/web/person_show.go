package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usecase"
	"github.com/slrt-id/slrt/internal/workdays"
)

// personPage is a person's record as Puskesos staff keep it: the facts,
// the households they belonged to, a form to correct the facts or record
// a departure, and a form to move them to another household here.
type personPage struct {
	kecamatanPage
	*registry.Person
	NIKMasked                            string
	Educations, Presences, Relationships []string
	Form, Errors, MoveForm, MoveErrors   map[string]string
	Saved, Moved                         bool
}

// personFormField names the correction form's field of each input field.
var personFormField = map[string]string{"/name": "nama", "/birthPlace": "tempat_lahir", "/education": "pendidikan",
	"/occupation": "pekerjaan", "/presence": "keberadaan"}

// moveFormField names the move form's field of each input field.
var moveFormField = map[string]string{"/move/householdId": "no_kk", "/move/relationship": "hubungan", "/move/reason": "alasan"}

// personShow is a person's page. Reading it is audited: it is a full
// record.
func (h *Handler) personShow(w http.ResponseWriter, r *http.Request) {
	d, ok := h.personOf(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d.Saved, d.Moved = q.Get("tersimpan") == "1", q.Get("pindah") == "1"
	render(w, r, http.StatusOK, penduduk(newPage(r, "person.title", d.Name), d))
}

// personOf reads the person the path names, audited, into a page with its
// forms filled from the record.
func (h *Handler) personOf(w http.ResponseWriter, r *http.Request) (*personPage, bool) {
	p, ok := auditedRecord(h, w, r, h.app.Person)
	if !ok {
		return nil, false
	}
	d := &personPage{kecamatanPage: newKecamatanPage(caller(r).Kecamatan(), nil), Person: p, NIKMasked: nik.Mask(p.NIK),
		Educations: registry.Educations, Presences: registry.Presences, Relationships: registry.Relationships[1:],
		Form: map[string]string{"nama": p.Name, "tempat_lahir": p.BirthPlace, "pendidikan": deref(p.Education),
			"pekerjaan": deref(p.Occupation), "keberadaan": p.Presence},
		Errors: map[string]string{}, MoveForm: map[string]string{}, MoveErrors: map[string]string{}}
	return d, true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// personUpdate corrects a person's facts, or records a departure (moved
// away, deceased) through the presence; what the rules refuse is shown
// next to its field and nothing changes.
func (h *Handler) personUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := h.personOf(w, r)
	if !ok {
		return
	}
	for _, f := range []string{"nama", "tempat_lahir", "pendidikan", "pekerjaan", "keberadaan"} {
		d.Form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	ch := &registry.PersonChange{Name: ptr(d.Form["nama"]), BirthPlace: ptr(d.Form["tempat_lahir"]), Presence: ptr(d.Form["keberadaan"])}
	// Left empty, education and occupation stay as recorded.
	if d.Form["pendidikan"] != "" {
		ch.Education = ptr(d.Form["pendidikan"])
	}
	if d.Form["pekerjaan"] != "" {
		ch.Occupation = ptr(d.Form["pekerjaan"])
	}
	h.changePerson(w, r, d, ch, d.Errors, personFormField, "?tersimpan=1")
}

// personMove moves a person into another household of the kecamatan,
// found by its No KK as the family card shows it.
func (h *Handler) personMove(w http.ResponseWriter, r *http.Request) {
	d, ok := h.personOf(w, r)
	if !ok {
		return
	}
	for _, f := range []string{"no_kk", "hubungan", "alasan"} {
		d.MoveForm[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	v := newPage(r, "person.title", d.Name)
	found, _, err := h.app.SearchPersons(r.Context(), caller(r), &registry.Query{NoKK: d.MoveForm["no_kk"], Limit: 1})
	if err != nil && !fieldProblems(v, err, d.MoveErrors, map[string]string{"/noKK": "no_kk"}) {
		h.http.Fail(w, r, err)
		return
	}
	if err == nil && (len(found) == 0 || found[0].HouseholdID == nil) {
		d.MoveErrors["no_kk"] = v.T("person.move_unknown")
	}
	if len(d.MoveErrors) > 0 {
		render(w, r, http.StatusUnprocessableEntity, penduduk(v, d))
		return
	}
	move := &registry.Move{HouseholdID: *found[0].HouseholdID, Relationship: d.MoveForm["hubungan"], Reason: d.MoveForm["alasan"]}
	h.changePerson(w, r, d, &registry.PersonChange{Move: move}, d.MoveErrors, moveFormField, "?pindah=1")
}

// changePerson applies a change and goes back to the page, or shows the
// page again with what the rules refused next to its field.
func (h *Handler) changePerson(w http.ResponseWriter, r *http.Request, d *personPage, ch *registry.PersonChange,
	errs, formField map[string]string, done string) {
	v := newPage(r, "person.title", d.Name)
	_, err := h.app.UpdatePerson(r.Context(), caller(r), d.ID, ch)
	switch {
	case err == nil:
		http.Redirect(w, r, personURL(d.Code, d.ID)+done, http.StatusSeeOther)
	case fieldProblems(v, err, errs, formField):
		render(w, r, http.StatusUnprocessableEntity, penduduk(v, d))
	default:
		h.http.Fail(w, r, err)
	}
}

func ptr(s string) *string { return &s }

// personURL is the web app's page of a person.
func personURL(code string, id int64) string {
	return "/kecamatan/" + code + "/penduduk/" + strconv.FormatInt(id, 10)
}

func dayOrDash(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return webDay(t.In(workdays.Zone))
}

// auditedRecord reads the full record (a person, a household) the path's
// {id} names and audits the read; it answers the request itself when
// either fails.
func auditedRecord[T any](h *Handler, w http.ResponseWriter, r *http.Request,
	read func(context.Context, *usecase.Caller, int64) (T, error)) (T, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	var rec T
	if err != nil {
		h.http.Fail(w, r, registry.ErrNotFound)
		return rec, false
	}
	rec, err = read(r.Context(), caller(r), id)
	if err == nil {
		err = h.http.Audit(r)
	}
	if err != nil {
		h.http.Fail(w, r, err)
		return rec, false
	}
	return rec, true
}
