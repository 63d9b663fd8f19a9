package apibench

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/slrt-id/slrt/internal/casework"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/synth"
)

// BenchmarkWebPageAgainstAPI loads the same list two ways in one run: the
// web app's page of a kecamatan's complaints (50 rows rendered as HTML, with
// the category names and the caller's permissions looked up) and the API's
// JSON page of the same 50 complaints, both through the full chain as the
// same supervisor. It reports both throughputs and their ratio: what the
// server-rendered page costs over the data it shows.
//
//	go test ./test/apibench -run '^$' -bench WebPage -benchtime 1x
func BenchmarkWebPageAgainstAPI(b *testing.B) {
	ctx := context.Background()
	seedComplaints(b, ctx, 60)
	header := http.Header{"Authorization": {"Bearer " + supervisorToken}}
	targets := map[string]vegeta.Target{
		"api": {Method: "GET", URL: api.URL + "/api/v1/kecamatan/32.73.03/keluhan?limit=50", Header: header},
		"web": {Method: "GET", URL: api.URL + "/kecamatan/32.73.03/keluhan", Header: header},
	}
	best := bestOfAlternating(b, targets, "api", "web")
	web, base := best["web"], best["api"]
	reportAgainst(b, base, web, "api", "web")
	b.ReportMetric(float64(web.BytesIn.Mean), "bytes-web")
	b.ReportMetric(float64(base.BytesIn.Mean), "bytes-api")
}

// seedComplaints registers synthetic households in Babakan Ciparay and a
// complaint about each head, straight through the registry and casework
// packages.
func seedComplaints(b *testing.B, ctx context.Context, n int) {
	t, err := app.Tenants.Lookup(ctx, "32.73.03")
	if err != nil {
		b.Fatal(err)
	}
	conn, err := app.Tenants.Acquire(ctx, t)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	g := synth.New("32.73.03", []string{"32.73.03.1001", "32.73.03.1002"}, 42)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for range n {
			head := g.Household()[0]
			hh, err := registry.CreateHousehold(ctx, tx, &registry.NewHousehold{NoKK: head.NoKK,
				House: &registry.House{Kelurahan: head.Kelurahan, RT: head.RT, RW: head.RW, Street: head.Street}}, nil)
			if err != nil {
				return err
			}
			person, err := registry.CreatePerson(ctx, tx, &registry.NewPerson{NIK: head.NIK, PersonFacts: registry.PersonFacts{
				Name: head.Name, BirthPlace: head.BirthPlace, BirthDate: registry.Date{Time: head.BirthDate}, Sex: head.Sex,
				Disabilities: []string{}, ChronicIllnesses: []string{}, Presence: "tinggal"}, HouseholdID: hh, Relationship: "kepala_keluarga"}, 1, nil)
			if err != nil {
				return err
			}
			if _, err := casework.CreateComplaint(ctx, tx, &casework.NewComplaint{PersonID: person, Channel: "datang_langsung",
				Category: "IURAN_BPJS", Description: "uji beban", Urgency: "biasa"}, casework.Actor{ID: 1}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
