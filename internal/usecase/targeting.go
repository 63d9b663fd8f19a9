package usecase

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
	"github.com/slrt-id/slrt/internal/targeting"
)

// Targeting is who is eligible for a programme but missed, and who
// receives it above the cut-off, with the rules it was counted by.
type Targeting struct {
	Rules  []store.ProgrammeRule `json:"rules"`
	Tables []*casework.Table     `json:"tables"`
	// Unavailable names the kecamatan a city view could not read: the
	// city's totals leave them out.
	Unavailable []Unavailable `json:"unavailable"`
}

// CityTableName names the city's totals against each programme's quota.
const CityTableName = "sasaran_kota"

// cityColumns are the city totals' columns: the programme, its cut-off
// and quota (empty when none is set), then the counts.
var cityColumns = append([]string{"program", "batas_desil", "kuota"}, targeting.Columns[3:]...)

// rules reads the programme rules, also as targeting takes them.
func (a *App) rules(ctx context.Context) ([]store.ProgrammeRule, []targeting.Rule, error) {
	stored, err := a.store.ProgrammeRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]targeting.Rule, len(stored))
	for i, r := range stored {
		out[i] = targeting.Rule{Programme: r.Code, MaxDesil: r.MaxDesil}
	}
	return stored, out, nil
}

// KecamatanTargeting counts the caller's kecamatan (the caller's kelurahan
// only, for Puskesos staff) by kelurahan and programme. Inside the
// kecamatan nothing is suppressed.
func (a *App) KecamatanTargeting(ctx context.Context, c *Caller) (*Targeting, error) {
	stored, rules, err := a.rules(ctx)
	if err != nil {
		return nil, err
	}
	t, err := readOne(ctx, a, c, func(cn conn) (*casework.Table, error) { return targeting.Count(ctx, cn, rules, c.Scope) })
	if err != nil {
		return nil, err
	}
	return &Targeting{Rules: stored, Tables: []*casework.Table{t}, Unavailable: []Unavailable{}}, nil
}

// CityTargeting counts every kecamatan the caller may report on (Dinas
// Sosial: the city) by kecamatan, kelurahan and programme, and the city's
// totals against each programme's quota. The view leaves the kecamatan, so
// cells counting 1 to 4 are suppressed (the totals are summed before).
func (a *App) CityTargeting(ctx context.Context, c *Caller) (*Targeting, error) {
	stored, rules, err := a.rules(ctx)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var byKelurahan *casework.Table
	totals := map[string][]int64{}
	unavailable, err := a.fanOut(ctx,
		func(code string) bool { return a.authz.Allowed(c.Account, code, "laporan_kota", "read") },
		func(ctx context.Context, code string, cn conn) error {
			t, err := targeting.Count(ctx, cn, rules, nil)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for _, row := range t.Rows {
				sum := totals[row[1].(string)]
				if sum == nil {
					sum = make([]int64, len(row)-3)
				}
				for i, v := range row[3:] {
					sum[i] += v.(int64)
				}
				totals[row[1].(string)] = sum
			}
			t.Suppress()
			t.Prepend("kecamatan", code)
			if byKelurahan == nil {
				byKelurahan = t
			} else {
				byKelurahan.Append(t)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for _, r := range stored {
		quota := ""
		if r.Quota != nil {
			quota = strconv.Itoa(int(*r.Quota))
		}
		row := []any{r.Code, int64(r.MaxDesil), quota}
		sum := totals[r.Code]
		if sum == nil {
			sum = make([]int64, len(cityColumns)-3)
		}
		for _, n := range sum {
			row = append(row, n)
		}
		rows = append(rows, row)
	}
	city := casework.NewTable(CityTableName, cityColumns, len(cityColumns)-3, rows)
	city.Suppress()
	out := &Targeting{Rules: stored, Tables: []*casework.Table{city}, Unavailable: orNone(unavailable)}
	if byKelurahan != nil {
		byKelurahan.SortRows()
		out.Tables = append(out.Tables, byKelurahan)
	}
	return out, nil
}

// TargetQuery selects a list of households to act on.
type TargetQuery struct {
	Programme string
	Kind      targeting.Kind
	Kelurahan string
	After     int64
	Limit     int
}

// TargetHouseholds lists the households of the caller's kecamatan (its
// kelurahan, for Puskesos staff) in a programme's exclusion or inclusion:
// whom to visit, and propose.
func (a *App) TargetHouseholds(ctx context.Context, c *Caller, q TargetQuery) ([]targeting.Household, error) {
	_, rules, err := a.rules(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(rules, func(r targeting.Rule) bool { return r.Programme == q.Programme })
	var p registry.Problems
	if i < 0 {
		p.Add("program", "targeting.programme", "a programme with a rule")
	}
	p.OneOf("jenis", "targeting.kind", string(q.Kind), []string{string(targeting.Exclusion), string(targeting.Inclusion)})
	if err := p.Err(); err != nil {
		return nil, err
	}
	f := targeting.Filter{Rule: rules[i], Kind: q.Kind, Kelurahan: q.Kelurahan, After: q.After, Limit: q.Limit}
	return readOne(ctx, a, c, func(cn conn) ([]targeting.Household, error) { return targeting.Households(ctx, cn, f, c.Scope) })
}

// HouseholdGaps says which programmes a household is eligible for by its
// desil but does not receive, and which it receives above the cut-off.
func (a *App) HouseholdGaps(ctx context.Context, h *registry.Household) ([]targeting.Gap, error) {
	_, rules, err := a.rules(ctx)
	if err != nil {
		return nil, err
	}
	return targeting.Gaps(h.Desil, h.Programmes, rules), nil
}

// ProgrammeRules lists the programmes' cut-offs and quotas.
func (a *App) ProgrammeRules(ctx context.Context) ([]store.ProgrammeRule, error) {
	return a.store.ProgrammeRules(ctx)
}

// ProgrammeRuleEdit is a programme rule as Dinas Sosial sets it.
type ProgrammeRuleEdit struct {
	Code     string `json:"-"`
	MaxDesil int16  `json:"maxDesil"`
	Quota    *int32 `json:"quota,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Validate checks the rule field by field.
func (in *ProgrammeRuleEdit) Validate() error {
	var p registry.Problems
	p.OneOf("/code", "household.programme", in.Code, registry.Programmes)
	if in.MaxDesil < 1 || in.MaxDesil > 10 {
		p.Add("/maxDesil", "programme.max_desil", "a desil from 1 to 10")
	}
	if in.Quota != nil && *in.Quota < 0 {
		p.Add("/quota", "programme.quota", "a number of households, 0 or more")
	}
	checkReason(&p, in.Reason)
	return p.Err()
}

// PutProgrammeRule sets a programme's cut-off and quota (Dinas Sosial), as
// a decree changes them, keeping the change with who and why.
func (a *App) PutProgrammeRule(ctx context.Context, c *Caller, in *ProgrammeRuleEdit) (bool, error) {
	if err := a.keepsCatalogue(c); err != nil {
		return false, err
	}
	if err := in.Validate(); err != nil {
		return false, err
	}
	return a.store.PutProgrammeRule(ctx, &store.ProgrammeRule{Code: in.Code, MaxDesil: in.MaxDesil, Quota: in.Quota},
		store.Change{Account: c.Account, Reason: in.Reason})
}
