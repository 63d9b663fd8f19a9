package apiserver_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// serial makes each NIK and No KK of the tests unique.
var serial atomic.Int32

// newNIK makes a structurally valid NIK for a person of sex ("L" or "P")
// born on birth (YYYY-MM-DD), issued in Babakan Ciparay: the area part is
// never used for routing, so persons elsewhere carry it too.
func newNIK(sex, birth string) string {
	d, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		panic(err)
	}
	day := d.Day()
	if sex == "P" {
		day += 40
	}
	return fmt.Sprintf("327303%02d%02d%02d%04d", day, int(d.Month()), d.Year()%100, serial.Add(1))
}

// newKK makes a structurally valid No KK.
func newKK() string {
	return fmt.Sprintf("327303150410%04d", serial.Add(1))
}

type createdResp struct {
	ID             int64    `json:"id"`
	Location       string   `json:"location"`
	TrackingCode   string   `json:"trackingCode"`
	OtherKecamatan []string `json:"otherKecamatan"`
}

func kec(code string) string { return "/api/v1/kecamatan/" + code }

// registerHousehold registers a household in a new house of kelurahan.
func registerHousehold(t *testing.T, who, kelurahan string) (int64, string) {
	t.Helper()
	kk := newKK()
	resp := do(t, who, "POST", kec(kelurahan[:8])+"/keluarga", map[string]any{
		"noKK": kk, "house": map[string]any{"kelurahan": kelurahan, "rt": "003", "rw": "011", "street": "Jl. Babakan Ciparay Gg. Sukamaju 12",
			"floorMaterial": "semen", "waterSource": "sumur_bor"},
		"desil": 2, "programmes": []string{"PKH"}, "dtksId": "DTKS-" + kk[12:],
	})
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	return c.ID, kk
}

type personSpec struct {
	name, sex, birth, relationship string
}

// registerPerson registers a person into a household and returns id and NIK.
func registerPerson(t *testing.T, who, code string, household int64, p personSpec) (int64, string) {
	t.Helper()
	n := newNIK(p.sex, p.birth)
	resp := do(t, who, "POST", kec(code)+"/penduduk", map[string]any{
		"nik": n, "name": p.name, "birthPlace": "Bandung", "birthDate": p.birth, "sex": p.sex,
		"householdId": household, "relationship": p.relationship,
	})
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	return c.ID, n
}

// newCase registers a household with its head in kelurahan 32.73.03.1001
// and records a complaint about the head.
func newCase(t *testing.T) (person, complaint int64) {
	t.Helper()
	hh, _ := registerHousehold(t, "petugas", "32.73.03.1001")
	person, _ = registerPerson(t, "petugas", "32.73.03", hh, personSpec{"Asep Sunandar", "L", "1979-08-17", "kepala_keluarga"})
	return person, newComplaint(t, person)
}

func newComplaint(t *testing.T, person int64) int64 {
	t.Helper()
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/keluhan", map[string]any{
		"personId": person, "channel": "datang_langsung", "category": "IURAN_BPJS",
		"description": "Tunggakan iuran BPJS mandiri kelas 3, tidak mampu membayar", "urgency": "segera",
	})
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	return c.ID
}

// newReferral makes a draft referral to service for a complaint.
func newReferral(t *testing.T, complaint int64, service string, provided ...string) (int64, string) {
	t.Helper()
	if provided == nil {
		provided = []string{}
	}
	resp := do(t, "petugas", "POST", kec("32.73.03")+"/rujukan", map[string]any{
		"complaintId": complaint, "service": service, "documentsProvided": provided,
	})
	expectStatus(t, resp, http.StatusCreated)
	var c createdResp
	resp.json(t, &c)
	return c.ID, c.TrackingCode
}

// move asks for a transition: a Puskesos caller through the kecamatan's
// route, an agency through its inbox.
func move(t *testing.T, who string, id int64, to, reason string) *response {
	t.Helper()
	body := map[string]any{"status": to}
	if reason != "" {
		body["reason"] = reason
	}
	path := fmt.Sprintf("%s/rujukan/%d/status", kec("32.73.03"), id)
	if c := callers[who]; c.role == "agency" {
		path = fmt.Sprintf("/api/v1/instansi/%s/rujukan/32.73.03/%d/status", strings.TrimPrefix(c.domain, "agency:"), id)
	}
	return do(t, who, "POST", path, body)
}

type referralView struct {
	Status            string  `json:"status"`
	TrackingCode      string  `json:"trackingCode"`
	ResponseDue       *string `json:"responseDue"`
	CompletionDue     *string `json:"completionDue"`
	ResponseOverdue   bool    `json:"responseOverdue"`
	CompletionOverdue bool    `json:"completionOverdue"`
	Documents         []struct {
		Code     string `json:"code"`
		Provided bool   `json:"provided"`
	} `json:"documents"`
	History []struct {
		Actor  string  `json:"actor"`
		Role   string  `json:"role"`
		From   *string `json:"from"`
		To     string  `json:"to"`
		Reason *string `json:"note"`
	} `json:"history"`
	Resident map[string]any `json:"resident"`
}

func expectMoved(t *testing.T, who string, id int64, to, reason string) referralView {
	t.Helper()
	resp := move(t, who, id, to, reason)
	expectStatus(t, resp, http.StatusOK)
	var v referralView
	resp.json(t, &v)
	if v.Status != to {
		t.Fatalf("status %s after moving to %s", v.Status, to)
	}
	return v
}

// makeLate lets time pass for a sent referral of Babakan Ciparay: its
// response and completion targets lie behind it.
func makeLate(t *testing.T, referral int64) {
	t.Helper()
	ctx := context.Background()
	tdb, err := env.Postgres.Connect(ctx, "slrt_32_73_03")
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close(ctx)
	if _, err := tdb.Exec(ctx, `UPDATE referral SET response_due = current_date - 20, completion_due = current_date - 1 WHERE id = $1`, referral); err != nil {
		t.Fatal(err)
	}
}
