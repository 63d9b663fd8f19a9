package apiserver_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// spansOf returns the finished spans of the trace whose server span has
// the given name and was the latest such.
func traceOf(t *testing.T, serverSpan string) (root sdktrace.ReadOnlySpan, all []sdktrace.ReadOnlySpan) {
	t.Helper()
	ended := spans.Ended()
	for i := len(ended) - 1; i >= 0; i-- {
		if ended[i].Name() == serverSpan && ended[i].SpanKind() == trace.SpanKindServer {
			root = ended[i]
			break
		}
	}
	if root == nil {
		t.Fatalf("no server span %q", serverSpan)
	}
	for _, s := range ended {
		if s.SpanContext().TraceID() == root.SpanContext().TraceID() {
			all = append(all, s)
		}
	}
	return root, all
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

func named(all []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	for _, s := range all {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

// One request is one trace: a server span named by method and route (never
// the raw path) with the tenant, how the caller signed in and the
// authorisation decision (in-memory steps, marked on it rather than spans of
// their own), and beneath it the SQL, whose text is parameterised.
func TestARequestIsOneTraceWithTenantRouteAndSQL(t *testing.T) {
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.03/kelurahan/32.73.03.1002", nil), http.StatusOK)
	root, all := traceOf(t, "GET /api/v1/kecamatan/{code}/kelurahan/{kelurahan}")
	if attr(root, "slrt.tenant") != "32.73.03" || attr(root, "http.route") != "/api/v1/kecamatan/{code}/kelurahan/{kelurahan}" {
		t.Errorf("server span attributes: %v", root.Attributes())
	}
	if attr(root, "slrt.authz.decision") != "allow" || attr(root, "slrt.auth.via") != "token" {
		t.Errorf("server span without the decision or the sign-in: %v", root.Attributes())
	}
	if named(all, "authorize") != nil {
		t.Errorf("a span for the in-memory decision: %v", names(all))
	}
	var sql sdktrace.ReadOnlySpan
	for _, s := range all {
		for _, kv := range s.Attributes() {
			if strings.HasPrefix(string(kv.Key), "db.") && strings.Contains(kv.Value.String(), "FROM kelurahan") {
				sql = s
			}
		}
	}
	if sql == nil {
		t.Fatalf("no SQL span in the trace: %v", names(all))
	}
	if attr(sql, "slrt.tenant") != "32.73.03" {
		t.Errorf("SQL span without the tenant: %v", sql.Attributes())
	}
	for _, kv := range sql.Attributes() {
		if strings.Contains(kv.Value.String(), "32.73.03.1002") {
			t.Errorf("a query value reached the span: %s=%s", kv.Key, kv.Value.String())
		}
	}
}

func TestADenialIsVisibleInItsTrace(t *testing.T) {
	expectStatus(t, do(t, "petugas", "GET", "/api/v1/kecamatan/32.73.04/kelurahan", nil), http.StatusForbidden)
	root, _ := traceOf(t, "GET /api/v1/kecamatan/{code}/kelurahan")
	if attr(root, "slrt.authz.decision") != "deny" {
		t.Errorf("server span of a denial: %v", root.Attributes())
	}
	if attr(root, "http.response.status_code") != "403" {
		t.Errorf("server span status: %v", root.Attributes())
	}
}

// The Prometheus endpoint holds the HTTP, SQL, authorisation, login and
// pool series, labelled by route and tenant, and no label value is personal.
func TestMetricsEndpointHasTheExpectedSeries(t *testing.T) {
	do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.03/kelurahan", nil)
	doOn(t, api.URL, "", "POST", "/api/v1/session", map[string]string{"username": "supervisor", "password": "salah-salah-salah"})
	text := scrapeMetrics(t)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`http_server_request_duration_seconds_count\{[^}]*http_route="/api/v1/kecamatan/\{code\}/kelurahan"[^}]*slrt_tenant="32.73.03"`),
		regexp.MustCompile(`slrt_authz_decisions_total\{[^}]*slrt_outcome="deny"`),
		regexp.MustCompile(`slrt_login_failures_total\{[^}]*slrt_reason="password"`),
		regexp.MustCompile(`slrt_tenant_pool_connections\{[^}]*slrt_tenant="32.73.03"[^}]*state="idle"`),
		regexp.MustCompile(`slrt_tenants\{[^}]*state="ready"`),
		regexp.MustCompile(`db_client_operation_duration_seconds_count`),
		regexp.MustCompile(`slrt_audit_outbox_tenants\{[^}]*\} [0-9]+`),
	} {
		if !want.MatchString(text) {
			t.Errorf("no series matching %s", want)
		}
	}
	if t.Failed() {
		t.Logf("scrape:\n%s", grep(text, "slrt_|http_server|db_client"))
	}
}

// Nothing personal or secret travels in spans or logs: not the passwords,
// not a token's secret, not a staff member's name.
func TestNoSecretOrPersonalDataInSpansOrLogs(t *testing.T) {
	const password, name = "rahasia-ibu-nur-2026", "Siti Nurhaliza Binti Abdullah"
	expectStatus(t, do(t, "admin", "POST", "/api/v1/admin/accounts",
		map[string]any{"username": "siti", "displayName": name, "password": password}), http.StatusCreated)
	resp := doOn(t, api.URL, "", "POST", "/api/v1/session", map[string]string{"username": "siti", "password": password})
	expectStatus(t, resp, http.StatusCreated)
	doOn(t, api.URL, "", "POST", "/api/v1/session", map[string]string{"username": "siti", "password": password + "x"})
	var created struct {
		Secret string `json:"secret"`
	}
	do(t, "petugas", "POST", "/api/v1/me/tokens", map[string]any{"name": "hp"}).json(t, &created)

	secrets := []string{password, name, created.Secret, callers["petugas"].token}
	var seen []string
	for _, s := range spans.Ended() {
		seen = append(seen, s.Name())
		for _, kv := range s.Attributes() {
			seen = append(seen, string(kv.Key)+"="+kv.Value.String())
		}
		for _, ev := range s.Events() {
			seen = append(seen, ev.Name, fmt.Sprint(ev.Attributes))
		}
	}
	seen = append(seen, logs.String())
	all := strings.Join(seen, "\n")
	for _, secret := range secrets {
		if strings.Contains(all, secret) {
			t.Errorf("%q appears in spans or logs", secret)
		}
	}
	if !strings.Contains(logs.String(), `"trace_id"`) {
		t.Error("log lines carry no trace id")
	}
}

func names(all []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range all {
		out = append(out, s.Name())
	}
	return out
}

func grep(s, pattern string) string {
	re := regexp.MustCompile(pattern)
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if re.MatchString(line) && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// A full intake and referral flow leaves no NIK, No KK, name, address or
// free text typed by staff in any span, log line or metric; its spans carry
// the tenant and route, its SQL only the parameterised text, and the inbox
// its fan-out.
func TestIntakeAndReferralLeaveNoPersonalDataInTelemetry(t *testing.T) {
	const (
		name        = "Cecep Gorbacep Sudrajat"
		street      = "Jl. Rahasia Warga No. 77"
		description = "Anak kedua sakit jantung bawaan, butuh rujukan"
		notes       = "Ibu bekerja sebagai buruh cuci"
		followUp    = "Sudah ditelepon, menunggu jadwal RS Hasan Sadikin"
		reason      = "Data kepesertaan ganda di kabupaten lain"
	)
	kk := newKK()
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/keluarga", map[string]any{
		"noKK": kk, "house": map[string]any{"kelurahan": "32.73.03.1001", "rt": "004", "rw": "005", "street": street},
		"monthlyIncome": 1234567})
	expectStatus(t, resp, http.StatusCreated)
	var hh createdResp
	resp.json(t, &hh)
	person, n := registerPerson(t, "petugas", "32.73.03", hh.ID, personSpec{name, "L", "1988-10-10", "kepala_keluarga"})
	do(t, "petugas", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"nik": n})
	do(t, "petugas", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"name": name})
	do(t, "petugas", "GET", fmt.Sprintf("%s/penduduk/%d", kec("32.73.03"), person), nil, "X-Purpose", "asesmen")
	resp = do(t, "petugas", "POST", kec("32.73.03")+"/keluhan", map[string]any{
		"personId": person, "channel": "kunjungan_rumah", "category": "IURAN_BPJS", "description": description, "urgency": "darurat"})
	expectStatus(t, resp, http.StatusCreated)
	var complaint createdResp
	resp.json(t, &complaint)
	expectStatus(t, do(t, "petugas", "PUT", fmt.Sprintf("%s/keluhan/%d/asesmen", kec("32.73.03"), complaint.ID),
		map[string]any{"documentsHeld": []string{"KK"}, "notes": notes}), http.StatusOK)
	id, _ := newReferral(t, complaint.ID, "PBI_JK", "KK")
	expectMoved(t, "koordinator", id, "requested", "")
	do(t, "dinkes", "GET", "/api/v1/instansi/DINKES/rujukan", nil)
	do(t, "dinkes", "GET", fmt.Sprintf("/api/v1/instansi/DINKES/rujukan/32.73.03/%d", id), nil)
	expectMoved(t, "dinkes", id, "rejected", reason)
	expectStatus(t, do(t, "petugas", "POST", fmt.Sprintf("%s/keluhan/%d/tindak-lanjut", kec("32.73.03"), complaint.ID),
		map[string]any{"kind": "telepon", "note": followUp}), http.StatusCreated)

	root, all := traceOf(t, "POST /api/v1/kecamatan/{code}/rujukan/{id}/status")
	if attr(root, "slrt.tenant") != "32.73.03" {
		t.Errorf("transition span without the tenant: %v", root.Attributes())
	}
	sawSQL := false
	for _, s := range all {
		if q := attr(s, "db.query.text"); strings.Contains(q, "UPDATE referral SET status = $2") {
			sawSQL = true
		}
	}
	if !sawSQL {
		t.Errorf("no parameterised SQL span in %v", names(all))
	}
	if _, inbox := traceOf(t, "GET /api/v1/instansi/{agency}/rujukan"); named(inbox, "fan-out") == nil {
		t.Errorf("the inbox trace has no fan-out span: %v", names(inbox))
	}

	scrape := []byte(scrapeMetrics(t))
	if !regexp.MustCompile(`slrt_referral_transitions_total\{[^}]*slrt_agency="DINKES"[^}]*slrt_referral_status="rejected"[^}]*slrt_tenant="32.73.03"`).Match(scrape) {
		t.Errorf("no referral transition series: %s", grep(string(scrape), "slrt_referral"))
	}

	var seen []string
	for _, s := range spans.Ended() {
		seen = append(seen, s.Name())
		for _, kv := range s.Attributes() {
			seen = append(seen, string(kv.Key)+"="+kv.Value.String())
		}
		for _, ev := range s.Events() {
			seen = append(seen, ev.Name, fmt.Sprint(ev.Attributes))
		}
		seen = append(seen, s.Status().Description)
	}
	seen = append(seen, logs.String(), string(scrape))
	everything := strings.Join(seen, "\n")
	for _, personal := range []string{n, kk, name, "Cecep", street, description, notes, followUp, reason, "1234567", "1988-10-10"} {
		if strings.Contains(everything, personal) {
			t.Errorf("%q appears in spans, logs or metrics", personal)
		}
	}
}

// A caller's trace continues: the server span is a child of the
// traceparent sent, with server kind and the status code.
func TestTheCallersTraceContinues(t *testing.T) {
	const traceID, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	expectStatus(t, do(t, "supervisor", "GET", "/api/v1/kecamatan/32.73.03/kelurahan?limit=5", nil,
		"traceparent", "00-"+traceID+"-"+parent+"-01"), http.StatusOK)
	for _, s := range spans.Ended() {
		if s.SpanContext().TraceID().String() != traceID || s.Parent().SpanID().String() != parent {
			continue
		}
		if s.SpanKind() != trace.SpanKindServer || attr(s, "http.response.status_code") != "200" || s.Name() != "GET /api/v1/kecamatan/{code}/kelurahan" {
			t.Errorf("server span %s kind %s attrs %v", s.Name(), s.SpanKind(), s.Attributes())
		}
		return
	}
	t.Error("no server span continues the caller's trace")
}
