package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/nik"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/workdays"
)

// householdHistoryPerPage is how many changes the household's page shows.
const householdHistoryPerPage = 20

// registryColumns names a registry column's label in the catalogue and the
// prefix of its coded values' words, in the order a change lists them.
var registryColumns = []struct{ column, label, words string }{
	{"name", "intake.name", ""}, {"nik", "intake.nik", ""}, {"no_kk", "register.no_kk", ""},
	{"birth_place", "register.birth_place", ""}, {"birth_date", "register.birth_date", ""}, {"sex", "register.sex", ""},
	{"relationship", "household.relationship", "relationship."}, {"presence", "household.presence", "presence."},
	{"reason", "person.move_reason", ""}, {"until", "person.until", ""},
	{"education", "person.education", "education."}, {"occupation", "person.occupation", ""},
	{"rt", "register.rt", ""}, {"rw", "register.rw", ""}, {"street", "register.street", ""},
	{"ownership", "house.kepemilikan", "kepemilikan."}, {"floor_material", "house.lantai", "lantai."},
	{"wall_material", "house.dinding", "dinding."}, {"roof_material", "house.atap", "atap."}, {"toilet", "house.jamban", "jamban."},
	{"water_source", "house.air", "air."}, {"lighting", "house.penerangan", "penerangan."},
	{"cooking_fuel", "house.bahan_bakar", "bahan_bakar."}, {"floor_area_m2", "house.luas_lantai", ""},
	{"desil", "", ""}, {"programmes", "household.programmes", ""}, {"assets", "household.assets", "asset."},
	{"monthly_income", "household.income", ""}, {"monthly_spending", "household.spending", ""},
}

// householdChanges reads the household's newest changes (older than
// ?sebelum=) for its page, worded, NIK and No KK masked. The page's read
// is audited already.
func (h *Handler) householdChanges(r *http.Request, v *webPage, id int64) (rows []changeRow, older string, err error) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("sebelum"), 10, 64)
	changes, err := h.app.HouseholdHistory(r.Context(), caller(r), id, before, householdHistoryPerPage+1)
	if err != nil {
		return nil, "", err
	}
	if len(changes) > householdHistoryPerPage {
		changes = changes[:householdHistoryPerPage]
		older = strconv.FormatInt(changes[len(changes)-1].ID, 10)
	}
	for _, c := range changes {
		row := changeRow{When: webDate(c.At), Who: c.Username, What: changeWords(v, c)}
		if row.Who == "" {
			row.Who = "—"
		}
		if c.Reason != nil {
			row.Reason = *c.Reason
		}
		if c.Kind == "changed" {
			row.Fields = registryFields(v, c)
		}
		rows = append(rows, row)
	}
	return rows, older, nil
}

// changeWords says what a change did, and how when not by hand.
func changeWords(v *webPage, c registry.Change) string {
	what := v.T("history." + c.Entity + "." + c.Kind)
	if c.PersonName != "" {
		what = v.T("history."+c.Entity+"."+c.Kind+"_named", c.PersonName)
	}
	if c.Entity == "membership" && c.Kind == "created" {
		var m struct{ Relationship string }
		_ = json.Unmarshal(c.After, &m) // the trigger wrote it
		what += " (" + v.T("relationship."+m.Relationship) + ")"
	}
	if c.Via != registry.ViaEdit {
		what += " · " + v.T("history.via."+c.Via)
	}
	return what
}

// registryFields lists the fields a change changed, before and after.
func registryFields(v *webPage, c registry.Change) []fieldChange {
	var before, after map[string]any
	_ = json.Unmarshal(c.Before, &before)
	_ = json.Unmarshal(c.After, &after)
	var out []fieldChange
	for _, col := range registryColumns {
		if _, changed := after[col.column]; !changed {
			continue
		}
		label := "Desil"
		if col.label != "" {
			label = v.T(col.label)
		}
		out = append(out, fieldChange{Name: label, Before: registryValue(v, col.column, col.words, before[col.column]),
			After: registryValue(v, col.column, col.words, after[col.column])})
	}
	return out
}

// registryValue words a registry value: NIK and No KK masked, codes in
// words, lists joined.
func registryValue(v *webPage, column, words string, x any) string {
	return valueWords(v, x, func(x string) string {
		switch {
		case column == "nik" || column == "no_kk":
			return nik.Mask(x)
		case words != "" && i18n.Has(words+x):
			return v.T(words + x)
		case column == "until":
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return webDay(t.In(workdays.Zone))
			}
		}
		return x
	})
}
