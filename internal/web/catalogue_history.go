package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/store"
)

// changeRow is one recorded change of a catalogue entry as a page shows
// it: when, who, why, and each field that changed.
type changeRow struct {
	When, Who, Reason, What string
	Fields                  []fieldChange
}

// fieldChange is a field of an entry before and after a change; Value
// alone when the entry was created or deleted.
type fieldChange struct {
	Name, Before, After, Value string
}

// fieldOrder is the order a change lists an entry's fields in, as its form
// has them; a field not named here comes after, by name.
var fieldOrder = []string{"name", "agency_code", "response_days", "completion_days", "required_documents", "shared_fields", "position", "active"}

func byFieldOrder(a, b string) int {
	i, j := slices.Index(fieldOrder, a), slices.Index(fieldOrder, b)
	if i < 0 {
		i = len(fieldOrder)
	}
	if j < 0 {
		j = len(fieldOrder)
	}
	if i != j {
		return i - j
	}
	return strings.Compare(a, b)
}

// historyPerPage is how many changes an entry's page shows.
const historyPerPage = 50

// changeRows words recorded changes for a page: a field is named in the
// page's language (the column's name when there are no words for it), and
// only the fields that changed are listed. The entry's own key (its code
// or date) is left out: it never changes.
func changeRows(v *webPage, changes []store.CatalogueChange) []changeRow {
	rows := make([]changeRow, 0, len(changes))
	for _, c := range changes {
		row := changeRow{When: webDate(c.At), Who: c.Username, Reason: c.Reason, What: v.T("catalogue.change.updated")}
		switch {
		case c.Before == nil:
			row.What = v.T("catalogue.change.created")
		case c.After == nil:
			row.What = v.T("catalogue.change.deleted")
		}
		if row.Who == "" {
			row.Who = "—"
		}
		var before, after map[string]any
		_ = json.Unmarshal(c.Before, &before) // the database wrote it: an object or null
		_ = json.Unmarshal(c.After, &after)
		keys := slices.SortedFunc(maps.Keys(after), byFieldOrder)
		if after == nil {
			keys = slices.SortedFunc(maps.Keys(before), byFieldOrder)
		}
		for _, k := range keys {
			if k == "code" || k == "day" {
				continue
			}
			b, a := fieldValue(v, before, k), fieldValue(v, after, k)
			if b == a {
				continue
			}
			name := k
			if key := "catalogue.field." + k; i18n.Has(key) {
				name = v.T(key)
			}
			switch {
			case c.Before == nil:
				row.Fields = append(row.Fields, fieldChange{Name: name, Value: a})
			case c.After == nil:
				row.Fields = append(row.Fields, fieldChange{Name: name, Value: b})
			default:
				row.Fields = append(row.Fields, fieldChange{Name: name, Before: b, After: a})
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// fieldValue writes a field of an entry's JSON for a page; a dash when the
// entry or the field is absent.
func fieldValue(v *webPage, entry map[string]any, key string) string {
	return valueWords(v, entry[key], strings.TrimSpace)
}

// valueWords writes a value of a record's JSON for a page: yes or no, a
// list joined, a dash for none, a text through text.
func valueWords(v *webPage, x any, text func(string) string) string {
	switch x := x.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return v.T("catalogue.yes")
		}
		return v.T("catalogue.no")
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = valueWords(v, p, text)
		}
		return joinOrDash(parts)
	case string:
		return text(x)
	default:
		return fmt.Sprint(x)
	}
}
