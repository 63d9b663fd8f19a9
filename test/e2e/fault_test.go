package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestDatabaseFaultsUnderLoad runs a mixed load (creates with idempotency
// keys, audited reads of full records) from several clients against the
// slrt-api binary while the database falters in four ways in turn. No
// request may answer 500; every acknowledged create must be readable and
// made once; every acknowledged write and full-record read must have its
// audit entry; and the API must serve again on its own.
func TestDatabaseFaultsUnderLoad(t *testing.T) {
	if env.Postgres.External() {
		t.Skip("the faults stop and pause the tests' own PostgreSQL server")
	}
	const control = "slrt_control_fault"
	server, admin := startPlatform(t, control, "--request-timeout", "4s")
	mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", "32.73.10", "Astanaanyar"}, admin...)...)
	mustSlrtctl(t, "petugas-astanaanyar-2026\n", append([]string{"accounts", "create", "wati", "--display-name", "Wati"}, admin...)...)
	mustSlrtctl(t, "", append([]string{"grants", "add", "wati", "petugas", "32.73.10.1001"}, admin...)...)
	token := strings.TrimSpace(mustSlrtctl(t, "petugas-astanaanyar-2026\n", "login", "wati", "--server", server))
	waitReady(t, admin, "32.73.10")

	ctx := context.Background()
	sql := func(db string, stmts ...string) {
		t.Helper()
		conn, err := env.Postgres.Connect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	// What is acknowledged must survive a crash: the tests' server runs
	// with synchronous_commit off (speed), which loses the last commits
	// of a crash by design; these databases turn it on.
	for _, db := range []string{control, "slrt_32_73_10"} {
		sql("postgres", "ALTER DATABASE "+db+" SET synchronous_commit = on")
	}
	sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")
	load := &faultLoad{server: server, token: token}
	stop := make(chan struct{})
	var clients sync.WaitGroup
	for i := range 6 {
		clients.Add(1)
		go func() { defer clients.Done(); load.client(t, i, stop) }()
	}
	faults := []struct {
		name   string
		inject func()
	}{
		{"every client connection killed three times in two seconds", func() {
			for range 3 {
				// What a failover does: every session but the test's own ends.
				sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")
				time.Sleep(700 * time.Millisecond)
			}
		}},
		{"the server restarted in immediate mode", func() {
			if err := env.Postgres.Crash(); err != nil {
				t.Fatal(err)
			}
			if err := env.Postgres.Start(); err != nil {
				t.Fatal(err)
			}
		}},
		{"the server paused for longer than the request timeout", func() {
			if err := env.Postgres.Pause(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(6 * time.Second)
			if err := env.Postgres.Resume(); err != nil {
				t.Fatal(err)
			}
		}},
		{"the control database alone down for 10 s", func() {
			sql("postgres", "ALTER DATABASE "+control+" ALLOW_CONNECTIONS false",
				"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"+control+"'")
			time.Sleep(10 * time.Second)
			sql("postgres", "ALTER DATABASE "+control+" ALLOW_CONNECTIONS true")
		}},
	}
	type window struct {
		name       string
		start, end time.Time
	}
	var windows []window
	for _, f := range faults {
		time.Sleep(3 * time.Second) // steady load before the fault
		start := time.Now()
		f.inject()
		ended := time.Now()
		// Serving again: six more creates acknowledged, one per client.
		for n := load.created.Load(); load.created.Load() < n+6 && time.Since(ended) < time.Minute; {
			time.Sleep(20 * time.Millisecond)
		}
		recovered := time.Since(ended)
		if recovered >= time.Minute {
			t.Fatalf("%s: no create acknowledged within a minute after the fault ended", f.name)
		}
		windows = append(windows, window{f.name, start, time.Now()})
		t.Logf("%s: writes acknowledged again %v after the fault ended", f.name, recovered.Round(10*time.Millisecond))
	}
	time.Sleep(2 * time.Second)
	close(stop)
	clients.Wait()

	// The clients are done: their log is read without its lock. What
	// users saw in each fault: the longest time without an acknowledged
	// create, and the answers 503.
	for _, w := range windows {
		var longest time.Duration
		last, unavailable := w.start, 0
		for _, at := range load.acks {
			if at.After(w.start) && at.Before(w.end) {
				longest, last = max(longest, at.Sub(last)), at
			}
		}
		for _, at := range load.unavailable {
			if at.After(w.start) && at.Before(w.end) {
				unavailable++
			}
		}
		t.Logf("%s: lasted %v; no create acknowledged for at most %v; %d answers 503", w.name,
			w.end.Sub(w.start).Round(10*time.Millisecond), longest.Round(10*time.Millisecond), unavailable)
	}
	t.Logf("answers: %v; %d creates acknowledged, %d audited reads", load.statuses, len(load.ids), len(load.readIDs))
	for status, n := range load.statuses {
		if status >= 500 && status != http.StatusServiceUnavailable {
			t.Errorf("%d requests answered %d", n, status)
		}
	}
	if load.statuses[http.StatusServiceUnavailable] > 0 && load.missingRetryAfter > 0 {
		t.Errorf("%d answers 503 without Retry-After", load.missingRetryAfter)
	}

	// Every acknowledged create is there, once.
	tenantDB := "slrt_32_73_10"
	conn, err := env.Postgres.Connect(ctx, tenantDB)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for key, noKK := range load.keys {
		var rows, keys int
		if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM household WHERE no_kk = $1),
			(SELECT count(*) FROM idempotency_key WHERE key = $2)`, noKK, key).Scan(&rows, &keys); err != nil {
			t.Fatal(err)
		}
		if rows != 1 || keys != 1 {
			t.Errorf("key %s: %d households, %d keys", key, rows, keys)
		}
	}
	for _, id := range load.ids {
		if code, _, _ := load.do(http.MethodGet, fmt.Sprintf("/api/v1/kecamatan/32.73.10/keluarga/%d", id), nil, nil); code != http.StatusOK {
			t.Errorf("acknowledged household %d answers %d", id, code)
		}
	}

	// Every acknowledged write and audited read has its entry, once the
	// outbox has shipped what the control database could not take.
	deadline := time.Now().Add(time.Minute)
	for waiting := -1; waiting != 0; time.Sleep(200 * time.Millisecond) {
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM audit_outbox").Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d audit entries still in the outbox a minute after the load", waiting)
		}
	}
	cc, err := env.Postgres.Connect(ctx, control)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close(ctx)
	rows, err := cc.Query(ctx, "SELECT request_id FROM audit_log WHERE outcome = 'success'")
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		logged[id] = true
	}
	missing := 0
	for _, id := range append(append([]string{}, load.writeIDs...), load.readIDs...) {
		if !logged[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged requests have no audit entry", missing, len(load.writeIDs)+len(load.readIDs))
	}
}

// faultLoad is the clients' own log of what they did and were answered.
type faultLoad struct {
	server, token string
	created       atomic.Int64
	seq           atomic.Int64

	mu                sync.Mutex
	statuses          map[int]int
	missingRetryAfter int
	ids               []int64
	keys              map[string]string // idempotency key -> no KK
	writeIDs, readIDs []string          // request ids answered 201 or 200 for a full record
	acks, unavailable []time.Time       // when creates were acknowledged, when 503 was answered
}

var faultHTTP = &http.Client{Timeout: 30 * time.Second}

// do sends one request with a request id of its own and returns the status,
// the request id and the answer.
func (l *faultLoad) do(method, path string, body any, header map[string]string) (int, string, map[string]any) {
	var data []byte
	if body != nil {
		data, _ = json.Marshal(body)
	}
	reqID := fmt.Sprintf("fault-%d", l.seq.Add(1))
	req, _ := http.NewRequest(method, l.server+path, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("X-Request-Id", reqID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := faultHTTP.Do(req)
	if err != nil {
		return 0, reqID, nil
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	l.mu.Lock()
	if l.statuses == nil {
		l.statuses = map[int]int{}
	}
	l.statuses[resp.StatusCode]++
	if resp.StatusCode == http.StatusServiceUnavailable {
		l.unavailable = append(l.unavailable, time.Now())
		if resp.Header.Get("Retry-After") == "" {
			l.missingRetryAfter++
		}
	}
	l.mu.Unlock()
	return resp.StatusCode, reqID, out
}

// client creates households (each retried with its key until acknowledged)
// and reads back its own, until stop.
func (l *faultLoad) client(t *testing.T, n int, stop <-chan struct{}) {
	var mine []int64
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		if i%2 == 1 && len(mine) > 0 {
			path := fmt.Sprintf("/api/v1/kecamatan/32.73.10/keluarga/%d", mine[rand.N(len(mine))])
			if code, reqID, _ := l.do(http.MethodGet, path, nil, nil); code == http.StatusOK {
				l.mu.Lock()
				l.readIDs = append(l.readIDs, reqID)
				l.mu.Unlock()
			}
			continue
		}
		k := int(l.seq.Add(1))
		noKK := fmt.Sprintf("327310%02d%02d%02d%04d", 1+k%28, 1+(k/28)%12, 10+(k/336)%80, 1+(k/26880)%9999)
		key := fmt.Sprintf("fault-%d-%d", n, i)
		body := map[string]any{"noKK": noKK,
			"house": map[string]any{"kelurahan": "32.73.10.1001", "rt": "001", "rw": "002", "street": "Jl. Astana Anyar"}}
		// Retried with the same key until acknowledged, as a client that
		// was told 503 (or lost its answer) does.
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			code, reqID, out := l.do(http.MethodPost, "/api/v1/kecamatan/32.73.10/keluarga", body, map[string]string{"Idempotency-Key": key})
			if code == http.StatusCreated {
				id := int64(out["id"].(float64))
				mine = append(mine, id)
				l.mu.Lock()
				if l.keys == nil {
					l.keys = map[string]string{}
				}
				l.keys[key] = noKK
				l.ids = append(l.ids, id)
				l.writeIDs = append(l.writeIDs, reqID)
				l.acks = append(l.acks, time.Now())
				l.mu.Unlock()
				l.created.Add(1)
				break
			}
			if code != 0 && code != http.StatusServiceUnavailable && code < 500 {
				t.Errorf("create answered %d: %v", code, out)
				return
			}
		}
	}
}
