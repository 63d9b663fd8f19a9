package usecase

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/proposal"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/usulan"
)

// DraftProposal drafts a proposal (usulan) to the national registry: a new
// household with its members, a correction, a deactivation or a programme
// proposal, in a kelurahan the caller works in. It waits as a draft until
// the Puskesos submits it to the musyawarah kelurahan.
func (a *App) DraftProposal(ctx context.Context, c *Caller, in *proposal.New, once Once) (*Created, error) {
	if err := in.Validate(c.Now); err != nil {
		return nil, err
	}
	if in.Kind == usulan.NewHousehold && in.Household != nil {
		if err := a.mayWriteIn(c, in.Household.House.Kelurahan, "/household/house/kelurahan"); err != nil {
			return nil, err
		}
	}
	actor := a.actor(c)
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		id, err := proposal.Create(ctx, tx, in, actor, c.Scope)
		return &Created{ID: id}, err
	})
}

// Proposals lists the proposals of the kelurahan the caller may read,
// newest first.
func (a *App) Proposals(ctx context.Context, c *Caller, f proposal.Filter) ([]proposal.Summary, error) {
	return readOne(ctx, a, c, func(cn conn) ([]proposal.Summary, error) { return proposal.List(ctx, cn, f, c.Scope) })
}

// Proposal returns a whole proposal with its steps (what it proposes may
// hold NIK: the caller audits the read).
func (a *App) Proposal(ctx context.Context, c *Caller, id int64) (*proposal.Proposal, error) {
	return readOne(ctx, a, c, func(cn conn) (*proposal.Proposal, error) { return proposal.Get(ctx, cn, id, c.Scope) })
}

// MoveProposal moves a proposal on the Puskesos side: submit a draft (or a
// returned one) to the musyawarah kelurahan in the period open today, or
// withdraw it (a submitted one only by the koordinator). It returns the
// proposal moved.
func (a *App) MoveProposal(ctx context.Context, c *Caller, id int64, ch *proposal.Change) (*proposal.Proposal, error) {
	m := &proposal.Move{ID: id, Change: ch, Side: usulan.Puskesos, Scope: c.Scope, Actor: a.actor(c),
		Decides: func(kelurahan string) bool { return a.authz.Allowed(c.Account, kelurahan, "usulan", "decide") }}
	if ch.Status == usulan.Submitted {
		// Only a submission joins a period.
		open, next, err := a.store.PeriodsAround(ctx, c.Today())
		if err != nil {
			return nil, err
		}
		if open != nil {
			m.Period = open.Code
		}
		if next != nil {
			m.NextOpens = next.Opens
		}
	}
	return changeThenGet(ctx, a, c,
		func(tx pgx.Tx) error { return proposal.Transition(ctx, tx, m) },
		func(cn conn) (*proposal.Proposal, error) { return proposal.Get(ctx, cn, id, c.Scope) })
}

// RecordMusyawarah records a musyawarah kelurahan held (the koordinator's
// job): when, where, who chaired and attended, and its decision on each
// submitted proposal it discussed, which moves them (disepakati or
// ditolak muskel) in the same transaction.
func (a *App) RecordMusyawarah(ctx context.Context, c *Caller, m *proposal.Meeting, once Once) (*Created, error) {
	if err := m.Validate(c.Now); err != nil {
		return nil, err
	}
	if err := a.mayWriteIn(c, m.Kelurahan, "/kelurahan"); err != nil {
		return nil, err
	}
	actor := a.actor(c)
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		id, err := proposal.Record(ctx, tx, m, actor, c.Scope)
		return &Created{ID: id}, err
	})
}

// Musyawarah returns a recorded muskel with the proposals it decided.
func (a *App) Musyawarah(ctx context.Context, c *Caller, id int64) (*proposal.Musyawarah, error) {
	return readOne(ctx, a, c, func(cn conn) (*proposal.Musyawarah, error) { return proposal.GetMusyawarah(ctx, cn, id, c.Scope) })
}

// MusyawarahList lists the recorded muskel of the kelurahan the caller may
// read (of one when kelurahan is not empty), latest first.
func (a *App) MusyawarahList(ctx context.Context, c *Caller, kelurahan string) ([]proposal.Musyawarah, error) {
	return readOne(ctx, a, c, func(cn conn) ([]proposal.Musyawarah, error) {
		return proposal.ListMusyawarah(ctx, cn, kelurahan, c.Scope)
	})
}

// LateMusyawarah lists the kelurahan whose proposals still wait for their
// muskel after the period's deadline: for the supervisor kecamatan.
func (a *App) LateMusyawarah(ctx context.Context, c *Caller) ([]proposal.Late, error) {
	deadlines, err := a.store.MuskelDeadlines(ctx, c.Today())
	if err != nil {
		return nil, err
	}
	return readOne(ctx, a, c, func(cn conn) ([]proposal.Late, error) {
		if len(deadlines) == 0 {
			return []proposal.Late{}, nil
		}
		return proposal.LateMusyawarah(ctx, cn, deadlines, c.Scope)
	})
}

// BeritaAcara is the minutes of a recorded muskel, for the kelurahan to
// print and sign; city names the city on its letterhead.
func (a *App) BeritaAcara(ctx context.Context, c *Caller, id int64, city string) (*letter.BeritaAcara, error) {
	var m *proposal.Musyawarah
	var kel *registry.Kelurahan
	err := a.read(ctx, c, func(cn conn) (err error) {
		if m, err = proposal.GetMusyawarah(ctx, cn, id, c.Scope); err != nil {
			return err
		}
		kel, err = registry.GetKelurahan(ctx, cn, m.Kelurahan)
		return err
	})
	if err != nil {
		return nil, err
	}
	b := &letter.BeritaAcara{City: city, Kecamatan: c.Tenant.DisplayName, Kelurahan: kel.Name, Period: m.Period, HeldOn: m.HeldOn.Time,
		Place: m.Place, Chair: m.Chair, RecordedBy: m.RecordedBy}
	if m.Notes != nil {
		b.Notes = *m.Notes
	}
	for _, at := range m.Attendees {
		b.Attendees = append(b.Attendees, letter.Attendee{Name: at.Name, Role: proposal.RoleNames[at.Role]})
	}
	for _, d := range m.Decided {
		row := letter.Decided{Number: d.ID, Subject: d.Subject, Kind: proposal.KindNames[d.Kind], Agreed: d.Agreed}
		if d.Reason != nil {
			row.Reason = *d.Reason
		}
		b.Proposals = append(b.Proposals, row)
	}
	return b, nil
}
