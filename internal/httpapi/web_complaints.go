package httpapi

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// maxDescription bounds a complaint's text, as the API does.
const maxDescription = 4000

// kecamatanPage is what the pages of one kecamatan share.
type kecamatanPage struct {
	Code, KecamatanName string
	KelurahanNames      map[string]string
	CategoryNames       map[string]string
}

func (s *Server) kecamatanPage(r *http.Request) (kecamatanPage, []store.Category, error) {
	code := chi.URLParam(r, "code")
	k := kecamatanPage{Code: code, KecamatanName: areaName(code), KelurahanNames: map[string]string{}, CategoryNames: map[string]string{}}
	for _, kel := range wilayah.Default().Children(code) {
		k.KelurahanNames[kel.Code] = kel.Name
	}
	cats, err := s.store.Categories(r.Context())
	for _, c := range cats {
		k.CategoryNames[c.Code] = c.Name
	}
	return k, cats, err
}

// webComplaintList lists a kecamatan's complaints (the caller's kelurahan
// only, for Puskesos staff), newest first, 50 a page.
func (s *Server) webComplaintList(w http.ResponseWriter, r *http.Request) {
	const limit = 50
	k, _, err := s.kecamatanPage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	f := casework.ComplaintFilter{Status: q.Get("status"), After: after, Limit: limit}
	if f.Status != "" && !slices.Contains(casework.ComplaintStatuses, f.Status) {
		f.Status = ""
	}
	// Only Puskesos staff record complaints: the button is theirs.
	canWrite := len(s.authz.AllowedWithin(principalFrom(r.Context()).Account.ID, k.Code, "keluhan", "write")) > 0
	s.readInTenant(w, r, func(conn tenantConn) error {
		items, err := casework.ListComplaints(r.Context(), conn, f, scopeOf(r.Context()))
		if err != nil {
			return err
		}
		next := ""
		if len(items) > limit {
			items = items[:limit]
			v := url.Values{"after": {strconv.FormatInt(items[limit-1].ID, 10)}}
			if f.Status != "" {
				v.Set("status", f.Status)
			}
			next = "?" + v.Encode()
		}
		v := newPage(r, "complaints.title", nil)
		rows := make([]complaintRow, len(items))
		for i, c := range items {
			rows[i] = complaintRow{ID: c.ID, Date: webDate(c.CreatedAt), Kelurahan: k.KelurahanNames[c.Kelurahan], Name: c.Person.Name,
				NIK: c.Person.NIK, Category: k.CategoryNames[c.Category], Channel: v.T("channel." + c.Channel),
				Urgency: c.Urgency, UrgencyLabel: v.T("urgency." + c.Urgency), Status: v.T("status." + c.Status)}
		}
		v.Data = struct {
			kecamatanPage
			Items    []complaintRow
			Statuses []string
			Status   string
			Next     string
			CanWrite bool
		}{k, rows, casework.ComplaintStatuses, f.Status, next, canWrite}
		render(w, r, http.StatusOK, "keluhan", v)
		return nil
	})
}

// complaintRow is a complaint of the list, its words already in the
// page's language: a template that calls functions for every cell renders
// a page of 50 several times slower (docs/benchmarks.md).
type complaintRow struct {
	ID                                            int64
	Date, Kelurahan, Name, NIK, Category, Channel string
	Urgency, UrgencyLabel, Status                 string
}

// intakePage is the new-complaint page: first finding the resident, then
// the complaint's fields.
type intakePage struct {
	kecamatanPage
	NIK, Name      string
	Searched       bool
	Found          []registry.Found
	Resident       *casework.PersonBrief
	Categories     []store.Category
	Channels       []string
	Urgencies      []string
	Form           casework.NewComplaint
	IdempotencyKey string
	MaxDescription int
	Errors         map[string]string
}

func (s *Server) newIntakePage(r *http.Request) (*webPage, *intakePage, error) {
	k, cats, err := s.kecamatanPage(r)
	if err != nil {
		return nil, nil, err
	}
	var active []store.Category
	for _, c := range cats {
		if c.Active {
			active = append(active, c)
		}
	}
	d := &intakePage{kecamatanPage: k, Categories: active, Channels: casework.Channels, Urgencies: casework.Urgencies,
		Form: casework.NewComplaint{Channel: "datang_langsung", Urgency: "biasa"}, IdempotencyKey: rand.Text(),
		MaxDescription: maxDescription, Errors: map[string]string{}}
	return newPage(r, "intake.title", d), d, nil
}

// webComplaintNew shows the intake page: the search for the resident, or,
// once one is chosen (?penduduk=), the complaint form.
func (s *Server) webComplaintNew(w http.ResponseWriter, r *http.Request) {
	v, d, err := s.newIntakePage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	personID, _ := strconv.ParseInt(r.URL.Query().Get("penduduk"), 10, 64)
	if personID <= 0 {
		render(w, r, http.StatusOK, "keluhan_baru", v)
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		if d.Resident, err = casework.Resident(r.Context(), conn, personID, scopeOf(r.Context())); err != nil {
			return err
		}
		render(w, r, http.StatusOK, "keluhan_baru", v)
		return nil
	})
}

// webResidentSearch finds the resident of a new complaint by NIK or name,
// in the caller's kelurahan. A POST, so that a NIK never sits in a URL or
// a browser's history.
func (s *Server) webResidentSearch(w http.ResponseWriter, r *http.Request) {
	v, d, err := s.newIntakePage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	d.NIK, d.Name = strings.TrimSpace(r.PostFormValue("nik")), strings.TrimSpace(r.PostFormValue("name"))
	q := &registry.Query{NIK: d.NIK, Limit: 20}
	switch {
	case d.NIK != "" && (len(d.NIK) != 16 || strings.Trim(d.NIK, "0123456789") != ""):
		d.Errors["nik"] = v.T("field.nik_format")
	case d.NIK == "" && d.Name == "":
		d.Errors["nik"] = v.T("field.one_of")
	case d.NIK == "":
		q.Name = d.Name
	}
	if len(d.Errors) > 0 {
		render(w, r, http.StatusUnprocessableEntity, "keluhan_baru", v)
		return
	}
	s.readInTenant(w, r, func(conn tenantConn) error {
		found, _, err := registry.Search(r.Context(), conn, q, scopeOf(r.Context()))
		if err != nil {
			return err
		}
		d.Searched, d.Found = true, found
		render(w, r, http.StatusOK, "keluhan_baru", v)
		return nil
	})
}

// webComplaintCreate records the complaint from the form and shows it. The
// form's idempotency key makes a double submit (or a retry after a lost
// answer) land on the same complaint.
func (s *Server) webComplaintCreate(w http.ResponseWriter, r *http.Request) {
	v, d, err := s.newIntakePage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	personID, _ := strconv.ParseInt(r.PostFormValue("person"), 10, 64)
	d.Form = casework.NewComplaint{PersonID: personID, Category: r.PostFormValue("category"), Channel: r.PostFormValue("channel"),
		Urgency: r.PostFormValue("urgency"), Description: strings.TrimSpace(r.PostFormValue("description"))}
	if key := r.PostFormValue("idempotency_key"); key != "" {
		d.IdempotencyKey = key
	}
	if !slices.ContainsFunc(d.Categories, func(c store.Category) bool { return c.Code == d.Form.Category }) {
		d.Errors["category"] = v.T("field.choose")
	}
	if !slices.Contains(casework.Channels, d.Form.Channel) {
		d.Errors["channel"] = v.T("field.choose")
	}
	if !slices.Contains(casework.Urgencies, d.Form.Urgency) {
		d.Errors["urgency"] = v.T("field.choose")
	}
	switch n := utf8.RuneCountInString(d.Form.Description); {
	case n == 0:
		d.Errors["description"] = v.T("field.required")
	case n > maxDescription:
		d.Errors["description"] = v.T("field.too_long", maxDescription)
	}
	actor, scope := s.actorOf(r.Context()), scopeOf(r.Context())
	if len(d.Errors) > 0 {
		s.readInTenant(w, r, func(conn tenantConn) error {
			if d.Resident, err = casework.Resident(r.Context(), conn, personID, scope); err != nil {
				return err
			}
			render(w, r, http.StatusUnprocessableEntity, "keluhan_baru", v)
			return nil
		})
		return
	}
	body := []byte(url.Values{"person": {strconv.FormatInt(personID, 10)}, "category": {d.Form.Category}, "channel": {d.Form.Channel},
		"urgency": {d.Form.Urgency}, "description": {d.Form.Description}}.Encode())
	s.createOnce(w, r, d.IdempotencyKey, body, func(tx pgx.Tx) (*created, error) {
		id, err := casework.CreateComplaint(r.Context(), tx, &d.Form, actor, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: id, Location: caseFileURL(d.Code, id) + "?tersimpan=1"}, nil
	}, redirectCreated, caseProblem)
}

// webComplaintShow shows a complaint's case file; reading it is audited,
// as through the API. Staff who may refer see the referral form: first the
// service (?layanan=), then that service's document checklist.
func (s *Server) webComplaintShow(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	k, _, err := s.kecamatanPage(r)
	if err != nil {
		serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := &caseFilePage{kecamatanPage: k, IdempotencyKey: rand.Text(), Saved: q.Get("tersimpan") == "1",
		Referred: q.Get("dirujuk") == "1", Sent: q.Get("terkirim") == "1", Noted: q.Get("dicatat") == "1", Closed: q.Get("ditutup") == "1",
		Assessed:      q.Get("dikaji") == "1",
		Cancelled:     q.Get("dibatalkan") == "1",
		FollowUpKinds: casework.FollowUpKinds, Outcomes: casework.Outcomes}
	if d.Services, err = s.activeServices(r.Context()); err != nil {
		serverError(w, r, err)
		return
	}
	if d.DocumentTypes, err = s.store.DocumentTypes(r.Context(), nil); err != nil {
		serverError(w, r, err)
		return
	}
	if d.AgencyNames, err = s.store.AgencyNames(r.Context()); err != nil {
		serverError(w, r, err)
		return
	}
	d.ServiceNames = map[string]string{}
	for _, svc := range d.Services {
		d.ServiceNames[svc.Code] = svc.Name
	}
	if code := q.Get("layanan"); code != "" {
		if d.Chosen, err = s.serviceSnapshot(r.Context(), code); err != nil && !errors.Is(err, errNoSuchService) {
			serverError(w, r, err)
			return
		}
	}
	account := principalFrom(r.Context()).Account.ID
	s.readInTenant(w, r, func(conn tenantConn) error {
		if d.Complaint, err = casework.GetComplaint(r.Context(), conn, id, scopeOf(r.Context()), today()); err != nil {
			return err
		}
		s.audit(r, k.Code, "success")
		open := d.Complaint.Status != "ditutup"
		d.CanRefer = open && s.authz.Allowed(account, d.Complaint.Kelurahan, "rujukan", "write")
		d.CanSend = s.authz.Allowed(account, d.Complaint.Kelurahan, "rujukan", "decide")
		d.CanFollowUp = open && s.authz.Allowed(account, d.Complaint.Kelurahan, "keluhan", "write")
		d.CanAssess = d.CanFollowUp
		d.CanClose = open && s.authz.Allowed(account, d.Complaint.Kelurahan, "keluhan", "close")
		render(w, r, http.StatusOK, "keluhan_detail", newPage(r, "complaint.title", d, d.Complaint.ID))
		return nil
	})
}

// caseFilePage is a complaint's case file with what the caller may do.
type caseFilePage struct {
	kecamatanPage
	Complaint                                           *casework.Complaint
	Saved, Referred, Sent, Noted, Closed, Assessed      bool
	Cancelled                                           bool
	CanRefer, CanSend, CanFollowUp, CanClose, CanAssess bool
	FollowUpKinds, Outcomes                             []string
	DocumentTypes                                       []store.DocumentType
	AgencyNames, ServiceNames                           map[string]string
	Services                                            []store.Service
	Chosen                                              *casework.Service
	IdempotencyKey                                      string
}

func (s *Server) activeServices(ctx context.Context) ([]store.Service, error) {
	all, err := s.store.Services(ctx)
	var active []store.Service
	for _, svc := range all {
		if svc.Active {
			active = append(active, svc)
		}
	}
	return active, err
}

// webReferralCreate drafts a referral of the complaint to the chosen
// service, with the documents the resident brought; the form's
// idempotency key makes a double submit one referral.
func (s *Server) webReferralCreate(w http.ResponseWriter, r *http.Request) {
	complaintID, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	in := casework.NewReferral{ComplaintID: complaintID, Service: r.PostFormValue("service"), DocumentsProvided: r.PostForm["documents"]}
	if in.DocumentsProvided == nil {
		in.DocumentsProvided = []string{}
	}
	snapshot, err := s.serviceSnapshot(r.Context(), in.Service)
	if errors.Is(err, errNoSuchService) {
		invalid(w, r, FieldError{Field: "service", Code: "service.unknown", Message: "not an active service of the catalogue"})
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	caseFile := caseFileURL(chi.URLParam(r, "code"), complaintID)
	body := []byte(url.Values{"complaint": {strconv.FormatInt(complaintID, 10)}, "service": {in.Service}, "documents": in.DocumentsProvided}.Encode())
	s.createOnce(w, r, r.PostFormValue("idempotency_key"), body,
		s.createReferral(r, &in, snapshot, func(int64) string { return caseFile + "?dirujuk=1" }), redirectCreated, caseProblem)
}

// webReferralSend sends a draft referral to its agency (the koordinator's
// decision), which starts the agency's clock, and returns to the case
// file.
func (s *Server) webReferralSend(w http.ResponseWriter, r *http.Request) {
	s.webReferralStep(w, r, casework.Change{Status: rujukan.Requested}, "?terkirim=1")
}

// webReferralCancel cancels a referral from the case file, with the
// reason: a draft by any Puskesos staff, a sent one by the koordinator
// (the state machine's rules, as through the API).
func (s *Server) webReferralCancel(w http.ResponseWriter, r *http.Request) {
	s.webReferralStep(w, r, formChange(r, rujukan.Cancelled), "?dibatalkan=1")
}

// webReferralStep moves the path's referral on the Puskesos side and
// shows its case file again, flagged with what was done.
func (s *Server) webReferralStep(w http.ResponseWriter, r *http.Request, ch casework.Change, flag string) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	s.puskesosTransition(w, r, id, &ch, func(conn tenantConn) error {
		ref, err := casework.GetReferral(r.Context(), conn, id, scopeOf(r.Context()), today())
		if err != nil {
			return err
		}
		http.Redirect(w, r, caseFileURL(chi.URLParam(r, "code"), ref.ComplaintID)+flag, http.StatusSeeOther)
		return nil
	})
}

// formChange is a referral step from a form, with its reason when given.
func formChange(r *http.Request, to rujukan.Status) casework.Change {
	ch := casework.Change{Status: to}
	if reason := strings.TrimSpace(r.PostFormValue("reason")); reason != "" {
		ch.Reason = &reason
	}
	return ch
}

// caseFileURL is the web app's page of a complaint.
func caseFileURL(code string, complaint int64) string {
	return "/kecamatan/" + code + "/keluhan/" + strconv.FormatInt(complaint, 10)
}

// redirectCreated answers a form's create by showing what it made.
func redirectCreated(w http.ResponseWriter, r *http.Request, _ int, out *created, _ bool) {
	http.Redirect(w, r, out.Location, http.StatusSeeOther)
}

// webFollowUp records a follow-up (tindak lanjut) on the case from its
// file; the form's idempotency key makes a double submit one follow-up.
func (s *Server) webFollowUp(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	in := casework.NewFollowUp{Kind: r.PostFormValue("kind"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	var fields []FieldError
	if !slices.Contains(casework.FollowUpKinds, in.Kind) {
		fields = append(fields, FieldError{Field: "kind", Code: "enum", Message: "one of " + strings.Join(casework.FollowUpKinds, ", ")})
	}
	if n := utf8.RuneCountInString(in.Note); n == 0 || n > maxDescription {
		fields = append(fields, FieldError{Field: "note", Code: "length", Message: "1 to 4000 characters"})
	}
	if fields != nil {
		invalid(w, r, fields...)
		return
	}
	actor, scope := s.actorOf(r.Context()), scopeOf(r.Context())
	caseFile := caseFileURL(chi.URLParam(r, "code"), id)
	body := []byte(url.Values{"complaint": {strconv.FormatInt(id, 10)}, "kind": {in.Kind}, "note": {in.Note}}.Encode())
	s.createOnce(w, r, r.PostFormValue("idempotency_key"), body, func(tx pgx.Tx) (*created, error) {
		fid, err := casework.AddFollowUp(r.Context(), tx, id, &in, actor, scope)
		if err != nil {
			return nil, err
		}
		return &created{ID: fid, Location: caseFile + "?dicatat=1"}, nil
	}, redirectCreated, caseProblem)
}

// webClose closes the case with its outcome (the koordinator); a case with
// referrals still open stays open, and the page says which.
func (s *Server) webClose(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	in := casework.Closing{Outcome: r.PostFormValue("outcome")}
	if note := strings.TrimSpace(r.PostFormValue("note")); note != "" {
		in.Note = &note
	}
	if !slices.Contains(casework.Outcomes, in.Outcome) {
		invalid(w, r, FieldError{Field: "outcome", Code: "enum", Message: "one of " + strings.Join(casework.Outcomes, ", ")})
		return
	}
	actor, scope := s.actorOf(r.Context()), scopeOf(r.Context())
	s.changeCase(w, r, id, "?ditutup=1", func(tx pgx.Tx) error { return casework.Close(r.Context(), tx, id, &in, actor, scope) })
}

// webAssess records (or revises) the assessment from the case file: the
// documents the resident holds, the service recommended, notes. The
// registry's facts (in DTKS, desil, programmes) are taken from the
// household. A new complaint becomes dikaji.
func (s *Server) webAssess(w http.ResponseWriter, r *http.Request) {
	id, ok := idParam(w, r, "id")
	if !ok {
		return
	}
	known, err := s.store.DocumentTypes(r.Context(), nil)
	if err != nil {
		serverError(w, r, err)
		return
	}
	in := casework.AssessmentInput{DocumentsHeld: []string{}}
	for _, doc := range r.PostForm["documents"] {
		if slices.ContainsFunc(known, func(d store.DocumentType) bool { return d.Code == doc }) && !slices.Contains(in.DocumentsHeld, doc) {
			in.DocumentsHeld = append(in.DocumentsHeld, doc)
		}
	}
	if svc := r.PostFormValue("service"); svc != "" {
		if _, err := s.serviceSnapshot(r.Context(), svc); err != nil {
			invalid(w, r, FieldError{Field: "service", Code: "service.unknown", Message: "not an active service of the catalogue"})
			return
		}
		in.RecommendedService = &svc
	}
	if notes := strings.TrimSpace(r.PostFormValue("notes")); notes != "" {
		if utf8.RuneCountInString(notes) > maxDescription {
			invalid(w, r, FieldError{Field: "notes", Code: "length", Message: "at most 4000 characters"})
			return
		}
		in.Notes = &notes
	}
	actor, scope := s.actorOf(r.Context()), scopeOf(r.Context())
	s.changeCase(w, r, id, "?dikaji=1", func(tx pgx.Tx) error { return casework.Assess(r.Context(), tx, id, &in, actor, scope) })
}

// changeCase runs a change of the case in a transaction and shows the
// case file again with a note of what was done (flag), or the error.
func (s *Server) changeCase(w http.ResponseWriter, r *http.Request, id int64, flag string, change func(pgx.Tx) error) {
	s.withTenantDB(w, r, func(conn tenantConn) error {
		err := pgx.BeginFunc(r.Context(), conn, change)
		switch {
		case err == nil:
			http.Redirect(w, r, caseFileURL(chi.URLParam(r, "code"), id)+flag, http.StatusSeeOther)
			return nil
		case caseProblem(w, r, err):
			return nil
		}
		return err
	})
}
