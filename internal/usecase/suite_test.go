package usecase_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/apiserver"
	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/httpapi"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/tenant"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/internal/testplatform"
	"github.com/slrt-id/slrt/internal/usecase"
)

// The use cases run against the real parts the API uses: a PostgreSQL
// server, a Kubernetes control plane with the operator provisioning two
// kecamatan, and the tenant registry reaching their databases.
var (
	env    *testenv.Env
	server *apiserver.App
	app    *usecase.App
	// staff are the test city's accounts by name.
	staff = map[string]int64{}
)

func TestMain(m *testing.M) {
	os.Exit(testenv.Run(m, testenv.Options{Postgres: true, Kube: true}, &env, setup))
}

func setup(ctx context.Context, e *testenv.Env) error {
	platform, err := testplatform.Start(ctx, e)
	if err != nil {
		return err
	}
	for _, k := range [][2]string{{"32.73.03", "Babakan Ciparay"}, {"32.73.04", "Bojongloa Kaler"}} {
		if _, err := platform.Onboard(ctx, k[0], k[1]); err != nil {
			return err
		}
	}
	cfg := httpapi.DefaultConfig()
	cfg.ReferralMetricsEvery = 0
	options, err := platform.APIOptions(ctx, e, tenant.Options{Budget: 20, PerTenant: 4, IdleAfter: time.Minute, RefreshEvery: time.Minute}, cfg)
	if err != nil {
		return err
	}
	if server, err = apiserver.Start(ctx, options); err != nil {
		return err
	}
	e.Cleanup(server.Close)
	app = server.UseCases
	for _, s := range []struct{ name, role, domain string }{
		{"petugas", "petugas", "32.73.03.1001"},
		{"petugas-1002", "petugas", "32.73.03.1002"},
		{"koordinator", "koordinator", "32.73.03.1001"},
		{"petugas-bk", "petugas", "32.73.04.1001"},
		{"dinkes", "agency", "agency:DINKES"},
	} {
		acct, err := server.Store.CreateAccount(ctx, s.name, "Staf "+s.name, "")
		if err != nil {
			return err
		}
		if _, err := server.Store.CreateGrant(ctx, acct.ID, authz.Role(s.role), s.domain, 0); err != nil {
			return err
		}
		staff[s.name] = acct.ID
	}
	// The grant watcher reloads on the notification; wait until it has.
	deadline := time.Now().Add(10 * time.Second)
	for !server.Authorizer.Allowed(staff["dinkes"], "agency:DINKES", "rujukan_inbox", "read") {
		if time.Now().After(deadline) {
			return fmt.Errorf("grants not loaded")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// as is a caller: the account, acting in a kecamatan for a permission,
// limited to the kelurahan its grants give it there.
func as(t *testing.T, name, kecamatan, obj, act string) *usecase.Caller {
	t.Helper()
	c := &usecase.Caller{Account: staff[name], Username: name, Now: time.Now()}
	if kecamatan == "" {
		return c
	}
	tn, err := server.Tenants.Lookup(context.Background(), kecamatan)
	if err != nil {
		t.Fatal(err)
	}
	c.Tenant = tn
	if domains := server.Authorizer.AllowedWithin(c.Account, kecamatan, obj, act); len(domains) > 0 && domains[0] != kecamatan {
		c.Scope = domains
	}
	return c
}

var serial atomic.Int64

// newNIK makes a structurally valid NIK of a person of Babakan Ciparay.
func newNIK(sex string, birth time.Time) string {
	day := birth.Day()
	if sex == "P" {
		day += 40
	}
	return fmt.Sprintf("327303%02d%02d%02d%04d", day, int(birth.Month()), birth.Year()%100, 5000+serial.Add(1))
}

func newKK() string { return fmt.Sprintf("327303150410%04d", 5000+serial.Add(1)) }

// newHead is a household in a new house of kelurahan with its head.
func newHead(kelurahan, name string) *usecase.NewHouseholdWithHead {
	birth := time.Date(1980, 3, 4, 0, 0, 0, 0, time.UTC)
	return &usecase.NewHouseholdWithHead{
		Household: registry.NewHousehold{NoKK: newKK(), House: &registry.House{Kelurahan: kelurahan, RT: "003", RW: "011", Street: "Jl. Holis 12"}},
		Head: registry.NewPerson{NIK: newNIK("P", birth), Relationship: "kepala_keluarga", PersonFacts: registry.PersonFacts{
			Name: name, BirthPlace: "Bandung", BirthDate: registry.Date{Time: birth}, Sex: "P",
			Disabilities: []string{}, ChronicIllnesses: []string{}, Presence: "tinggal"}},
	}
}
