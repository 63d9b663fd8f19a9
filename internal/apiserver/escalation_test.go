package apiserver_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type escalationCase struct {
	Status      string `json:"status"`
	Escalations []struct {
		Reason    string  `json:"reason"`
		Status    string  `json:"status"`
		TakenBy   *string `json:"takenBy"`
		Decision  *string `json:"decision"`
		DecidedBy *string `json:"decidedBy"`
	} `json:"escalations"`
}

// A case the kelurahan cannot solve goes to Dinas Sosial: the koordinator
// escalates it with a reason, Dinas Sosial finds it in the city's queue,
// takes it and records the decision, and the case file shows each step.
func TestACaseEscalatedToDinasSosialIsTakenAndDecided(t *testing.T) {
	_, complaint := newCase(t)
	path := fmt.Sprintf("%s/keluhan/%d/eskalasi", kec("32.73.03"), complaint)
	escalate := map[string]any{"reason": "darurat", "note": "Lansia sendirian, rumah roboh, butuh penampungan malam ini"}

	expectStatus(t, do(t, "petugas", "POST", path, escalate), http.StatusForbidden)
	// "Agencies failed" needs two referrals failed or rejected.
	resp := do(t, "koordinator", "POST", path, map[string]any{"reason": "instansi_gagal", "note": "Belum ada"})
	expectStatus(t, resp, http.StatusUnprocessableEntity)
	expectField(t, resp, "/reason")
	resp = do(t, "koordinator", "POST", path, escalate)
	expectStatus(t, resp, http.StatusOK)
	var c escalationCase
	resp.json(t, &c)
	if len(c.Escalations) != 1 || c.Escalations[0].Status != "menunggu" || c.Escalations[0].Reason != "darurat" {
		t.Fatalf("escalated: %s", resp.body)
	}
	expectStatus(t, do(t, "koordinator", "POST", path, escalate), http.StatusConflict)

	// Dinas Sosial's queue shows it, emergencies first; no NIK or name.
	resp = do(t, "dinsos", "GET", "/api/v1/eskalasi", nil)
	expectStatus(t, resp, http.StatusOK)
	var queue struct {
		Items []struct {
			Kecamatan   string `json:"kecamatan"`
			ComplaintID int64  `json:"complaintId"`
			Reason      string `json:"reason"`
		} `json:"items"`
	}
	resp.json(t, &queue)
	found := false
	for i, it := range queue.Items {
		if it.Kecamatan == "32.73.03" && it.ComplaintID == complaint {
			found = true
		}
		if i > 0 && it.Reason == "darurat" && queue.Items[i-1].Reason != "darurat" {
			t.Errorf("an emergency after another case: %s", resp.body)
		}
	}
	if !found || strings.Contains(string(resp.body), "Asep") {
		t.Errorf("the queue: %s", resp.body)
	}

	decide := path + "/keputusan"
	expectStatus(t, do(t, "dinsos", "POST", decide, map[string]any{"decision": "Ditampung di panti"}), http.StatusConflict)
	expectStatus(t, do(t, "koordinator", "POST", path+"/ambil", nil), http.StatusForbidden)
	resp = do(t, "dinsos", "POST", path+"/ambil", nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &c)
	if c.Escalations[0].Status != "ditangani" || c.Escalations[0].TakenBy == nil || *c.Escalations[0].TakenBy != "dinsos" {
		t.Errorf("taken: %s", resp.body)
	}
	expectStatus(t, do(t, "dinsos", "POST", path+"/ambil", nil), http.StatusConflict)
	expectStatus(t, do(t, "dinsos", "POST", decide, map[string]any{"decision": ""}), http.StatusUnprocessableEntity)
	resp = do(t, "dinsos", "POST", decide, map[string]any{"decision": "Ditampung sementara di Panti Sosial Tresna Werdha; rumah diusulkan RTLH"})
	expectStatus(t, resp, http.StatusOK)

	// The kelurahan sees the decision in the case file; the queue is empty of it.
	resp = do(t, "koordinator", "GET", fmt.Sprintf("%s/keluhan/%d", kec("32.73.03"), complaint), nil)
	expectStatus(t, resp, http.StatusOK)
	resp.json(t, &c)
	if e := c.Escalations[0]; e.Status != "diputuskan" || e.Decision == nil || !strings.Contains(*e.Decision, "Panti") || *e.DecidedBy != "dinsos" {
		t.Errorf("decided: %s", resp.body)
	}
	resp = do(t, "dinsos", "GET", "/api/v1/eskalasi", nil)
	if strings.Contains(string(resp.body), fmt.Sprintf(`"complaintId":%d,`, complaint)) {
		t.Errorf("a decided case stays in the queue: %s", resp.body)
	}
	// Decided, it may be escalated again.
	expectStatus(t, do(t, "koordinator", "POST", path, escalate), http.StatusOK)
}

// Two referrals the agencies rejected make "agencies failed" a reason.
func TestACaseAgenciesFailedTwiceCanBeEscalated(t *testing.T) {
	_, complaint := newCase(t)
	for range 2 {
		id, _ := newReferral(t, complaint, "PBI_JK", "KTP", "KK")
		expectMoved(t, "koordinator", id, "requested", "")
		expectMoved(t, "dinkes", id, "rejected", "Bukan wewenang kami")
	}
	resp := do(t, "koordinator", "POST", fmt.Sprintf("%s/keluhan/%d/eskalasi", kec("32.73.03"), complaint),
		map[string]any{"reason": "instansi_gagal", "note": "Dua kali ditolak Dinkes"})
	expectStatus(t, resp, http.StatusOK)
}
