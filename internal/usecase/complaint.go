package usecase

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
)

// RecordComplaint records a complaint (keluhan) about a registered person
// in the caller's kelurahan.
func (a *App) RecordComplaint(ctx context.Context, c *Caller, in *casework.NewComplaint, once Once) (*Created, error) {
	active, err := a.store.ActiveCategory(ctx, in.Category)
	if err != nil {
		return nil, err
	}
	// Every field at fault at once, the category's check among them.
	var p registry.Problems
	p.Merge(in.Validate())
	if !active {
		p.Add("/category", "complaint.category", "not a complaint category in use; see GET /api/v1/kategori-keluhan")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	actor := a.actor(c)
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		id, err := casework.CreateComplaint(ctx, tx, in, actor, c.Scope)
		return &Created{ID: id}, err
	})
}

// Complaints lists complaints newest first, the person's NIK masked and no
// free text shown.
func (a *App) Complaints(ctx context.Context, c *Caller, f casework.ComplaintFilter) ([]casework.ComplaintSummary, error) {
	return readOne(ctx, a, c, func(cn conn) ([]casework.ComplaintSummary, error) {
		return casework.ListComplaints(ctx, cn, f, c.Scope)
	})
}

// Complaint returns a complaint's case file, whose read the caller audits
// (its description and notes can hold health or family matters).
func (a *App) Complaint(ctx context.Context, c *Caller, id int64) (*casework.Complaint, error) {
	return readOne(ctx, a, c, func(cn conn) (*casework.Complaint, error) {
		return casework.GetComplaint(ctx, cn, id, c.Scope, c.Today())
	})
}

// Resident returns whom a new complaint is about, NIK masked.
func (a *App) Resident(ctx context.Context, c *Caller, personID int64) (*casework.PersonBrief, error) {
	return readOne(ctx, a, c, func(cn conn) (*casework.PersonBrief, error) { return casework.Resident(ctx, cn, personID, c.Scope) })
}

// Assess records (or revises) the assessment of an open complaint: the
// documents the resident holds, the service recommended, notes; the
// registry's facts are taken from the household. A new complaint becomes
// dikaji. It returns the complaint changed.
func (a *App) Assess(ctx context.Context, c *Caller, id int64, in *casework.AssessmentInput) (*casework.Complaint, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.RecommendedService != nil {
		if _, err := a.store.Service(ctx, *in.RecommendedService); errors.Is(err, store.ErrNotFound) {
			return nil, registry.Invalid("/recommendedService", "service.unknown", "not a service of the catalogue")
		} else if err != nil {
			return nil, err
		}
	}
	if len(in.DocumentsHeld) > 0 {
		known, err := a.store.DocumentTypes(ctx, in.DocumentsHeld)
		if err != nil {
			return nil, err
		}
		if len(known) != len(in.DocumentsHeld) {
			return nil, registry.Invalid("/documentsHeld", "document.unknown", "holds a code that is not a document type; see GET /api/v1/layanan")
		}
	}
	if err := a.checkPPKS(ctx, in.PPKS); err != nil {
		return nil, err
	}
	actor := a.actor(c)
	return a.changeComplaint(ctx, c, id, func(tx pgx.Tx) error { return casework.Assess(ctx, tx, id, in, actor, c.Scope) })
}

// FollowUp records a follow-up (tindak lanjut) on a case that is not
// closed.
func (a *App) FollowUp(ctx context.Context, c *Caller, complaintID int64, in *casework.NewFollowUp, once Once) (*Created, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	actor := a.actor(c)
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		id, err := casework.AddFollowUp(ctx, tx, complaintID, in, actor, c.Scope)
		return &Created{ID: id}, err
	})
}

// CloseCase closes a case with its outcome (the koordinator's permission
// is the route's). A case with referrals still open stays open: the
// *casework.StateError names them.
func (a *App) CloseCase(ctx context.Context, c *Caller, id int64, in *casework.Closing) (*casework.Complaint, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	actor := a.actor(c)
	return a.changeComplaint(ctx, c, id, func(tx pgx.Tx) error { return casework.Close(ctx, tx, id, in, actor, c.Scope) })
}

// changeComplaint runs a change of a complaint and reads it back.
func (a *App) changeComplaint(ctx context.Context, c *Caller, id int64, change func(pgx.Tx) error) (*casework.Complaint, error) {
	return changeThenGet(ctx, a, c, change, func(cn conn) (*casework.Complaint, error) {
		return casework.GetComplaint(ctx, cn, id, c.Scope, c.Today())
	})
}

// checkPPKS refuses PPKS codes that are not active categories, or given
// twice.
func (a *App) checkPPKS(ctx context.Context, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	cats, err := a.store.PPKSCategories(ctx)
	if err != nil {
		return err
	}
	for i, code := range codes {
		ok := slices.ContainsFunc(cats, func(p store.PPKS) bool { return p.Code == code && p.Active })
		if !ok || slices.Index(codes, code) != i {
			return registry.Invalid("/ppks", "assessment.ppks", "PPKS categories of GET /api/v1/ppks, each once")
		}
	}
	return nil
}

// PPKSCategories lists the PPKS categories.
func (a *App) PPKSCategories(ctx context.Context) ([]store.PPKS, error) {
	return a.store.PPKSCategories(ctx)
}
