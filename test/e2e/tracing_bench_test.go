package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
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
// and reports throughputs and their ratio.
//
//	go test ./test/e2e -run '^$' -bench TracingOverhead -benchtime 1x
func BenchmarkTracingOverhead(b *testing.B) {
	kubeconfig, apiKubeconfig, dbURL := prepareAPI(b, "slrt_control_bench")
	must := func(out string, err error) string {
		b.Helper()
		if err != nil {
			b.Fatalf("slrtctl: %v\n%s", err, out)
		}
		return out
	}
	must(runSlrtctl(b, "rahasia-kota-bandung\n", "create-admin", "cityit", "--display-name", "Diskominfo", "--database-url", dbURL))
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
	start(b, "slrt-api", apiEnv, "--listen", off, "--metrics-listen", "", "--log-level", "warn")
	start(b, "slrt-api", append(apiEnv, "OTEL_EXPORTER_OTLP_ENDPOINT="+receiver.URL, "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
		"OTEL_TRACES_SAMPLER=always_on", "OTEL_METRICS_EXPORTER=none"), "--listen", on, "--metrics-listen", "", "--log-level", "warn", "--migrate=false")
	waitHTTP(b, "http://"+off+"/readyz")
	waitHTTP(b, "http://"+on+"/readyz")

	server := "http://" + off
	token := strings.TrimSpace(must(runSlrtctl(b, "rahasia-kota-bandung\n", "login", "cityit", "--server", server)))
	as := []string{"--server", server, "--token", token}
	must(runSlrtctl(b, "", append([]string{"kecamatan", "onboard", "32.73.21", "Cibeunying Kidul"}, as...)...))
	must(runSlrtctl(b, "cibeunying-kidul-2026\n", append([]string{"accounts", "create", "pengawas", "--display-name", "Pengawas"}, as...)...))
	must(runSlrtctl(b, "", append([]string{"grants", "add", "pengawas", "supervisor", "32.73.21"}, as...)...))
	reader := strings.TrimSpace(must(runSlrtctl(b, "cibeunying-kidul-2026\n", "login", "pengawas", "--server", server)))
	path := "/api/v1/kecamatan/32.73.21/kelurahan"
	header := http.Header{"Authorization": {"Bearer " + reader}}
	for _, base := range []string{off, on} {
		deadline := time.Now().Add(time.Minute)
		for {
			req, _ := http.NewRequest("GET", "http://"+base+path, nil)
			req.Header = header
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s never served %s", base, path)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	b.ResetTimer()
	rates := map[string][]float64{}
	for range 2 {
		for name, base := range map[string]string{"off": off, "on": on} {
			m := testenv.Load(b, vegeta.Target{Method: "GET", URL: "http://" + base + path, Header: header}, 3*time.Second)
			rates[name] = append(rates[name], m.Throughput)
		}
	}
	b.StopTimer()
	best := func(xs []float64) float64 { return max(xs[0], xs[1]) }
	if received.Load() == 0 {
		b.Fatal("the tracing replica exported nothing")
	}
	b.ReportMetric(best(rates["off"]), "req/s-tracing-off")
	b.ReportMetric(best(rates["on"]), "req/s-tracing-on")
	b.ReportMetric(100*(1-best(rates["on"])/best(rates["off"])), "%-throughput-lost")
	b.ReportMetric(float64(received.Load())/(1<<20), "MiB-exported")
}
