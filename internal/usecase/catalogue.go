package usecase

import (
	"context"
	"slices"

	"github.com/slrt-id/slrt/internal/store"
)

// Catalogue is what Dinas Sosial keeps for the city and every page of a
// case needs: complaint categories, services, document types, agencies.
type Catalogue struct {
	Categories    []store.Category
	Services      []store.Service
	DocumentTypes []store.DocumentType
	AgencyNames   map[string]string
}

// ActiveServices are the services a referral can be made to.
func (c *Catalogue) ActiveServices() []store.Service {
	return slices.DeleteFunc(slices.Clone(c.Services), func(svc store.Service) bool { return !svc.Active })
}

// Catalogue reads the whole catalogue.
func (a *App) Catalogue(ctx context.Context) (*Catalogue, error) {
	var c Catalogue
	var err error
	if c.Categories, err = a.store.Categories(ctx); err != nil {
		return nil, err
	}
	if c.Services, err = a.store.Services(ctx); err != nil {
		return nil, err
	}
	if c.DocumentTypes, err = a.store.DocumentTypes(ctx, nil); err != nil {
		return nil, err
	}
	if c.AgencyNames, err = a.store.AgencyNames(ctx); err != nil {
		return nil, err
	}
	return &c, nil
}

// Categories lists the complaint categories in display order.
func (a *App) Categories(ctx context.Context) ([]store.Category, error) {
	return a.store.Categories(ctx)
}

// AgencyNames names every agency by its code.
func (a *App) AgencyNames(ctx context.Context) (map[string]string, error) {
	return a.store.AgencyNames(ctx)
}

// AgencyName names an agency; an agency without a name (or a catalogue
// that cannot be read) shows its code.
func (a *App) AgencyName(ctx context.Context, code string) string {
	if name, err := a.store.AgencyName(ctx, code); err == nil {
		return name
	}
	return code
}

// Onboarded lists the codes of the kecamatan onboarded as tenants.
func (a *App) Onboarded(ctx context.Context) ([]string, error) {
	all, err := a.tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(all))
	for i, k := range all {
		codes[i] = k.Spec.Code
	}
	return codes, nil
}

// DocumentTypes lists every document type of the catalogue.
func (a *App) DocumentTypes(ctx context.Context) ([]store.DocumentType, error) {
	return a.store.DocumentTypes(ctx, nil)
}

// AuditLog reads the audit log, newest first: who did what, where, and
// whether it was allowed. The route's rule holds it to auditors.
func (a *App) AuditLog(ctx context.Context, f store.AuditFilter) ([]*store.AuditEntry, error) {
	return a.store.QueryAudit(ctx, f)
}
