package usecase

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/transfer"
)

// ErrAlreadyHere refuses a transfer of a household whose member is
// registered in the receiving kecamatan already: the two records would
// have to be merged by hand first.
var ErrAlreadyHere = errors.New("a member of this household is registered in the receiving kecamatan already; correct that record first")

// maxTransferReason bounds a transfer's reasons.
const maxTransferReason = 1000

// TransferRequest asks for a household that lives in the caller's
// kecamatan now, found by a member's NIK in the kecamatan that holds it.
type TransferRequest struct {
	NIK string `json:"nik"`
	// FromKecamatan names the sending kecamatan when the NIK index knows
	// several.
	FromKecamatan string `json:"fromKecamatan,omitempty"`
	Kelurahan     string `json:"kelurahan"`
	transfer.Address
	Reason string `json:"reason"`
}

// TransferOffer offers a household of the caller's kecamatan to the one it
// moved to.
type TransferOffer struct {
	HouseholdID int64  `json:"householdId"`
	ToKecamatan string `json:"toKecamatan"`
	Reason      string `json:"reason"`
}

// TransferDecision accepts or rejects a transfer. Accepting an offer names
// where the household will live.
type TransferDecision struct {
	Accept    bool    `json:"accept"`
	Reason    string  `json:"reason,omitempty"`
	Kelurahan *string `json:"kelurahan,omitempty"`
	*transfer.Address
}

// checkDestination checks where a household will live in the caller's
// kecamatan: a kelurahan the caller may write in and an address.
func (a *App) checkDestination(c *Caller, kelurahan string, addr *transfer.Address, p *registry.Problems) error {
	if addr == nil {
		addr = &transfer.Address{}
	}
	h := registry.House{Kelurahan: kelurahan, RT: addr.RT, RW: addr.RW, Street: addr.Street}
	for _, f := range h.Check() {
		p.Add(strings.TrimPrefix(f.Field, "/house"), f.Code, f.Message)
	}
	if kelurahan == "" || len(*p) > 0 {
		return nil
	}
	return a.mayWriteIn(c, kelurahan, "/kelurahan")
}

// checkTransferReason checks a transfer's reason, required or not.
func checkTransferReason(p *registry.Problems, reason string, required bool) {
	if required || reason != "" {
		p.Text("/reason", "transfer.reason", reason, 1, maxTransferReason)
	}
}

// RequestTransfer asks the kecamatan holding a resident's NIK for the
// household the resident lives in: the resident lives in the caller's
// kecamatan now. The sending kecamatan's koordinator decides.
func (a *App) RequestTransfer(ctx context.Context, c *Caller, in *TransferRequest, key string) (*transfer.Transfer, bool, error) {
	var p registry.Problems
	if _, prob := nik.CheckNIK(in.NIK, "", time.Time{}, c.Now); prob != nil {
		p.Add("/nik", prob.Code, prob.Message)
	}
	checkTransferReason(&p, in.Reason, true)
	if err := a.checkDestination(c, in.Kelurahan, &in.Address, &p); err != nil {
		return nil, false, err
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	from := in.FromKecamatan
	others, err := a.store.KecamatanWithNIK(ctx, a.nikHasher.Hash(in.NIK), c.Kecamatan())
	if err != nil {
		return nil, false, err
	}
	switch {
	case len(others) == 0:
		return nil, false, registry.Invalid("/nik", "transfer.nik_not_elsewhere", "no other kecamatan holds this NIK")
	case from == "" && len(others) > 1:
		return nil, false, registry.Invalid("/fromKecamatan", "transfer.several_kecamatan",
			"several kecamatan hold this NIK ("+strings.Join(others, ", ")+"): name the one to ask")
	case from == "":
		from = others[0]
	case !slices.Contains(others, from):
		return nil, false, registry.Invalid("/fromKecamatan", "transfer.nik_not_there", "kecamatan "+from+" does not hold this NIK")
	}
	var household int64
	var outline *transfer.Outline
	err = a.onKecamatan(ctx, from, func(cn conn) (err error) {
		if household, err = transfer.HouseholdOfNIK(ctx, cn, in.NIK); err == nil {
			outline, err = transfer.Outlined(ctx, cn, household, nil)
		}
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if err := a.mayTake(ctx, outline, c.Kecamatan()); err != nil {
		return nil, false, err
	}
	to := in.Kelurahan
	t := &transfer.Transfer{ID: uuid.NewString(), From: from, HouseholdID: household, FromKelurahan: outline.Kelurahan,
		To: c.Kecamatan(), ToKelurahan: &to, Address: &in.Address, InitiatedBy: transfer.Receiver, Reason: in.Reason}
	return a.store.CreateTransfer(ctx, t, c.Account, key)
}

// mayTake checks that a household can go to kecamatan to: no proposal
// under way, no member registered there already.
func (a *App) mayTake(ctx context.Context, o *transfer.Outline, to string) error {
	if o.OpenUsulan > 0 {
		return transfer.ErrOpenUsulan
	}
	for _, n := range o.NIKs {
		there, err := a.store.KecamatanWithNIK(ctx, a.nikHasher.Hash(n), "")
		if err != nil {
			return err
		}
		if slices.Contains(there, to) {
			return ErrAlreadyHere
		}
	}
	return nil
}

// OfferTransfer offers a household of the caller's kecamatan to the
// kecamatan it moved to; that kecamatan's koordinator accepts it, naming
// where it lives, or rejects it.
func (a *App) OfferTransfer(ctx context.Context, c *Caller, in *TransferOffer, key string) (*transfer.Transfer, bool, error) {
	var p registry.Problems
	checkTransferReason(&p, in.Reason, true)
	if in.ToKecamatan == c.Kecamatan() {
		p.Add("/toKecamatan", "transfer.same_kecamatan", "another kecamatan than this one")
	} else if _, err := a.tenants.Lookup(ctx, in.ToKecamatan); errors.Is(err, tenant.ErrUnknown) {
		p.Add("/toKecamatan", "transfer.unknown_kecamatan", "a kecamatan served here, e.g. 32.73.04")
	}
	if err := p.Err(); err != nil {
		return nil, false, err
	}
	outline, err := readOne(ctx, a, c, func(cn conn) (*transfer.Outline, error) {
		return transfer.Outlined(ctx, cn, in.HouseholdID, c.Scope)
	})
	if err != nil {
		return nil, false, err
	}
	if err := a.mayTake(ctx, outline, in.ToKecamatan); err != nil {
		return nil, false, err
	}
	t := &transfer.Transfer{ID: uuid.NewString(), From: c.Kecamatan(), HouseholdID: in.HouseholdID, FromKelurahan: outline.Kelurahan,
		To: in.ToKecamatan, InitiatedBy: transfer.Sender, Reason: in.Reason}
	return a.store.CreateTransfer(ctx, t, c.Account, key)
}

// sideOf says which side of t the caller's kecamatan is, and whether the
// caller works where that side's staff act: the household's kelurahan for
// the sender, the destination for the receiver (any kelurahan while an
// offer names none). Neither: the transfer is not the caller's to see.
func sideOf(c *Caller, t *transfer.Transfer) (transfer.Side, bool) {
	switch c.Kecamatan() {
	case t.From:
		return transfer.Sender, registry.Allowed(c.Scope, t.FromKelurahan)
	case t.To:
		return transfer.Receiver, t.ToKelurahan == nil || registry.Allowed(c.Scope, *t.ToKelurahan)
	}
	return "", false
}

// kelurahanOf is the kelurahan where side's staff act on t: the
// household's for the sender, the destination (when named) for the
// receiver.
func kelurahanOf(t *transfer.Transfer, side transfer.Side) string {
	if side == transfer.Receiver && t.ToKelurahan != nil {
		return *t.ToKelurahan
	}
	return t.FromKelurahan
}

// Transfer reads one transfer of the caller's kecamatan.
func (a *App) Transfer(ctx context.Context, c *Caller, id string) (*transfer.Transfer, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, transfer.ErrNotFound
	}
	t, err := a.store.Transfer(ctx, id)
	if errors.Is(err, store.ErrTransferNotFound) {
		return nil, transfer.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if _, ok := sideOf(c, t); !ok {
		return nil, transfer.ErrNotFound
	}
	return t, nil
}

// maxTransfers bounds a list of transfers.
const maxTransfers = 200

// Transfers lists the transfers from and to the caller's kecamatan that
// the caller works on, newest first; open ones only when open is set.
func (a *App) Transfers(ctx context.Context, c *Caller, open bool) ([]transfer.Transfer, error) {
	all, err := a.store.Transfers(ctx, []string{c.Kecamatan()}, open, maxTransfers)
	if err != nil {
		return nil, err
	}
	out := []transfer.Transfer{}
	for _, t := range all {
		if _, ok := sideOf(c, &t); ok {
			out = append(out, t)
		}
	}
	return out, nil
}

// CityTransfers lists the transfers of every kecamatan the caller may
// watch (Dinas Sosial: its city), newest first.
func (a *App) CityTransfers(ctx context.Context, c *Caller, open bool) ([]transfer.Transfer, error) {
	var codes []string
	all, err := a.tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if code := all[i].Spec.Code; a.authz.Allowed(c.Account, code, "pindah_kota", "read") {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return []transfer.Transfer{}, nil
	}
	out, err := a.store.Transfers(ctx, codes, open, maxTransfers)
	if out == nil && err == nil {
		out = []transfer.Transfer{}
	}
	return out, err
}

// DecideTransfer accepts or rejects a transfer the other side asked for;
// the deciding side's koordinator decides. An accepted transfer is carried
// out by the background job queued with the decision.
func (a *App) DecideTransfer(ctx context.Context, c *Caller, id string, in *TransferDecision) (*transfer.Transfer, error) {
	t, err := a.Transfer(ctx, c, id)
	if err != nil {
		return nil, err
	}
	side, inScope := sideOf(c, t)
	if side != t.DecidingSide() {
		return nil, &casework.StateError{Message: "the other kecamatan decides this transfer"}
	}
	var p registry.Problems
	checkTransferReason(&p, in.Reason, !in.Accept)
	d := &store.Decision{ID: t.ID, From: transfer.Requested, To: transfer.Rejected, Account: c.Account}
	if in.Reason != "" {
		d.Reason = &in.Reason
	}
	if in.Accept {
		d.To = transfer.Accepted
		if side == transfer.Receiver {
			// Accepting an offer names where the household will live.
			kel := ""
			if in.Kelurahan != nil {
				kel = *in.Kelurahan
			}
			if err := a.checkDestination(c, kel, in.Address, &p); err != nil {
				return nil, err
			}
			d.ToKelurahan, d.Address = &kel, in.Address
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if !inScope {
		return nil, &OutsideScopeError{Kelurahan: kelurahanOf(t, side)}
	}
	var then func(pgx.Tx) error
	if in.Accept {
		then = func(tx pgx.Tx) error { return a.jobs.enqueue(ctx, tx, t.ID) }
	}
	if err := a.store.DecideTransfer(ctx, d, then); err != nil {
		return nil, err
	}
	return a.store.Transfer(ctx, t.ID)
}

// RevokeTransfer withdraws a transfer the caller's side asked for, before
// the other side decides.
func (a *App) RevokeTransfer(ctx context.Context, c *Caller, id, reason string) (*transfer.Transfer, error) {
	t, err := a.Transfer(ctx, c, id)
	if err != nil {
		return nil, err
	}
	side, inScope := sideOf(c, t)
	if side != t.InitiatedBy {
		return nil, &casework.StateError{Message: "only the kecamatan that asked may withdraw a transfer"}
	}
	var p registry.Problems
	checkTransferReason(&p, reason, true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	if !inScope {
		return nil, &OutsideScopeError{Kelurahan: kelurahanOf(t, side)}
	}
	if err := a.store.DecideTransfer(ctx, &store.Decision{ID: t.ID, From: transfer.Requested, To: transfer.Revoked,
		Account: c.Account, Reason: &reason}, nil); err != nil {
		return nil, err
	}
	return a.store.Transfer(ctx, t.ID)
}

// onKecamatan runs fn on a connection to kecamatan code's database, for
// work of the system's (a transfer's steps) rather than of a caller in it.
func (a *App) onKecamatan(ctx context.Context, code string, fn func(conn) error) error {
	t, err := a.tenants.Lookup(ctx, code)
	if err != nil {
		return errors.Join(ErrTenantUnreachable, err)
	}
	return a.onTenant(ctx, &Caller{Tenant: t}, fn)
}
