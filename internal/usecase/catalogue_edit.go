package usecase

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
)

// SharableFields are what a service may let its agency see of a resident,
// in the order a form lists them (docs/registry.md).
var SharableFields = []string{"nama", "nik", "no_kk", "tanggal_lahir", "jenis_kelamin", "alamat", "pendidikan",
	"disabilitas", "penyakit_kronis", "kehamilan", "desil", "program"}

var catalogueCodeRe = regexp.MustCompile(`^[A-Z0-9_]{2,40}$`)

// maxReason is how long the reason given for a catalogue change may be.
const maxReason = 500

// ServiceEdit is a service of the catalogue to create or replace, with
// why.
type ServiceEdit struct {
	store.Service
	Reason string
}

// Validate checks a service as Dinas Sosial writes it; the agency and the
// document types are checked against the catalogue when it is saved.
func (in *ServiceEdit) Validate() error {
	var p registry.Problems
	in.Name, in.Reason = strings.TrimSpace(in.Name), strings.TrimSpace(in.Reason)
	checkCatalogueCode(&p, in.Code)
	p.Text("/name", "service.name", in.Name, 1, 200)
	if in.Agency == "" {
		p.Add("/agency", "service.agency_required", "required")
	}
	if in.ResponseDays < 0 || in.ResponseDays > 60 {
		p.Add("/responseDays", "service.response_days", "0 to 60 working days")
	}
	switch {
	case in.CompletionDays < 1 || in.CompletionDays > 365:
		p.Add("/completionDays", "service.completion_days", "1 to 365 working days")
	case in.CompletionDays < in.ResponseDays:
		p.Add("/completionDays", "service.targets", "cannot be shorter than responseDays")
	}
	for _, f := range in.SharedFields {
		if !slices.Contains(SharableFields, f) {
			p.Add("/sharedFields", "service.shared_field", "each one of "+strings.Join(SharableFields, ", "))
			break
		}
	}
	in.RequiredDocuments, in.SharedFields = orEmpty(in.RequiredDocuments), orEmpty(in.SharedFields)
	checkReason(&p, in.Reason)
	return p.Err()
}

// CategoryEdit is a complaint category to create or replace, with why.
type CategoryEdit struct {
	store.Category
	Reason string
}

// Validate checks a complaint category.
func (in *CategoryEdit) Validate() error {
	var p registry.Problems
	in.Name, in.Reason = strings.TrimSpace(in.Name), strings.TrimSpace(in.Reason)
	checkCatalogueCode(&p, in.Code)
	p.Text("/name", "category.name", in.Name, 1, 200)
	if in.Position < 0 || in.Position > 100000 {
		p.Add("/position", "category.position", "0 to 100000")
	}
	checkReason(&p, in.Reason)
	return p.Err()
}

// HolidayEdit is a holiday to add or rename, with why.
type HolidayEdit struct {
	Date   string // YYYY-MM-DD
	Name   string
	Reason string
	day    time.Time
}

// Validate checks a holiday.
func (in *HolidayEdit) Validate() error {
	var p registry.Problems
	in.Name, in.Reason = strings.TrimSpace(in.Name), strings.TrimSpace(in.Reason)
	var err error
	if in.day, err = time.Parse(time.DateOnly, in.Date); err != nil {
		p.Add("/date", "holiday.date", "a date written YYYY-MM-DD")
	}
	p.Text("/name", "holiday.name", in.Name, 1, 200)
	checkReason(&p, in.Reason)
	return p.Err()
}

func checkCatalogueCode(p *registry.Problems, code string) {
	if !catalogueCodeRe.MatchString(code) {
		p.Add("/code", "catalogue.code", "2 to 40 of A-Z, 0-9 and underscore")
	}
}

func checkReason(p *registry.Problems, reason string) {
	p.Text("/reason", "catalogue.reason", reason, 0, maxReason)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// keepsCatalogue refuses a caller who may not change the catalogue.
func (a *App) keepsCatalogue(c *Caller) error {
	if !a.authz.AllowedAnywhere(c.Account, "katalog", "write") {
		return casework.ErrNotAllowed
	}
	return nil
}

// PutService creates or replaces a service of the catalogue, recording who
// changed it, why, and what it was before. Referrals already made keep the
// targets and documents they were made with.
func (a *App) PutService(ctx context.Context, c *Caller, in *ServiceEdit) (*store.Service, bool, error) {
	if err := a.keepsCatalogue(c); err != nil {
		return nil, false, err
	}
	if err := in.Validate(); err != nil {
		return nil, false, err
	}
	created, err := a.store.PutService(ctx, &in.Service, store.Change{Account: c.Account, Reason: in.Reason})
	var ref *store.InvalidReferenceError
	if errors.As(err, &ref) {
		return nil, false, registry.Invalid(ref.Field, "service.reference", ref.Message)
	}
	if err != nil {
		return nil, false, err
	}
	saved, err := a.store.Service(ctx, in.Code)
	return saved, created, err
}

// CatalogueService reads one service of the catalogue, active or not.
func (a *App) CatalogueService(ctx context.Context, code string) (*store.Service, error) {
	svc, err := a.store.Service(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, registry.ErrNotFound
	}
	return svc, err
}

// Category reads one complaint category.
func (a *App) Category(ctx context.Context, code string) (*store.Category, error) {
	cats, err := a.store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for i := range cats {
		if cats[i].Code == code {
			return &cats[i], nil
		}
	}
	return nil, registry.ErrNotFound
}

// PutCategory creates or replaces a complaint category, recording the
// change. A category is retired by making it inactive: complaints keep
// their code.
func (a *App) PutCategory(ctx context.Context, c *Caller, in *CategoryEdit) (bool, error) {
	if err := a.keepsCatalogue(c); err != nil {
		return false, err
	}
	if err := in.Validate(); err != nil {
		return false, err
	}
	return a.store.PutCategory(ctx, &in.Category, store.Change{Account: c.Account, Reason: in.Reason})
}

// PutHoliday adds or renames a holiday, recording the change. Deadlines
// already computed stay as they were; new ones skip the day.
func (a *App) PutHoliday(ctx context.Context, c *Caller, in *HolidayEdit) (bool, error) {
	if err := a.keepsCatalogue(c); err != nil {
		return false, err
	}
	if err := in.Validate(); err != nil {
		return false, err
	}
	return a.store.PutHoliday(ctx, in.day, in.Name, store.Change{Account: c.Account, Reason: in.Reason})
}

// DeleteHoliday removes a holiday, recording the change.
func (a *App) DeleteHoliday(ctx context.Context, c *Caller, date, reason string) error {
	if err := a.keepsCatalogue(c); err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return registry.ErrNotFound
	}
	var p registry.Problems
	checkReason(&p, strings.TrimSpace(reason))
	if err := p.Err(); err != nil {
		return err
	}
	err = a.store.DeleteHoliday(ctx, day, store.Change{Account: c.Account, Reason: strings.TrimSpace(reason)})
	if errors.Is(err, store.ErrNotFound) {
		return registry.ErrNotFound
	}
	return err
}

// Holidays lists the holidays of a year (all when year is 0).
func (a *App) Holidays(ctx context.Context, year int) ([]store.Holiday, error) {
	return a.store.Holidays(ctx, year)
}

// CatalogueKinds are the kinds of catalogue entry whose changes are kept.
var CatalogueKinds = []string{store.KindService, store.KindCategory, store.KindHoliday, store.KindPeriod, store.KindProgramme}

// CatalogueChanges lists the recorded changes of a kind of entry (of one
// entry when code is not empty), newest first, older than the change
// before when it is not 0, at most limit: for Dinas Sosial and auditors.
func (a *App) CatalogueChanges(ctx context.Context, c *Caller, kind, code string, before int64, limit int) ([]store.CatalogueChange, error) {
	if !a.authz.AllowedAnywhere(c.Account, "katalog", "read") {
		return nil, casework.ErrNotAllowed
	}
	if !slices.Contains(CatalogueKinds, kind) {
		return nil, registry.Invalid("kind", "catalogue.kind", "one of "+strings.Join(CatalogueKinds, ", "))
	}
	if limit < 1 || limit > 500 {
		return nil, registry.Invalid("limit", "catalogue.limit", "1 to "+strconv.Itoa(500))
	}
	return a.store.CatalogueChanges(ctx, kind, code, before, limit)
}
