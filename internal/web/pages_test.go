package web

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/i18n"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/rujukan"
)

// Every word a page asks for is in the catalogue, in both languages: the
// fixed keys in the page components, and the keys made from coded values.
func TestPagesSpeakBothLanguages(t *testing.T) {
	keys := map[string]bool{}
	names, _ := filepath.Glob("*.templ")
	fixed := regexp.MustCompile(`\.T\("([a-z0-9_.-]+)"[,)]`)
	for _, name := range names {
		data, _ := os.ReadFile(name)
		for _, m := range fixed.FindAllStringSubmatch(string(data), -1) {
			keys[m[1]] = true
		}
	}
	for prefix, codes := range map[string][]string{"channel.": casework.Channels, "urgency.": casework.Urgencies,
		"status.": casework.ComplaintStatuses, "followup.": casework.FollowUpKinds, "outcome.": casework.Outcomes} {
		for _, c := range codes {
			keys[prefix+c] = true
		}
	}
	for _, o := range auditOutcomes {
		keys["audit.outcome."+o] = true
	}
	for _, name := range casework.ReportTables {
		keys["report."+name] = true
	}
	for _, s := range rujukan.Statuses {
		keys["referral."+string(s)] = true
		for _, to := range rujukan.Next(s, rujukan.Agency) {
			keys["inbox.to."+string(to)] = true
		}
	}
	for _, f := range []string{"nama", "nik", "no_kk", "tanggal_lahir", "jenis_kelamin", "alamat", "pendidikan", "disabilitas",
		"penyakit_kronis", "kehamilan", "desil", "program"} {
		keys["shared."+f] = true
	}
	for _, key := range []string{"login.wrong", "login.locked", "login.throttled", "field.required", "field.choose",
		"field.too_long", "field.nik_format", "field.one_of", "error.403", "error.404", "error.409", "error.422",
		"error.423", "error.429", "error.503", "error.other", "role.petugas", "role.koordinator", "role.supervisor", "role.dinsos"} {
		keys[key] = true
	}
	id, en := i18n.Printer(language.Indonesian), i18n.Printer(language.English)
	for key := range keys {
		if !i18n.Has(key) {
			t.Errorf("%s is not in the catalogue", key)
			continue
		}
		if id.Sprintf(key) == "" || en.Sprintf(key) == "" || id.Sprintf(key) == key || en.Sprintf(key) == key {
			t.Errorf("%s: %q / %q", key, id.Sprintf(key), en.Sprintf(key))
		}
	}
}

// A redirect after sign-in stays on this site.
func TestSafeNextStaysHere(t *testing.T) {
	for next, want := range map[string]string{
		"/kecamatan/32.73.03/keluhan?status=baru": "/kecamatan/32.73.03/keluhan?status=baru",
		"":                      "/",
		"//evil.example/x":      "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"javascript:alert(1)":   "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// Every problem the input types can report has words in both languages,
// so that a form shows it next to its field in the page's language.
func TestInputProblemsSpeakBothLanguages(t *testing.T) {
	long := strings.Repeat("x", casework.MaxText+1)
	empty := ""
	now := time.Now()
	inputs := []interface{ Validate() error }{
		&casework.NewComplaint{Channel: "x", Urgency: "x"},
		&casework.NewComplaint{PersonID: 1, Channel: "telepon", Urgency: "biasa", Description: long},
		&casework.NewFollowUp{Kind: "x"},
		&casework.NewFollowUp{Kind: "telepon", Note: long},
		&casework.Closing{Outcome: "x", Note: &long},
		&casework.AssessmentInput{Notes: &long},
	}
	var problems []registry.FieldError
	collect := func(err error) {
		var inv *registry.InvalidError
		if errors.As(err, &inv) {
			problems = append(problems, inv.Fields...)
		}
	}
	for _, in := range inputs {
		collect(in.Validate())
	}
	houses := []*registry.House{{Kelurahan: "x", RT: "1234", RW: "x"}, {Kelurahan: "32.73.03.1001", RT: "001", RW: "001", Street: long}}
	for _, h := range houses {
		collect((&registry.NewHousehold{NoKK: "1", House: h}).Validate(now))
	}
	collect((&registry.NewHousehold{NoKK: "1"}).Validate(now))
	collect((&casework.NewEscalation{Reason: "x"}).Validate())
	collect((&casework.NewEscalation{Reason: "darurat", Note: long}).Validate())
	collect((&registry.NewPerson{NIK: "1", PersonFacts: registry.PersonFacts{Name: empty, BirthPlace: long, Sex: "x",
		BirthDate: registry.ParseDate("kemarin")}}).Validate(now))
	collect((&registry.NewPerson{NIK: "1", PersonFacts: registry.PersonFacts{Name: long, BirthPlace: empty, Sex: "L",
		BirthDate: registry.Date{Time: now.AddDate(1, 0, 0)}}}).Validate(now))
	// The use cases' own checks against the catalogue and the caller's area.
	for _, code := range []string{"complaint.category", "service.unknown", "document.unknown", "kelurahan.other_kecamatan",
		"household.head", "referral.reason_required", "report.range",
		"transfer.reason_required", "transfer.reason_length", "transfer.nik_not_elsewhere", "transfer.several_kecamatan",
		"transfer.nik_not_there", "transfer.same_kecamatan", "transfer.unknown_kecamatan",
		"escalation.not_failed_twice", "escalation.decision_required", "escalation.decision_length"} {
		problems = append(problems, registry.FieldError{Field: "use case", Code: code})
	}
	id, en := i18n.Printer(language.Indonesian), i18n.Printer(language.English)
	seen := map[string]bool{}
	for _, p := range problems {
		key := "problem." + p.Code
		seen[key] = true
		if !i18n.Has(key) || id.Sprintf(key) == key || en.Sprintf(key) == key {
			t.Errorf("%s (%s): no words in the catalogue", key, p.Field)
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d problems were provoked: %v", len(seen), seen)
	}
}
