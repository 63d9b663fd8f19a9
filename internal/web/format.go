package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
	"github.com/slrt-id/slrt/internal/workdays"
)

// webDate writes a time as Indonesians do, in WIB.
func webDate(t time.Time) string { return t.In(workdays.Zone).Format("02-01-2006 15:04") }

// sharedValue writes a value of a resident's shared fields for a page.
func sharedValue(v any) string {
	switch x := v.(type) {
	case registry.Date:
		return x.Format("02-01-2006")
	case *string:
		if x != nil {
			return *x
		}
	case *int16:
		if x != nil {
			return strconv.Itoa(int(*x))
		}
	case []string:
		if len(x) > 0 {
			return strings.Join(x, ", ")
		}
	case map[string]string:
		return fmt.Sprintf("%s, RT %s/RW %s, %s", x["street"], x["rt"], x["rw"], areaName(x["kelurahan"]))
	case bool:
		if x {
			return "✓"
		}
	case string:
		return x
	default:
		return fmt.Sprint(v)
	}
	return "—"
}

// webDay writes a date without the time.
func webDay(t time.Time) string { return t.Format("02-01-2006") }

// joinOrDash writes a list, or a dash for none.
func joinOrDash(list []string) string {
	if len(list) == 0 {
		return "—"
	}
	return strings.Join(list, ", ")
}

// hasDraft reports whether a case has a referral not sent yet.
func hasDraft(refs []casework.ReferralSummary) bool {
	return slices.ContainsFunc(refs, func(r casework.ReferralSummary) bool { return r.Status == string(rujukan.Draft) })
}
