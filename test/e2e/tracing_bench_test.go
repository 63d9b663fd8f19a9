package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/slrt-id/slrt/internal/testenv"
)

// BenchmarkTracingOverhead runs the slrt-api binary twice over the same
// control database and tenant: once as an empty environment leaves it
// (tracing off), once sampling every request and exporting by OTLP/HTTP to a
// receiver on this machine. It loads both with the same read, alternating,
// and reports throughputs, their ratio, and the CPU each replica spent per
// request (the platform's own cost, which the load generator, PostgreSQL and
// the control plane on the same cores disturb less than throughput).
//
//	go test ./test/e2e -run '^$' -bench TracingOverhead -benchtime 1x
func BenchmarkTracingOverhead(b *testing.B) {
	const rounds = 5
	kubeconfig, apiKubeconfig, dbURL := prepareAPI(b, "slrt_control_bench")
	mustSlrtctl(b, "rahasia-kota-bandung\n", "create-admin", "cityit", "--display-name", "Diskominfo", "--database-url", dbURL)
	start(b, "slrt-operator", []string{"KUBECONFIG=" + kubeconfig}, "--namespace=slrt-system",
		"--metrics-bind-address=0", "--health-probe-bind-address=0")

	// The OTLP receiver: accepts every export and counts the bytes.
	var received atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		received.Add(n)
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()

	apiEnv := []string{"KUBECONFIG=" + apiKubeconfig, "SLRT_DATABASE_URL=" + dbURL, "SLRT_NIK_INDEX_KEY_FILE=" + nikKeyFile(b)}
	off, on := freeAddr(b), freeAddr(b)
	offAPI := start(b, "slrt-api", apiEnv, "--listen", off, "--metrics-listen", "", "--log-level", "warn")
	onAPI := start(b, "slrt-api", append(apiEnv, "OTEL_EXPORTER_OTLP_ENDPOINT="+receiver.URL, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_TRACES_SAMPLER=always_on", "OTEL_METRICS_EXPORTER=none"), "--listen", on, "--metrics-listen", "", "--log-level", "warn", "--migrate=false")
	waitHTTP(b, "http://"+off+"/readyz")
	waitHTTP(b, "http://"+on+"/readyz")

	server := "http://" + off
	token := strings.TrimSpace(mustSlrtctl(b, "rahasia-kota-bandung\n", "login", "cityit", "--server", server))
	as := []string{"--server", server, "--token", token}
	mustSlrtctl(b, "", append([]string{"kecamatan", "onboard", "32.73.21", "Cibeunying Kidul"}, as...)...)
	mustSlrtctl(b, "cibeunying-kidul-2026\n", append([]string{"accounts", "create", "pengawas", "--display-name", "Pengawas"}, as...)...)
	mustSlrtctl(b, "", append([]string{"grants", "add", "pengawas", "supervisor", "32.73.21"}, as...)...)
	reader := strings.TrimSpace(mustSlrtctl(b, "cibeunying-kidul-2026\n", "login", "pengawas", "--server", server))
	mustSlrtctl(b, "cibeunying-kidul-2026\n", append([]string{"accounts", "create", "petugas", "--display-name", "Petugas"}, as...)...)
	mustSlrtctl(b, "", append([]string{"grants", "add", "petugas", "petugas", "32.73.21.1001"}, as...)...)
	writer := strings.TrimSpace(mustSlrtctl(b, "cibeunying-kidul-2026\n", "login", "petugas", "--server", server))
	// Two reads: the cheapest one (a short list from one small table), and a
	// page of 50 referrals as the supervisor reads them (joins, flags).
	paths := map[string]string{"kelurahan": "/api/v1/kecamatan/32.73.21/kelurahan", "rujukan": "/api/v1/kecamatan/32.73.21/rujukan?limit=50"}
	header := http.Header{"Authorization": {"Bearer " + reader}}
	for _, base := range []string{off, on} {
		waitOK(b, "GET", "http://"+base+paths["kelurahan"], reader, "", time.Minute)
	}

	seedReferrals(b, "http://"+off, writer, 60)

	b.ResetTimer()
	// Rounds alternate the replicas (off then on, then on then off) so that
	// what else the two cores do falls on both alike; the loss is the median
	// of each round's pair, and the CPU each replica spent per request is
	// summed over all rounds.
	type tally struct {
		lost     []float64
		rates    map[string][]float64
		cpu      map[string]time.Duration
		requests map[string]uint64
	}
	tallies := map[string]*tally{}
	replicas := []struct {
		name, base string
		p          *process
	}{{"off", off, offAPI}, {"on", on, onAPI}}
	for round := range rounds {
		for read, path := range paths {
			t := tallies[read]
			if t == nil {
				t = &tally{rates: map[string][]float64{}, cpu: map[string]time.Duration{}, requests: map[string]uint64{}}
				tallies[read] = t
			}
			rate := map[string]float64{}
			for i := range replicas {
				r := replicas[(i+round)%2]
				before := r.p.cpu(b)
				m := testenv.Load(b, vegeta.Target{Method: "GET", URL: "http://" + r.base + path, Header: header}, 2*time.Second)
				t.cpu[r.name] += r.p.cpu(b) - before
				t.requests[r.name] += m.Requests
				t.rates[r.name] = append(t.rates[r.name], m.Throughput)
				rate[r.name] = m.Throughput
			}
			t.lost = append(t.lost, 100*(1-rate["on"]/rate["off"]))
		}
	}
	b.StopTimer()
	if received.Load() == 0 {
		b.Fatal("the tracing replica exported nothing")
	}
	for read, t := range tallies {
		b.ReportMetric(median(t.rates["off"]), "req/s-"+read+"-tracing-off")
		b.ReportMetric(median(t.rates["on"]), "req/s-"+read+"-tracing-on")
		b.ReportMetric(median(t.lost), "%-lost-"+read)
		perRequest := func(name string) float64 {
			return float64(t.cpu[name].Microseconds()) / float64(t.requests[name])
		}
		b.ReportMetric(perRequest("off"), "µs-cpu/req-"+read+"-off")
		b.ReportMetric(perRequest("on"), "µs-cpu/req-"+read+"-on")
		b.ReportMetric(100*(perRequest("on")/perRequest("off")-1), "%-cpu-added-"+read)
	}
	b.ReportMetric(float64(received.Load())/(1<<20), "MiB-exported")
}

// seedReferrals registers a household and a person and makes n sent
// referrals for them, as a petugas of 32.73.21.1001 (the API sends drafts
// only; the benchmark reads drafts and sent ones alike).
func seedReferrals(b *testing.B, server, token string, n int) {
	b.Helper()
	call := func(method, path string, body any) map[string]any {
		b.Helper()
		return apiCall(b, token, method, server+path, body, http.StatusCreated)
	}
	base := "/api/v1/kecamatan/32.73.21"
	hh := call("POST", base+"/keluarga", map[string]any{"noKK": "3273211504100001",
		"house": map[string]any{"kelurahan": "32.73.21.1001", "rt": "001", "rw": "001", "street": "Jl. Cikutra"}})
	person := call("POST", base+"/penduduk", map[string]any{"nik": "3273211203800001", "name": "Asep", "birthPlace": "Bandung",
		"birthDate": "1980-03-12", "sex": "L", "householdId": hh["id"], "relationship": "kepala_keluarga"})
	complaint := call("POST", base+"/keluhan", map[string]any{"personId": person["id"], "channel": "telepon", "category": "IURAN_BPJS",
		"description": "x", "urgency": "biasa"})
	for range n {
		call("POST", base+"/rujukan", map[string]any{"complaintId": complaint["id"], "service": "PBI_JK", "documentsProvided": []string{"KK"}})
	}
}

// median is the middle of xs (the mean of the two middle ones when even).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	return (s[(n-1)/2] + s[n/2]) / 2
}
