package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/slrt-id/slrt/internal/authz"
	"github.com/slrt-id/slrt/internal/password"
	"github.com/slrt-id/slrt/internal/store"
)

// DemoAccount is a demo staff account.
type DemoAccount struct {
	Username, Role, Domain string
}

// demoAccounts: a petugas and a koordinator in one kelurahan of each pilot
// kecamatan, a supervisor per kecamatan, Dinsos, Dinkes and Disdik staff, a
// city IT admin and an auditor.
func demoAccounts() []DemoAccount {
	var out []DemoAccount
	for _, p := range pilots {
		out = append(out,
			DemoAccount{"petugas." + p.short, "petugas", p.kelurahan},
			DemoAccount{"koordinator." + p.short, "koordinator", p.kelurahan},
			DemoAccount{"supervisor." + p.short, "supervisor", p.code})
	}
	return append(out,
		DemoAccount{"dinsos", "dinsos", "32.73"},
		DemoAccount{"dinkes", "agency", "agency:DINKES"},
		DemoAccount{"disdik", "agency", "agency:DISDIK"},
		DemoAccount{"cityit", "admin", "32.73"},
		DemoAccount{"auditor", "auditor", "32.73"})
}

// seed creates the demo accounts (those missing) and, on the first run, a
// small registry with complaints and referrals in every status, through the
// API as the demo staff would.
func (s *Stack) seed(ctx context.Context) error {
	s.step("creating the demo accounts")
	pool, err := pgxpool.New(ctx, s.pg.URL(s.pg.User, s.pg.Password, "slrt_control"))
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	hash, err := password.Hash(ctx, DemoPassword)
	if err != nil {
		return err
	}
	tokens := map[string]string{}
	for _, a := range demoAccounts() {
		acct, err := st.AccountByUsername(ctx, a.Username)
		if errors.Is(err, store.ErrNotFound) {
			if acct, err = st.CreateAccount(ctx, a.Username, "Demo "+a.Username, hash); err == nil {
				_, err = st.CreateGrant(ctx, acct.ID, authz.Role(a.Role), a.Domain, 0)
			}
		}
		if err != nil {
			return fmt.Errorf("while creating demo account %s: %w", a.Username, err)
		}
		// A short-lived token to seed with, as that member of staff.
		if _, secret, err := st.CreateToken(ctx, acct.ID, "make dev seed", time.Hour); err == nil {
			tokens[a.Username] = secret
		} else {
			return err
		}
		s.Accounts = append(s.Accounts, a)
	}
	marker := filepath.Join(s.o.Dir, "seeded")
	if _, err := os.Stat(marker); err == nil {
		s.step("demo registry already there (from an earlier run)")
		return nil
	}
	s.step("creating a small synthetic registry with complaints and referrals in every status")
	for i, p := range pilots {
		if err := s.seedKecamatan(ctx, p, i, tokens); err != nil {
			return fmt.Errorf("in %s: %w", p.name, err)
		}
	}
	return os.WriteFile(marker, []byte(time.Now().Format(time.RFC3339)+"\n"), 0o644)
}

// Names of residents, as they appear on Bandung family cards.
var (
	heads   = []string{"Asep Saepudin", "Dede Kurniawan", "Ujang Suherman", "Cecep Hidayat", "Yayan Sopyan", "Iwan Setiawan"}
	spouses = []string{"Euis Komariah", "Neneng Hasanah", "Imas Masitoh", "Siti Rohmah", "Yuyun Yuningsih", "Tati Suryati"}
	kids    = []string{"Muhammad Rizky", "Putri Aulia", "Dimas Pratama", "Nur Aisyah", "Fajar Ramadhan", "Salsabila"}
)

// seedKecamatan registers households and makes a referral in every status
// of the workflow, moved by the roles that move them.
func (s *Stack) seedKecamatan(ctx context.Context, p pilot, n int, tokens map[string]string) error {
	c := &apiClient{base: s.APIURL + "/api/v1", ctx: ctx}
	petugas, koordinator := tokens["petugas."+p.short], tokens["koordinator."+p.short]
	digits := strings.ReplaceAll(p.code, ".", "")
	kec := "/kecamatan/" + p.code
	serial := 0
	nik := func(sex string, birth time.Time) string {
		serial++
		day := birth.Day()
		if sex == "P" {
			day += 40
		}
		return fmt.Sprintf("%s%02d%02d%02d%04d", digits, day, int(birth.Month()), birth.Year()%100, serial)
	}
	var persons []float64
	for h := range 3 {
		i := (n*3 + h) % len(heads)
		hh, err := c.do(petugas, "POST", kec+"/keluarga", map[string]any{
			"noKK": fmt.Sprintf("%s1504%02d%04d", digits, 10+h, n*10+h+1),
			"house": map[string]any{"kelurahan": p.kelurahan, "rt": fmt.Sprintf("%03d", h+1), "rw": "004",
				"street": fmt.Sprintf("Jl. Contoh Gg. %d No. %d", h+1, 10+h), "floorMaterial": "semen", "waterSource": "sumur_bor"},
			"desil": h + 1, "programmes": []string{"PKH", "BPNT"}[:h%3], "monthlyIncome": 900000 + 300000*h,
		})
		if err != nil {
			return err
		}
		members := []struct {
			name, sex, rel string
			born           time.Time
		}{
			{heads[i], "L", "kepala_keluarga", time.Date(1975+h, time.Month(3+h), 12, 0, 0, 0, 0, time.UTC)},
			{spouses[i], "P", "istri", time.Date(1980+h, time.Month(7+h), 5, 0, 0, 0, 0, time.UTC)},
			{kids[i], []string{"L", "P"}[h%2], "anak", time.Date(2012+h, time.Month(1+h), 20, 0, 0, 0, 0, time.UTC)},
		}
		for _, m := range members {
			person, err := c.do(petugas, "POST", kec+"/penduduk", map[string]any{
				"nik": nik(m.sex, m.born), "name": m.name, "birthPlace": "Bandung", "birthDate": m.born.Format(time.DateOnly),
				"sex": m.sex, "householdId": hh["id"], "relationship": m.rel,
			})
			if err != nil {
				return err
			}
			persons = append(persons, person["id"].(float64))
		}
	}
	// One complaint per referral status, plus one new and one closed case.
	flows := []struct {
		service string
		steps   [][2]string // (who, status)
	}{
		{"PBI_JK", nil},
		{"PBI_JK", [][2]string{{"koordinator", "requested"}}},
		{"PBI_JK", [][2]string{{"koordinator", "requested"}, {"dinkes", "accepted"}}},
		{"PBI_JK", [][2]string{{"koordinator", "requested"}, {"dinkes", "rejected"}}},
		{"KIP_PIP", [][2]string{{"koordinator", "requested"}, {"disdik", "accepted"}, {"disdik", "in-progress"}}},
		{"KIP_PIP", [][2]string{{"koordinator", "requested"}, {"disdik", "accepted"}, {"disdik", "in-progress"}, {"disdik", "completed"}}},
		{"PBI_JK", [][2]string{{"koordinator", "requested"}, {"dinkes", "accepted"}, {"dinkes", "in-progress"}, {"dinkes", "failed"}}},
		{"PBI_JK", [][2]string{{"koordinator", "requested"}, {"koordinator", "cancelled"}}},
	}
	categories := map[string]string{"PBI_JK": "IURAN_BPJS", "KIP_PIP": "PUTUS_SEKOLAH"}
	for i, f := range flows {
		complaint, err := c.do(petugas, "POST", kec+"/keluhan", map[string]any{
			"personId": persons[i%len(persons)], "channel": []string{"datang_langsung", "whatsapp", "laporan_rt_rw", "telepon"}[i%4],
			"category": categories[f.service], "description": "Contoh keluhan untuk demo", "urgency": []string{"biasa", "segera"}[i%2],
		})
		if err != nil {
			return err
		}
		ref, err := c.do(petugas, "POST", kec+"/rujukan", map[string]any{
			"complaintId": complaint["id"], "service": f.service, "documentsProvided": []string{"KK"}})
		if err != nil {
			return err
		}
		for _, st := range f.steps {
			body := map[string]any{"status": st[1]}
			if st[1] == "rejected" || st[1] == "failed" || st[1] == "cancelled" {
				body["reason"] = "Contoh alasan untuk demo"
			}
			path := fmt.Sprintf("%s/rujukan/%v/status", kec, ref["id"])
			token := koordinator
			if st[0] != "koordinator" {
				path = fmt.Sprintf("/instansi/%s/rujukan/%s/%v/status", strings.ToUpper(st[0]), p.code, ref["id"])
				token = tokens[st[0]]
			}
			if _, err := c.do(token, "POST", path, body); err != nil {
				return err
			}
		}
	}
	if _, err := c.do(petugas, "POST", kec+"/keluhan", map[string]any{"personId": persons[len(persons)-1], "channel": "kunjungan_rumah",
		"category": "RTLH", "description": "Atap rumah bocor, dinding bambu lapuk", "urgency": "biasa"}); err != nil {
		return err
	}
	closed, err := c.do(petugas, "POST", kec+"/keluhan", map[string]any{"personId": persons[0], "channel": "datang_langsung",
		"category": "ADMINDUK", "description": "Butuh surat pengantar untuk KTP", "urgency": "biasa"})
	if err != nil {
		return err
	}
	_, err = c.do(koordinator, "POST", fmt.Sprintf("%s/keluhan/%v/tutup", kec, closed["id"]), map[string]any{"outcome": "selesai_di_kelurahan"})
	return err
}

// apiClient calls the API as a member of staff.
type apiClient struct {
	base string
	ctx  context.Context
}

// do sends a JSON request and decodes the answer. A 403 right after an
// account was made is retried for a moment: grants reach the API through a
// notification.
func (c *apiClient) do(token, method, path string, body any) (map[string]any, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, err := http.NewRequestWithContext(c.ctx, method, c.base+path, bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusForbidden && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if resp.StatusCode >= 300 {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out, nil
	}
}
