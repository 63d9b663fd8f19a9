package apibench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/registry"
	"github.com/slrt-id/slrt/internal/store"
)

// BenchmarkAuditedWrite loads the same create two ways in one run: a
// household registered through the full chain (token, Casbin, tenant
// routing, OpenAPI validation, the idempotency key, the audit entry staged
// in the kecamatan's outbox with the write and moved to the control
// database after the answer) and through a bare chi handler that writes
// the same household in one transaction and then one audit entry straight
// into the control database (what the chain did before the outbox). It
// reports both throughputs and their ratio.
//
//	go test ./test/apibench -run '^$' -bench AuditedWrite -benchtime 1x
func BenchmarkAuditedWrite(b *testing.B) {
	ctx := context.Background()
	t, err := app.Tenants.Lookup(ctx, "32.73.03")
	if err != nil {
		b.Fatal(err)
	}
	bare := chi.NewRouter()
	bare.Post("/bare/keluarga", func(w http.ResponseWriter, r *http.Request) {
		var in registry.NewHousehold
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		conn, err := app.Tenants.Acquire(r.Context(), t)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		var id int64
		err = pgx.BeginFunc(r.Context(), conn, func(tx pgx.Tx) (err error) {
			id, err = registry.CreateHousehold(r.Context(), tx, &in, nil)
			return err
		})
		conn.Release()
		if err == nil {
			err = app.Store.AppendAudit(r.Context(), &store.AuditEntry{RequestID: "bench", Tenant: "32.73.03",
				Action: "POST /bare/keluarga", Object: "code=32.73.03", Outcome: "success"})
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]int64{"id": id})
	})
	bareSrv := httptest.NewServer(bare)
	defer bareSrv.Close()

	token := petugasToken(b)
	creates := func(url string, withToken bool) vegeta.Targeter {
		return func(tgt *vegeta.Target) error {
			n := seq.Add(1)
			// A No KK of kecamatan 32.73.03 no other create has: a date of
			// birth of the register and a high serial.
			kk := fmt.Sprintf("327303%02d%02d%02d%04d", 1+n%28, 1+(n/28)%12, 10+(n/336)%80, 9000+(n/26880)%999)
			header := http.Header{"Content-Type": {"application/json"}}
			if withToken {
				header.Set("Authorization", "Bearer "+token)
				header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n))
			}
			*tgt = vegeta.Target{Method: "POST", URL: url, Header: header, Body: []byte(`{"noKK":"` + kk +
				`","house":{"kelurahan":"32.73.03.1001","rt":"001","rw":"002","street":"Jl. Babakan Ciparay"}}`)}
			return nil
		}
	}
	best := bestOfAlternatingTargets(b, map[string]vegeta.Targeter{
		"bare": creates(bareSrv.URL+"/bare/keluarga", false),
		"full": creates(api.URL+"/api/v1/kecamatan/32.73.03/keluarga", true),
	}, "bare", "full")
	reportAgainst(b, best["bare"], best["full"], "bare", "full")
}

// seq numbers the creates of a run: each has its own No KK and key.
var seq atomic.Int64

var petugas struct {
	once  sync.Once
	token string
}

// petugasToken is the token of a petugas of kelurahan 32.73.03.1001, made
// once per run.
func petugasToken(b *testing.B) string {
	petugas.once.Do(func() {
		ctx := context.Background()
		acct, err := app.Store.CreateAccount(ctx, "petugas", "Petugas", "")
		if err == nil {
			_, err = app.Store.CreateGrant(ctx, acct.ID, authz.RolePetugas, "32.73.03.1001", 0)
		}
		if err == nil {
			_, petugas.token, err = app.Store.CreateToken(ctx, acct.ID, "bench", time.Hour)
		}
		if err != nil {
			b.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); !app.Authorizer.Allowed(acct.ID, "32.73.03.1001", "penduduk", "write") &&
			time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
	})
	return petugas.token
}
