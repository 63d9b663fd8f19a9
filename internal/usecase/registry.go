package usecase

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/registry"
)

// OtherKecamatanError refuses a NIK that other kecamatan hold, until staff
// acknowledge it (a resident who moved).
type OtherKecamatanError struct{ Kecamatan []string }

func (e *OtherKecamatanError) Error() string {
	return "this NIK is registered in kecamatan " + strings.Join(e.Kecamatan, ", ")
}

// OutsideScopeError is a kelurahan of the kecamatan the caller may not act
// in (403).
type OutsideScopeError struct{ Kelurahan string }

func (e *OutsideScopeError) Error() string { return "not allowed in kelurahan " + e.Kelurahan }

// Kelurahan lists the kelurahan of the caller's kecamatan that lie within
// domains (the kecamatan itself, or kelurahan the caller holds a grant in).
func (a *App) Kelurahan(ctx context.Context, c *Caller, domains []string) ([]registry.Kelurahan, error) {
	all, err := readOne(ctx, a, c, func(cn conn) ([]registry.Kelurahan, error) { return registry.ListKelurahan(ctx, cn) })
	visible := make([]registry.Kelurahan, 0, len(all))
	for _, k := range all {
		for _, d := range domains {
			if authz.Covers(d, k.Code) {
				visible = append(visible, k)
				break
			}
		}
	}
	return visible, err
}

// OneKelurahan returns a kelurahan of the caller's kecamatan.
func (a *App) OneKelurahan(ctx context.Context, c *Caller, code string) (*registry.Kelurahan, error) {
	return readOne(ctx, a, c, func(cn conn) (*registry.Kelurahan, error) { return registry.GetKelurahan(ctx, cn, code) })
}

// RegisterHousehold registers a household (KK), in a new house or in the
// house of another household (several KK in one house).
func (a *App) RegisterHousehold(ctx context.Context, c *Caller, in *registry.NewHousehold, once Once) (*Created, error) {
	if err := in.Validate(c.Now); err != nil {
		return nil, err
	}
	if in.House != nil {
		if err := a.mayWriteIn(c, in.House.Kelurahan, "/house/kelurahan"); err != nil {
			return nil, err
		}
	}
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		id, err := registry.CreateHousehold(ctx, tx, in, c.Scope)
		return &Created{ID: id}, err
	})
}

// mayWriteIn checks that a kelurahan named in an input is one the caller
// may write in: a kelurahan of another kecamatan is invalid, one of this
// kecamatan outside the caller's grants is not allowed.
func (a *App) mayWriteIn(c *Caller, kelurahan, field string) error {
	code := c.Kecamatan()
	if !strings.HasPrefix(kelurahan, code+".") {
		return registry.Invalid(field, "kelurahan.other_kecamatan", "a kelurahan of kecamatan "+code)
	}
	if !registry.Allowed(c.Scope, kelurahan) {
		return &OutsideScopeError{Kelurahan: kelurahan}
	}
	return nil
}

// RegisterPerson registers a person into a household. A NIK this
// kecamatan holds is a conflict naming the person; one that another
// kecamatan holds (found through the keyed-hash index) is an
// *OtherKecamatanError unless the input acknowledges it.
func (a *App) RegisterPerson(ctx context.Context, c *Caller, in *registry.NewPerson, once Once) (*Created, error) {
	if err := in.Validate(c.Now); err != nil {
		return nil, err
	}
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		return a.registerPerson(ctx, c, tx, in)
	})
}

// NewHouseholdWithHead is a household in a new house with its head: the
// resident a search did not find, registered from the intake desk.
type NewHouseholdWithHead struct {
	Household registry.NewHousehold
	Head      registry.NewPerson
}

// Validate checks both records as the API checks them one by one.
func (in *NewHouseholdWithHead) Validate(c *Caller) error {
	var p registry.Problems
	p.Merge(in.Household.Validate(c.Now))
	p.Merge(in.Head.Validate(c.Now))
	if in.Household.House == nil {
		p.Add("/house", "household.house", "a new house")
	}
	if in.Head.Relationship != "kepala_keluarga" {
		p.Add("/relationship", "household.head", "the first person is the head")
	}
	return p.Err()
}

// RegisterHouseholdWithHead registers the household and its head in one
// transaction; the answer's ID is the head's.
func (a *App) RegisterHouseholdWithHead(ctx context.Context, c *Caller, in *NewHouseholdWithHead, once Once) (*Created, error) {
	if err := in.Validate(c); err != nil {
		return nil, err
	}
	if err := a.mayWriteIn(c, in.Household.House.Kelurahan, "/house/kelurahan"); err != nil {
		return nil, err
	}
	return a.create(ctx, c, once, func(tx pgx.Tx) (*Created, error) {
		hh, err := registry.CreateHousehold(ctx, tx, &in.Household, c.Scope)
		if err != nil {
			return nil, err
		}
		head := in.Head
		head.HouseholdID = hh
		return a.registerPerson(ctx, c, tx, &head)
	})
}

// registerPerson creates a person in tx and records the NIK in the
// cross-kecamatan index, refusing a NIK other kecamatan hold unless the
// input acknowledges it.
func (a *App) registerPerson(ctx context.Context, c *Caller, tx pgx.Tx, in *registry.NewPerson) (*Created, error) {
	id, err := registry.CreatePerson(ctx, tx, in, c.Account, c.Scope)
	if err != nil {
		return nil, err
	}
	hash := a.nikHasher.Hash(in.NIK)
	others, err := a.store.KecamatanWithNIK(ctx, hash, c.Kecamatan())
	if err != nil {
		return nil, err
	}
	if len(others) > 0 && !in.AcknowledgeOtherKecamatan {
		return nil, &OtherKecamatanError{Kecamatan: others}
	}
	// Indexed before the tenant commits: an entry can outlive a failed
	// commit (a harmless "also elsewhere"), never the reverse.
	if err := a.store.IndexNIK(ctx, hash, c.Kecamatan()); err != nil {
		return nil, err
	}
	return &Created{ID: id, OtherKecamatan: others}, nil
}

// Household returns a household with its house and members' full NIK: a
// full record, whose read the caller audits.
func (a *App) Household(ctx context.Context, c *Caller, id int64) (*registry.Household, error) {
	return readOne(ctx, a, c, func(cn conn) (*registry.Household, error) { return registry.GetHousehold(ctx, cn, id, c.Scope) })
}

// HouseholdHistory lists the recorded changes of a household, its house,
// its memberships and its members, newest first, older than the change
// before when it is not 0, at most limit. It holds what the record holds
// (NIK, income, health): the caller audits the read.
func (a *App) HouseholdHistory(ctx context.Context, c *Caller, id, before int64, limit int) ([]registry.Change, error) {
	return readOne(ctx, a, c, func(cn conn) ([]registry.Change, error) {
		return registry.History(ctx, cn, id, before, limit, c.Scope)
	})
}

// UpdateHousehold changes a household's socio-economic data or its house,
// and returns it changed.
func (a *App) UpdateHousehold(ctx context.Context, c *Caller, id int64, ch *registry.HouseholdChange) (*registry.Household, error) {
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	return changeThenGet(ctx, a, c, func(tx pgx.Tx) error { return registry.UpdateHousehold(ctx, tx, id, ch, c.Scope) },
		func(cn conn) (*registry.Household, error) { return registry.GetHousehold(ctx, cn, id, c.Scope) })
}

// Person returns a person's full record (NIK unmasked, health and
// disability), whose read the caller audits.
func (a *App) Person(ctx context.Context, c *Caller, id int64) (*registry.Person, error) {
	return readOne(ctx, a, c, func(cn conn) (*registry.Person, error) { return registry.GetPerson(ctx, cn, id, c.Scope) })
}

// UpdatePerson changes a person's record, or moves the person into another
// household (the old membership is closed and kept as history).
func (a *App) UpdatePerson(ctx context.Context, c *Caller, id int64, ch *registry.PersonChange) (*registry.Person, error) {
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	return changeThenGet(ctx, a, c, func(tx pgx.Tx) error { return registry.UpdatePerson(ctx, tx, id, ch, c.Account, c.Scope) },
		func(cn conn) (*registry.Person, error) { return registry.GetPerson(ctx, cn, id, c.Scope) })
}

// SearchPersons finds persons by exact NIK or No KK, or by name tolerating
// spelling variants, within the caller's kelurahan; the results are masked.
func (a *App) SearchPersons(ctx context.Context, c *Caller, q *registry.Query) (found []registry.Found, next string, err error) {
	err = a.read(ctx, c, func(cn conn) error {
		found, next, err = registry.Search(ctx, cn, q, c.Scope)
		return err
	})
	if found == nil {
		found = []registry.Found{}
	}
	return found, next, err
}
