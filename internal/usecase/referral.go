package usecase

import (
	"cmp"
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/transfer"
	"github.com/slrt-id/slrt/internal/workdays"
)

// ErrNoSuchService is a service code that is not an active service of the
// catalogue.
var ErrNoSuchService = errors.New("not an active service of the catalogue")

// Service is the catalogue's service as a referral keeps it: a later
// change of the catalogue does not change a referral made.
func (a *App) Service(ctx context.Context, code string) (*casework.Service, error) {
	svc, err := a.store.Service(ctx, code)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !svc.Active) {
		return nil, ErrNoSuchService
	}
	if err != nil {
		return nil, err
	}
	docs, err := a.store.DocumentTypes(ctx, svc.RequiredDocuments)
	if err != nil {
		return nil, err
	}
	snapshot := &casework.Service{Code: svc.Code, Name: svc.Name, Agency: svc.Agency, SharedFields: svc.SharedFields,
		ResponseDays: svc.ResponseDays, CompletionDays: svc.CompletionDays}
	for _, d := range docs {
		snapshot.RequiredDocuments = append(snapshot.RequiredDocuments, casework.Document{Code: d.Code, Name: d.Name})
	}
	return snapshot, nil
}

// DraftReferral makes a draft referral of a complaint to a service of the
// catalogue, with its documents checklist and a tracking code. The
// koordinator sends it (MoveReferral to requested), which starts the
// agency's clock.
func (a *App) DraftReferral(ctx context.Context, c *Caller, in *casework.NewReferral, once Once) (*Created, error) {
	snapshot, err := a.Service(ctx, in.Service)
	if errors.Is(err, ErrNoSuchService) {
		return nil, registry.Invalid("/service", "service.unknown", "not an active service of the catalogue; see GET /api/v1/layanan")
	}
	if err != nil {
		return nil, err
	}
	actor := a.actor(c)
	out, err := a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		id, tracking, err := casework.CreateReferral(ctx, tx, in, snapshot, c.Kecamatan(), actor, c.Scope)
		return &Created{ID: id, TrackingCode: tracking}, err
	})
	if err == nil && !out.Replayed {
		a.metrics.referralMoved(ctx, c.Kecamatan(), snapshot.Agency, string(rujukan.Draft))
	}
	return out, err
}

// Referrals lists the kecamatan's referrals newest first.
func (a *App) Referrals(ctx context.Context, c *Caller, f casework.ReferralFilter) ([]casework.ReferralSummary, error) {
	return readOne(ctx, a, c, func(cn conn) ([]casework.ReferralSummary, error) {
		return casework.ListReferrals(ctx, cn, f, c.Scope, c.Today())
	})
}

// Referral returns a referral with its documents and history.
func (a *App) Referral(ctx context.Context, c *Caller, id int64) (*casework.Referral, error) {
	return readOne(ctx, a, c, func(cn conn) (*casework.Referral, error) {
		return casework.GetReferral(ctx, cn, id, c.Scope, c.Today())
	})
}

// MoveReferral moves a referral of the caller's kelurahan on the Puskesos
// side: send a draft (the koordinator's decision), or cancel (a draft by
// any Puskesos staff; a sent one by the koordinator, with a reason). A
// step the caller's role may not take is casework.ErrNotAllowed. It
// returns the referral moved.
func (a *App) MoveReferral(ctx context.Context, c *Caller, id int64, ch *casework.Change) (*casework.Referral, error) {
	decides := func(_ rujukan.Step, kelurahan string) bool {
		return a.authz.Allowed(c.Account, kelurahan, "rujukan", "decide")
	}
	var ref *casework.Referral
	err := a.move(ctx, c, id, ch, rujukan.Puskesos, casework.Where{Scope: c.Scope}, decides, func(cn conn) (err error) {
		ref, err = casework.GetReferral(ctx, cn, id, c.Scope, c.Today())
		return err
	})
	return ref, err
}

// MoveReferralAsAgency moves a referral addressed to agency on the
// agency's side (accept or reject with a reason, start, complete with the
// result, or failed with a reason); an agency takes no decision steps. It
// returns the referral as the agency sees it.
func (a *App) MoveReferralAsAgency(ctx context.Context, c *Caller, agency string, id int64, ch *casework.Change) (*casework.AgencyReferral, error) {
	var ref *casework.AgencyReferral
	err := a.move(ctx, c, id, ch, rujukan.Agency, casework.Where{Agency: agency}, func(rujukan.Step, string) bool { return false },
		func(cn conn) (err error) {
			ref, err = casework.GetForAgency(ctx, cn, c.Kecamatan(), agency, id, c.Today())
			return err
		})
	return ref, err
}

// move applies a referral transition in a transaction, with the city's
// holidays for the deadlines, then reads the referral back.
func (a *App) move(ctx context.Context, c *Caller, id int64, ch *casework.Change, side rujukan.Side, where casework.Where,
	allow func(rujukan.Step, string) bool, read func(conn) error) error {
	holidays, err := a.store.HolidaysFrom(ctx, c.Today())
	if err != nil {
		return err
	}
	cal := workdays.New(holidays)
	actor := a.actor(c)
	return a.onTenant(ctx, c, func(cn conn) error {
		var agency string
		err := a.inTx(ctx, c, cn, func(tx pgx.Tx) (err error) {
			agency, err = casework.Transition(ctx, tx, &casework.Move{ID: id, Change: ch, Side: side, Where: where, Actor: actor,
				Calendar: cal, Now: c.Now, Decides: allow})
			return err
		})
		if err != nil {
			return err
		}
		a.metrics.referralMoved(ctx, c.Kecamatan(), agency, string(ch.Status))
		return settle(read(cn))
	})
}

// Letter is the referral letter (surat rujukan) of a sent referral, for the
// resident to take to the agency; trackingBase is where the QR code points
// (the tracking code is added). It holds the resident's NIK and address:
// the caller audits it.
func (a *App) Letter(ctx context.Context, c *Caller, id int64, city, trackingBase string) (*letter.Letter, error) {
	f, err := readOne(ctx, a, c, func(cn conn) (*casework.LetterFacts, error) { return casework.GetLetterFacts(ctx, cn, id, c.Scope) })
	if err != nil {
		return nil, err
	}
	l := f.Letter
	l.City, l.Kecamatan = city, c.Tenant.DisplayName
	l.TrackingURL = trackingBase + l.TrackingCode
	if l.Agency, err = a.store.AgencyName(ctx, f.AgencyCode); errors.Is(err, store.ErrNotFound) {
		l.Agency = f.AgencyCode
	} else if err != nil {
		return nil, err
	}
	l.Signer = f.SignerUsername
	if acct, err := a.store.AccountByUsername(ctx, f.SignerUsername); err == nil {
		l.Signer = acct.DisplayName
	}
	return &l, nil
}

// Track looks a tracking code up in the kecamatan it names, for the
// public: status and dates only. A code that names nothing (or a draft,
// or a kecamatan not serving) is casework.ErrNotFound.
func (a *App) Track(ctx context.Context, code string) (*casework.Tracking, error) {
	kecamatan, ok := casework.TrackingKecamatan(code)
	if !ok {
		return nil, casework.ErrNotFound
	}
	return a.track(ctx, kecamatan, code, false)
}

// track looks code up in kecamatan, then (not forwarded yet) where its
// household moved.
func (a *App) track(ctx context.Context, kecamatan, code string, forwarded bool) (*casework.Tracking, error) {
	t, err := a.tenants.Lookup(ctx, kecamatan)
	if err != nil {
		return nil, casework.ErrNotFound // unknown, suspended or provisioning: nothing to show the public
	}
	cn, err := a.tenants.Acquire(ctx, t)
	if err != nil {
		return nil, errors.Join(ErrTenantUnreachable, err)
	}
	defer cn.Release()
	found, err := casework.Track(ctx, cn, code)
	if !errors.Is(err, casework.ErrNotFound) || forwarded {
		return found, err
	}
	// The referral may have gone with its household to another kecamatan.
	to, ok, err := transfer.Forwarded(ctx, cn, code)
	if err != nil || !ok {
		return nil, cmp.Or(err, casework.ErrNotFound)
	}
	return a.track(ctx, to, code, true)
}

// OverdueReport counts open referrals and those past their targets.
type OverdueReport struct {
	Items []casework.OverdueCount `json:"items"`
	// Unavailable names the kecamatan a city report could not read.
	Unavailable []Unavailable `json:"unavailable"`
}

// Overdue counts the kecamatan's open and overdue referrals by kelurahan
// and agency.
func (a *App) Overdue(ctx context.Context, c *Caller) (*OverdueReport, error) {
	out := &OverdueReport{Unavailable: []Unavailable{}}
	err := a.read(ctx, c, func(cn conn) (err error) {
		out.Items, err = casework.CountOverdue(ctx, cn, c.Scope, c.Today())
		return err
	})
	return out, err
}

// CityOverdue counts open and overdue referrals in every kecamatan the
// caller may see (Dinas Sosial: the city), naming those that did not
// answer.
func (a *App) CityOverdue(ctx context.Context, c *Caller) (*OverdueReport, error) {
	var mu sync.Mutex
	report := &OverdueReport{Items: []casework.OverdueCount{}}
	unavailable, err := a.fanOut(ctx,
		func(code string) bool { return a.authz.Allowed(c.Account, code, "rujukan_kota", "read") },
		func(ctx context.Context, code string, cn conn) error {
			counts, err := casework.CountOverdue(ctx, cn, nil, c.Today())
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, o := range counts {
				o.Kecamatan = code
				report.Items = append(report.Items, o)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	casework.SortOverdue(report.Items)
	report.Unavailable = orNone(unavailable)
	return report, nil
}
