package authz

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/wilayah"
)

// cityGrants makes n staff grants spread over every area code of Kota
// Bandung (1 kota, 30 kecamatan, 151 kelurahan) and 20 agencies, in the
// proportions of the roles: mostly Puskesos staff in kelurahan.
func cityGrants(n int, rng *rand.Rand) (grants []Grant, kelurahan []string) {
	ref := wilayah.Default()
	var kecamatan []string
	for _, k := range ref.Children("32.73") {
		kecamatan = append(kecamatan, k.Code)
		for _, kel := range ref.Children(k.Code) {
			kelurahan = append(kelurahan, kel.Code)
		}
	}
	for i := range n {
		id := int64(i + 1)
		var g Grant
		switch r := rng.IntN(100); {
		case r < 70:
			g = Grant{id, []Role{RolePetugas, RoleKoordinator}[rng.IntN(2)], kelurahan[rng.IntN(len(kelurahan))]}
		case r < 80:
			g = Grant{id, RoleSupervisor, kecamatan[rng.IntN(len(kecamatan))]}
		case r < 95:
			g = Grant{id, RoleAgency, fmt.Sprintf("agency:AG%02d", rng.IntN(20))}
		default:
			g = Grant{id, []Role{RoleDinsos, RoleAdmin, RoleAuditor}[rng.IntN(3)], "32.73"}
		}
		grants = append(grants, g)
	}
	return grants, kelurahan
}

// BenchmarkDecision measures one authorisation decision (a staff member
// reading a kelurahan) with 2,000 grants loaded, reporting the median and
// p99. The baseline, in the same run, is the same decision made with plain
// Go maps and no Casbin.
//
//	go test ./internal/authz -run '^$' -bench Decision
func BenchmarkDecision(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	grants, kelurahan := cityGrants(2000, rng)
	a, err := New(grants)
	if err != nil {
		b.Fatal(err)
	}
	plain := map[int64][]Grant{}
	for _, g := range grants {
		plain[g.AccountID] = append(plain[g.AccountID], g)
	}
	reads := map[Role]bool{RolePetugas: true, RoleKoordinator: true, RoleSupervisor: true, RoleDinsos: true}
	baseline := func(id int64, domain string) bool {
		for _, g := range plain[id] {
			if reads[g.Role] && Covers(g.Domain, domain) {
				return true
			}
		}
		return false
	}

	type question struct {
		id     int64
		domain string
	}
	// Half the questions are about a kelurahan the caller's grant covers
	// (staff at work), half about a random one (mostly denied).
	qs := make([]question, 4096)
	for i := range qs {
		g := grants[rng.IntN(len(grants))]
		domain := kelurahan[rng.IntN(len(kelurahan))]
		if i%2 == 0 {
			for _, k := range kelurahan {
				if Covers(g.Domain, k) {
					domain = k
					break
				}
			}
		}
		qs[i] = question{g.AccountID, domain}
	}
	casbinTimes := make([]time.Duration, 0, b.N)
	baseTimes := make([]time.Duration, 0, b.N)
	agree, allowed := 0, 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := qs[i%len(qs)]
		t0 := time.Now()
		got := a.Allowed(q.id, q.domain, "kelurahan", "read")
		t1 := time.Now()
		want := baseline(q.id, q.domain)
		t2 := time.Now()
		casbinTimes = append(casbinTimes, t1.Sub(t0))
		baseTimes = append(baseTimes, t2.Sub(t1))
		if got == want {
			agree++
		}
		if got {
			allowed++
		}
	}
	b.StopTimer()
	if agree != len(casbinTimes) {
		b.Fatalf("Casbin and the baseline disagree on %d of %d decisions", len(casbinTimes)-agree, len(casbinTimes))
	}
	p := func(ds []time.Duration, q float64) float64 {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return float64(ds[int(q*float64(len(ds)-1))].Nanoseconds()) / 1000
	}
	b.ReportMetric(float64(allowed)/float64(len(casbinTimes)), "allowed-fraction")
	b.ReportMetric(p(casbinTimes, 0.5), "µs-p50")
	b.ReportMetric(p(casbinTimes, 0.99), "µs-p99")
	b.ReportMetric(p(baseTimes, 0.5), "µs-p50-baseline")
	b.ReportMetric(p(casbinTimes, 0.5)/max(p(baseTimes, 0.5), 0.001), "x-baseline-p50")
}

// BenchmarkReplace measures rebuilding the snapshot from 2,000 grants: the
// work a grant change costs each API replica, done beside the decisions
// rather than in their way.
func BenchmarkReplace(b *testing.B) {
	grants, _ := cityGrants(2000, rand.New(rand.NewPCG(1, 2)))
	a, err := New(nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := a.Replace(grants); err != nil {
			b.Fatal(err)
		}
	}
}
