package authz

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestGrantOnACodeCoversEveryCodeUnderIt(t *testing.T) {
	a, err := New([]Grant{
		{AccountID: 1, Role: RolePetugas, Domain: "32.73.03.1002"},
		{AccountID: 2, Role: RoleSupervisor, Domain: "32.73.03"},
		{AccountID: 3, Role: RoleDinsos, Domain: "32.73"},
		{AccountID: 4, Role: RoleAdmin, Domain: "32.73"},
		{AccountID: 5, Role: RoleAgency, Domain: "agency:DINKES"},
		{AccountID: 6, Role: RoleDinsos, Domain: "11.01"}, // a kabupaten's Dinas Sosial
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		account  int64
		domain   string
		obj, act string
		want     bool
	}{
		{1, "32.73.03.1002", "kelurahan", "read", true},
		{1, "32.73.03.1001", "kelurahan", "read", false}, // another kelurahan of the kecamatan
		{1, "32.73.03", "kelurahan", "read", false},      // the kecamatan above it
		{2, "32.73.03.1001", "kelurahan", "read", true},
		{2, "32.73.04.1001", "kelurahan", "read", false}, // another kecamatan
		{3, "32.73.15.1008", "kelurahan", "read", true},
		{3, "32.74.01", "kelurahan", "read", false}, // another city
		{4, "32.73.03", "kelurahan", "read", false}, // admin sees no resident data
		{4, "32.73.03", "tenant", "write", true},
		{5, "agency:DINKES", "rujukan_inbox", "read", true},
		{5, "agency:DISDIK", "rujukan_inbox", "read", false},
		{5, "32.73.03", "kelurahan", "read", false},
		{9, "32.73", "kelurahan", "read", false},        // no grants at all
		{6, "11.01.01.2001", "kelurahan", "read", true}, // a desa of Kabupaten Aceh Selatan
		{6, "11.01.01", "usulan", "verify", true},
		{6, "11.02.01.2001", "kelurahan", "read", false}, // the next kabupaten
		{6, "32.73.03", "kelurahan", "read", false},
	}
	for _, c := range cases {
		if got := a.Allowed(c.account, c.domain, c.obj, c.act); got != c.want {
			t.Errorf("account %d %s %s in %s: got %t, want %t", c.account, c.act, c.obj, c.domain, got, c.want)
		}
	}
	if got := a.AllowedWithin(1, "32.73.03", "kelurahan", "read"); !reflect.DeepEqual(got, []string{"32.73.03.1002"}) {
		t.Errorf("petugas within the kecamatan: %v", got)
	}
	if got := a.AllowedWithin(2, "32.73.03", "kelurahan", "read"); !reflect.DeepEqual(got, []string{"32.73.03"}) {
		t.Errorf("supervisor within the kecamatan: %v", got)
	}
}

func TestReplaceSwapsGrantsWhole(t *testing.T) {
	a, err := New([]Grant{{AccountID: 1, Role: RoleAuditor, Domain: "32.73"}})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Allowed(1, "32.73", "audit", "read") {
		t.Fatal("auditor cannot read the audit log")
	}
	if err := a.Replace(nil); err != nil {
		t.Fatal(err)
	}
	if a.Allowed(1, "32.73", "audit", "read") {
		t.Fatal("a revoked grant still allows")
	}
}

func TestAncestors(t *testing.T) {
	if got := Ancestors("32.73.03.1002"); !reflect.DeepEqual(got, []string{"32.73.03.1002", "32.73.03", "32.73"}) {
		t.Errorf("got %v", got)
	}
	if got := Ancestors("agency:DINKES"); !reflect.DeepEqual(got, []string{"agency:DINKES"}) {
		t.Errorf("got %v", got)
	}
	for domain, level := range map[string]string{"32.73": LevelKota, "32.73.03": LevelKecamatan,
		"32.73.03.1002": LevelKelurahan, "agency:DINKES": LevelAgency, "agency:DINAS_SOSIAL-2": LevelAgency,
		"32.7": "", "agency:x": "", "agency:dinkes": "", "32.73.": "", "32.73.03.100": "", "32.73.03.10021": "",
		"32.73.0a": "", "32-73": "", ".32.73": "", "": "", "agency:" + strings.Repeat("A", 33): ""} {
		if got := DomainLevel(domain); got != level {
			t.Errorf("DomainLevel(%q) = %q, want %q", domain, got, level)
		}
	}
}

// The fast path gives the same answers as Casbin's full matcher.
func TestDecisionsAgreeWithTheCasbinMatcher(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	grants, kelurahan := cityGrants(500, rng)
	a, err := New(grants)
	if err != nil {
		t.Fatal(err)
	}
	objects := [][2]string{{"kelurahan", "read"}, {"tenant", "write"}, {"audit", "read"}, {"rujukan_inbox", "read"}}
	domains := append(kelurahan, "32.73", "32.73.03", "32.73.15", "agency:AG01", "agency:AG07")
	for i := range 20000 {
		id := int64(rng.IntN(len(grants)) + 1)
		d := domains[rng.IntN(len(domains))]
		o := objects[i%len(objects)]
		if fast, full := a.Allowed(id, d, o[0], o[1]), a.enforce(id, d, o[0], o[1]); fast != full {
			t.Fatalf("account %d %s %s in %s: fast %t, matcher %t", id, o[1], o[0], d, fast, full)
		}
	}
}
