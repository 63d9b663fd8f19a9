package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/jackc/pgx/v5"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	slrtv1 "github.com/slrt-id/slrt/api/v1alpha1"
	"github.com/slrt-id/slrt/internal/testenv"
	"github.com/slrt-id/slrt/internal/wilayah"
)

// Knobs of the national scale run, for trying it smaller or elsewhere.
const (
	envScaleDir     = "SLRT_SCALE_DIR"     // where the servers keep their data
	envScaleTenants = "SLRT_SCALE_TENANTS" // fewer kecamatan than all
	// where profiles are written: the API's heap at each stage, the
	// operator's CPU in the first minute (go tool pprof -top FILE); make
	// bench-national says bin/
	envScaleProfiles = "SLRT_SCALE_PROFILES"
)

// The scale run's shape: servers, and the API's working set.
const (
	scaleServers   = 4
	scaleWarm      = 300 // tenant pools the API holds open at once
	scaleCold      = 400 // tenants with no pool: 200 first requests, 200 direct reads
	scalePerTenant = 2   // connections in each tenant pool
)

// BenchmarkNationalScale applies a Kecamatan for every kecamatan of
// Indonesia in the reference data (7,285, with their real codes) to the
// test control plane at once, spread by placement over four PostgreSQL
// servers started for the run, and runs the shipped slrt-operator and
// slrt-api binaries. It reports the time until all are Ready against the
// SQL floor (the same servers creating as many roles and databases, one
// connection per server, nothing else); the operator's peak RSS; the API's
// RSS with no tenant, with every tenant known to its informer, and with a
// working set of 300 open pools; and the latency of a first request to a
// tenant whose pool is not open, against the floor of connecting to another
// such tenant's database and reading it directly, the two alternating. It
// logs the CPU each part of the platform used per tenant, provisioning and
// floor alike.
//
// It needs about 9 MB of disk per kecamatan (4 MB on a compressed volume):
// `make bench-national` mounts one when the disk has less than 70 GB free.
//
//	SLRT_SCALE_DIR=/mnt go test ./test/e2e -run '^$' -bench NationalScale -benchtime 1x -timeout 150m
func BenchmarkNationalScale(b *testing.B) {
	if b.N != 1 {
		b.Skip("provisions each kecamatan once: run with -benchtime 1x")
	}
	ctx := context.Background()
	ctrllog.SetLogger(logr.Discard()) // the run's own watch logs nothing worth reading
	areas := scaleAreas(b)
	dir := scaleDir(b, len(areas))
	servers := make([]*testenv.Postgres, scaleServers)
	perServer := len(areas)/scaleServers + 100
	for i := range servers {
		pg, err := testenv.PrivatePostgres(dir, serverSettings(perServer))
		if err != nil {
			b.Fatalf("starting PostgreSQL server %d: %v", i+1, err)
		}
		b.Cleanup(func() { _ = pg.Close() })
		servers[i] = pg
	}
	beforeFloor := mustSampleCPU(b)
	floor := scaleSQLFloor(b, servers, len(areas))
	floorCPU := cpuBetween(beforeFloor, mustSampleCPU(b), len(areas))
	b.Logf("SQL floor: %d roles and databases over %d servers in %v", len(areas), len(servers), floor.Round(time.Millisecond))
	b.Logf("SQL floor CPU per tenant: %v", floorCPU)

	kubeconfig, apiKubeconfig, dbURL := prepareAPI(b, "slrt_control_national")
	k8s := scaleClient(b)
	// Only the run's servers: the one the other e2e tests share goes.
	if err := k8s.Delete(ctx, &slrtv1.DatabaseServer{ObjectMeta: metav1.ObjectMeta{Name: "default"}}); err != nil {
		b.Fatal(err)
	}
	for i, pg := range servers {
		name := fmt.Sprintf("scale-%d", i+1)
		secret := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-admin", Namespace: "slrt-system"},
			StringData: map[string]string{"host": pg.Host, "port": strconv.Itoa(pg.Port),
				"username": pg.User, "password": pg.Password, "sslmode": "disable"},
		}
		ds := &slrtv1.DatabaseServer{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"region": "indonesia"}},
			Spec: slrtv1.DatabaseServerSpec{SecretName: secret.Name,
				Capacity: slrtv1.ServerCapacity{Tenants: ptr.To(int32(perServer))}},
		}
		for _, obj := range []client.Object{secret, ds} {
			if err := k8s.Create(ctx, obj); err != nil {
				b.Fatal(err)
			}
		}
	}

	mustSlrtctl(b, "", "migrate", "--database-url", dbURL)
	mustSlrtctl(b, "rahasia-kota-bandung\n", "create-admin", "cityit", "--display-name", "Diskominfo", "--database-url", dbURL)
	opPprof := freeAddr(b)
	op := start(b, "slrt-operator", []string{"KUBECONFIG=" + kubeconfig}, "--namespace=slrt-system",
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--pprof-bind-address="+opPprof)
	addr, pprofAddr := freeAddr(b), freeAddr(b)
	heap := func(stage string) {
		// The profile, and its text form, which ends with the runtime's
		// memory statistics (heap in use, idle, released, stacks).
		saveProfile(b, pprofAddr, "heap", "api-heap-"+stage+".pb.gz")
		saveProfile(b, pprofAddr, "heap?debug=1", "api-heap-"+stage+".txt")
	}
	// The referral gauges visit every tenant each interval: off, see
	// docs/benchmarks.md.
	apiProc := start(b, "slrt-api", []string{"KUBECONFIG=" + apiKubeconfig, "SLRT_DATABASE_URL=" + dbURL, "SLRT_NIK_INDEX_KEY_FILE=" + nikKeyFile(b)},
		"--listen", addr, "--metrics-listen", "", "--pprof-listen", pprofAddr, "--referral-metrics-interval", "0",
		"--connection-budget", strconv.Itoa(scaleWarm*scalePerTenant), "--connections-per-tenant", strconv.Itoa(scalePerTenant))
	server := "http://" + addr
	waitHTTP(b, server+"/readyz")
	time.Sleep(2 * time.Second) // let start-up garbage settle before the first reading
	apiEmpty, apiStartPeak := rss(b, apiProc.pid), peakRSS(b, apiProc.pid)
	heap("empty")

	b.ResetTimer()
	// Where the operator spends its CPU in the first minute of provisioning.
	go saveProfile(b, opPprof, "profile?seconds=60", "operator-cpu.pb.gz")
	beforeApply := mustSampleCPU(b)
	allReady := applyAndWait(b, k8s, areas)
	b.StopTimer()
	provisionCPU := cpuBetween(beforeApply, mustSampleCPU(b), len(areas))
	b.Logf("provisioning CPU per tenant: %v", provisionCPU)
	opNow, opPeak := rss(b, op.pid), peakRSS(b, op.pid)
	apiKnown, apiKnownPeak := rss(b, apiProc.pid), peakRSS(b, apiProc.pid)
	heap("all-known")
	b.Logf("all %d Ready in %v; operator RSS %d MB (peak %d MB); API RSS %d MB with none, %d MB with all known",
		len(areas), allReady.Round(time.Second), opNow>>20, opPeak>>20, apiEmpty>>20, apiKnown>>20)

	var list slrtv1.KecamatanList
	if err := k8s.List(ctx, &list); err != nil {
		b.Fatal(err)
	}
	warm, cold, kotas := workingSet(b, list.Items)
	token := scaleReader(b, server, dbURL, kotas, warm[len(warm)-1])
	warmFirst := timeFirstRequests(b, server, token, warm)
	apiWorking, apiWorkingPeak := rss(b, apiProc.pid), peakRSS(b, apiProc.pid)
	heap("300-pools")
	b.Logf("API peak RSS: %d MB at start, %d MB once all known, %d MB with 300 pools", apiStartPeak>>20, apiKnownPeak>>20, apiWorkingPeak>>20)
	warmAgain := timeFirstRequests(b, server, token, warm)
	// Each cold request alternates with its floor, a direct read of
	// another cold tenant, so that both meet the machine in the same state.
	secrets := credentialsOf(b, k8s, list.Items, cold)
	var coldFirst, connectFloor []time.Duration
	beforeCold := mustSampleCPU(b)
	for i := 0; i+1 < len(cold); i += 2 {
		coldFirst = append(coldFirst, timeFirstRequests(b, server, token, cold[i:i+1])...)
		connectFloor = append(connectFloor, timeDirectRead(b, secrets[cold[i+1]]))
	}
	b.Logf("cold requests and their floor, CPU per pair: %v", cpuBetween(beforeCold, mustSampleCPU(b), len(cold)/2))
	apiPeak := peakRSS(b, apiProc.pid)

	b.ReportMetric(float64(len(areas)), "tenants")
	b.ReportMetric(allReady.Seconds(), "s-all-ready")
	b.ReportMetric(floor.Seconds(), "s-sql-floor")
	b.ReportMetric(allReady.Seconds()/floor.Seconds(), "x-sql-floor")
	b.ReportMetric(testenv.Millis(floorCPU.total), "ms-cpu/tenant-floor")
	b.ReportMetric(testenv.Millis(provisionCPU.total), "ms-cpu/tenant")
	b.ReportMetric(float64(opPeak)/(1<<20), "MB-operator-peak-rss")
	b.ReportMetric(float64(apiEmpty)/(1<<20), "MB-api-rss-empty")
	b.ReportMetric(float64(apiKnown)/(1<<20), "MB-api-rss-all-known")
	b.ReportMetric(float64(apiWorking)/(1<<20), "MB-api-rss-300-pools")
	b.ReportMetric(float64(apiPeak)/(1<<20), "MB-api-peak-rss")
	b.ReportMetric(testenv.Millis(testenv.Quantile(warmFirst, 0.95)), "ms-p95-first-300")
	b.ReportMetric(testenv.Millis(testenv.Quantile(warmAgain, 0.95)), "ms-p95-warm")
	b.ReportMetric(testenv.Millis(testenv.Quantile(coldFirst, 0.5)), "ms-p50-cold")
	b.ReportMetric(testenv.Millis(testenv.Quantile(coldFirst, 0.95)), "ms-p95-cold")
	b.ReportMetric(testenv.Millis(testenv.Quantile(connectFloor, 0.5)), "ms-p50-connect-floor")
	b.ReportMetric(testenv.Millis(testenv.Quantile(connectFloor, 0.95)), "ms-p95-connect-floor")
	b.ReportMetric(float64(testenv.Quantile(coldFirst, 0.95))/float64(testenv.Quantile(connectFloor, 0.95)), "x-connect-floor")
	var dbs slrtv1.DatabaseServerList
	if err := k8s.List(ctx, &dbs); err != nil {
		b.Fatal(err)
	}
	for _, ds := range dbs.Items {
		b.Logf("server %s: %d tenants, %s used", ds.Name, ds.Status.Tenants, ds.Status.SizeUsed)
	}
}

// serverSettings tune a server for n tenant databases as
// docs/operations.md advises: autovacuum's launcher starts a worker in each
// database once per autovacuum_naptime (one minute by default), so with
// 1,900 databases a server would start 32 workers a second, each a new
// backend reading its database's catalogue, whether or not anything was
// written. Three seconds per database keeps that at one every three
// seconds, the upper end of the advice: on this machine a backend costs
// 40 to 90 ms of CPU, and a worker a second on each of four servers took a
// tenth to a fifth of it once they were full. Bulk loads ANALYZE their own
// tables, so a tenant waits for autovacuum only for its dead rows.
func serverSettings(n int) map[string]string {
	return map[string]string{"autovacuum_naptime": strconv.Itoa(max(60, 3*n)) + "s"}
}

// scaleAreas is every kecamatan of the reference data or, with
// SLRT_SCALE_TENANTS, that many from whole kabupaten/kota picked evenly
// across the country.
func scaleAreas(b *testing.B) []wilayah.Area {
	ref := wilayah.Default()
	all := ref.AtLevel(wilayah.LevelKecamatan)
	raw := os.Getenv(envScaleTenants)
	if raw == "" {
		return all
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < scaleWarm+scaleCold || n > len(all) {
		b.Fatalf("%s=%q: want a number from %d to %d", envScaleTenants, raw, scaleWarm+scaleCold, len(all))
	}
	kotas := ref.AtLevel(wilayah.LevelKota)
	var out []wilayah.Area
	for i := 0; len(out) < n; i++ {
		out = append(out, ref.Children(kotas[i*len(all)/n%len(kotas)].Code)...)
	}
	return out[:n]
}

// scaleDir is where the servers keep their data: SLRT_SCALE_DIR or the
// temporary folder, which must have room for n tenant databases.
func scaleDir(b *testing.B, n int) string {
	dir := os.Getenv(envScaleDir)
	if dir == "" {
		dir = os.TempDir()
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		b.Fatalf("%s: %v", dir, err)
	}
	const btrfsMagic = 0x9123683e
	// The copied template's 8.1 MB and its share of the WAL; on the volume
	// make bench-national mounts when the disk is short, compressed.
	perTenant := int64(9 << 20)
	if fs.Type == btrfsMagic {
		perTenant = 4 << 20
	}
	need, free := int64(n)*perTenant, int64(fs.Bavail)*fs.Bsize
	if free < need {
		b.Skipf("%d tenant databases need about %d GB free in %s, which has %d GB: run make bench-national, which mounts a compressed volume",
			n, need>>30, dir, free>>30)
	}
	return dir
}

// scaleSQLFloor creates n roles and databases directly, spread over the
// servers with one connection each working at once, and returns how long
// that took; it drops them after.
func scaleSQLFloor(b *testing.B, servers []*testenv.Postgres, n int) time.Duration {
	ctx := context.Background()
	each := func(work func(conn *pgx.Conn, name string) error) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, len(servers))
		for s, pg := range servers {
			wg.Go(func() {
				conn, err := pg.Connect(ctx, "postgres")
				if err != nil {
					errs[s] = err
					return
				}
				defer conn.Close(ctx)
				for i := s; i < n && errs[s] == nil; i += len(servers) {
					errs[s] = work(conn, pgx.Identifier{fmt.Sprintf("floor_%05d", i)}.Sanitize())
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	elapsed := each(func(conn *pgx.Conn, name string) error {
		_, err := conn.Exec(ctx, "CREATE ROLE "+name+" LOGIN PASSWORD 'floor-password'")
		if err == nil {
			_, err = conn.Exec(ctx, "CREATE DATABASE "+name+" OWNER "+name+" TEMPLATE template0")
		}
		if err == nil {
			_, err = conn.Exec(ctx, "REVOKE ALL ON DATABASE "+name+" FROM PUBLIC")
		}
		return err
	})
	each(func(conn *pgx.Conn, name string) error {
		_, err := conn.Exec(ctx, "DROP DATABASE "+name)
		if err == nil {
			_, err = conn.Exec(ctx, "DROP ROLE "+name)
		}
		return err
	})
	return elapsed
}

func scaleClient(b *testing.B) client.Client {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, slrtv1.AddToScheme} {
		if err := add(scheme); err != nil {
			b.Fatal(err)
		}
	}
	c, err := client.New(env.Kube.Config, client.Options{Scheme: scheme})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// applyAndWait creates a Kecamatan for each area, as city IT applying them
// all at once would, and returns the time until every one is Ready, read
// from a watch. The watch counts as each one turns Ready: listing every
// Kecamatan to count them, five times a second, cost 2% of the machine the
// run measures.
func applyAndWait(b *testing.B, k8s client.Client, areas []wilayah.Area) time.Duration {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watch, err := cache.New(env.Kube.Config, cache.Options{Scheme: k8s.Scheme(), ByObject: map[client.Object]cache.ByObject{
		&slrtv1.Kecamatan{}: {}}})
	if err != nil {
		b.Fatal(err)
	}
	informer, err := watch.GetInformer(ctx, &slrtv1.Kecamatan{})
	if err != nil {
		b.Fatal(err)
	}
	ready := readyCounter{all: len(areas), done: make(chan struct{})}
	if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { ready.see(obj) },
		UpdateFunc: func(_, obj any) { ready.see(obj) },
	}); err != nil {
		b.Fatal(err)
	}
	go func() { _ = watch.Start(ctx) }()
	watch.WaitForCacheSync(ctx)

	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(areas); i = int(next.Add(1) - 1) {
				kec := &slrtv1.Kecamatan{Spec: slrtv1.KecamatanSpec{Code: areas[i].Code, DisplayName: areas[i].Name}}
				kec.Name = "kec-" + kec.CodeSlug()
				if err := k8s.Create(ctx, kec); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.Logf("%d Kecamatan applied in %v", len(areas), time.Since(start).Round(time.Millisecond))

	progress := time.NewTicker(time.Minute)
	defer progress.Stop()
	giveUp := time.After(90 * time.Minute)
	for {
		select {
		case <-ready.done:
			return time.Since(start)
		case <-progress.C:
			b.Logf("%d of %d Ready after %v", ready.count(), len(areas), time.Since(start).Round(time.Second))
		case <-giveUp:
			b.Fatalf("only %d of %d Ready after 90 minutes", ready.count(), len(areas))
		}
	}
}

// readyCounter counts the Kecamatan a watch has seen Ready, and closes done
// once all of them are.
type readyCounter struct {
	all  int
	done chan struct{}

	mu    sync.Mutex
	ready map[string]bool
}

func (c *readyCounter) see(obj any) {
	kec, ok := obj.(*slrtv1.Kecamatan)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ready == nil {
		c.ready = map[string]bool{}
	}
	if kec.IsReady() {
		c.ready[kec.Name] = true
	} else {
		delete(c.ready, kec.Name)
	}
	if len(c.ready) == c.all {
		select {
		case <-c.done:
		default:
			close(c.done)
		}
	}
}

func (c *readyCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ready)
}

// workingSet picks the tenants the API will hold open (warm) and those it
// will meet for the first time (cold) from the kota with the most
// kecamatan, so that a reader needs few grants; c of every w+c are cold.
func workingSet(b *testing.B, items []slrtv1.Kecamatan) (warm, cold, kotas []string) {
	byKota := map[string][]string{}
	for _, kec := range items {
		kota := kec.Spec.Code[:strings.LastIndexByte(kec.Spec.Code, '.')]
		byKota[kota] = append(byKota[kota], kec.Spec.Code)
	}
	for kota := range byKota {
		kotas = append(kotas, kota)
	}
	slices.SortFunc(kotas, func(x, y string) int { return len(byKota[y]) - len(byKota[x]) })
	var codes []string
	for i, kota := range kotas {
		if len(codes) >= scaleWarm+scaleCold {
			kotas = kotas[:i]
			break
		}
		codes = append(codes, byKota[kota]...)
	}
	if len(codes) < scaleWarm+scaleCold {
		b.Fatalf("%d tenants, fewer than %d", len(codes), scaleWarm+scaleCold)
	}
	for i, code := range codes[:scaleWarm+scaleCold] {
		if (i*scaleCold)%(scaleWarm+scaleCold) < scaleCold {
			cold = append(cold, code)
		} else {
			warm = append(warm, code)
		}
	}
	return warm, cold, kotas
}

// scaleReader gives a Dinas Sosial reader a grant on each kota, made by an
// admin of that kota as its city IT would (through slrtctl and the admin
// API), and returns the reader's token once the API has every grant.
func scaleReader(b *testing.B, server, dbURL string, kotas []string, probe string) string {
	const password = "rahasia-nasional-2026\n"
	for i, kota := range kotas {
		admin := fmt.Sprintf("admin%02d", i)
		if i > 0 {
			// Sign-ins are throttled to 20 a minute from one address over a
			// sliding window: an even pace stays under it, a burst first
			// would not.
			time.Sleep(3500 * time.Millisecond)
		}
		mustSlrtctl(b, password, "create-admin", admin, "--display-name", "Admin "+kota, "--domain", kota, "--database-url", dbURL)
		token := strings.TrimSpace(mustSlrtctl(b, password, "login", admin, "--server", server))
		if i == 0 {
			mustSlrtctl(b, password, "accounts", "create", "pembaca", "--display-name", "Pembaca", "--server", server, "--token", token)
		}
		apiCall(b, token, "POST", server+"/api/v1/admin/grants",
			map[string]string{"username": "pembaca", "role": "dinsos", "domain": kota}, http.StatusCreated)
	}
	token := strings.TrimSpace(mustSlrtctl(b, password, "login", "pembaca", "--server", server))
	// The last grant reaches the API by a notification: wait for it, so
	// that no timed request waits for it.
	apiCall(b, token, "GET", server+"/api/v1/kecamatan/"+probe+"/kelurahan", nil, http.StatusOK)
	return token
}

// timeFirstRequests reads the kelurahan of each tenant once, one after
// another, and returns each request's duration.
func timeFirstRequests(b *testing.B, server, token string, codes []string) []time.Duration {
	out := make([]time.Duration, 0, len(codes))
	for _, code := range codes {
		req, _ := http.NewRequest("GET", server+"/api/v1/kecamatan/"+code+"/kelurahan", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET kelurahan of %s: %s", code, resp.Status)
		}
	}
	return out
}

// credentialsOf returns the connection URI of each tenant in codes, read
// from its credentials Secret.
func credentialsOf(b *testing.B, k8s client.Client, items []slrtv1.Kecamatan, codes []string) map[string]string {
	ctx := context.Background()
	want := map[string]bool{}
	for _, code := range codes {
		want[code] = true
	}
	out := map[string]string{}
	for _, kec := range items {
		if !want[kec.Spec.Code] {
			continue
		}
		var secret corev1.Secret
		key := client.ObjectKey{Namespace: kec.Status.Namespace, Name: kec.Status.CredentialsSecret}
		if err := k8s.Get(ctx, key, &secret); err != nil {
			b.Fatal(err)
		}
		out[kec.Spec.Code] = string(secret.Data[slrtv1.CredentialsKeyURI])
	}
	return out
}

// timeDirectRead is the floor of a cold request: connecting to a tenant's
// database with its credentials and reading its kelurahan.
func timeDirectRead(b *testing.B, uri string) time.Duration {
	ctx := context.Background()
	start := time.Now()
	conn, err := pgx.Connect(ctx, uri)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := conn.Query(ctx, "SELECT code, name FROM kelurahan ORDER BY code")
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
	}
	_ = conn.Close(ctx)
	took := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	return took
}

func mustSampleCPU(b *testing.B) cpuSample {
	s, err := sampleCPU()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// saveProfile writes a profile (path under /debug/pprof/) of the process
// serving addr to file in the folder SLRT_SCALE_PROFILES names, when it
// names one. It may run on its own goroutine: failures are only logged.
func saveProfile(b *testing.B, addr, path, file string) {
	dir := os.Getenv(envScaleProfiles)
	if dir == "" {
		return
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/" + path)
	if err != nil {
		b.Logf("profile %s: %v", file, err)
		return
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "national-"+file), data, 0o644)
	}
	if err != nil {
		b.Logf("profile %s: %v", file, err)
	}
}

// rss is the process's resident memory now; peakRSS its highest so far.
func rss(b *testing.B, pid int) int64     { return procStatus(b, pid, "VmRSS:") }
func peakRSS(b *testing.B, pid int) int64 { return procStatus(b, pid, "VmHWM:") }

func procStatus(b *testing.B, pid int, field string) int64 {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
