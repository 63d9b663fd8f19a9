package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const bnbaHeader = "no_kk,nik,nama,tempat_lahir,tanggal_lahir,jenis_kelamin,hubungan,pendidikan,pekerjaan,disabilitas,penyakit_kronis,hamil,status_keberadaan,kelurahan,rt,rw,alamat,id_dtks,desil,program,penghasilan,pengeluaran\n"

// Dinas Sosial loads a DTKS extract into Sukajadi with slrtctl and the
// slrt-api binary: a file with bad rows loads nothing and names every bad
// line; the clean file loads; loading it again changes nothing; the export
// as CSV and as XLSX loads back without changes.
func TestImportAndExportThroughTheBinaries(t *testing.T) {
	server, admin := startPlatform(t, "slrt_control_import")
	mustSlrtctl(t, "", append([]string{"kecamatan", "onboard", "32.73.07", "Sukajadi"}, admin...)...)
	mustSlrtctl(t, "dinas-sosial-2026\n", append([]string{"accounts", "create", "rahmat", "--display-name", "Rahmat (Dinsos)"}, admin...)...)
	mustSlrtctl(t, "", append([]string{"grants", "add", "rahmat", "dinsos", "32.73"}, admin...)...)
	dinsos := []string{"--server", server, "--token", strings.TrimSpace(mustSlrtctl(t, "dinas-sosial-2026\n", "login", "rahmat", "--server", server))}
	waitReady(t, admin, "32.73.07")

	dir := t.TempDir()
	good := []string{
		"3273071504100001,3273071203800001,Asep Saepudin,Bandung,1980-03-12,L,kepala_keluarga,sma,Buruh harian,,hipertensi,,tinggal,32.73.07.1001,3,11,Jl. Pasteur Gg. Sukamaju 12,DTKS-0001,2,PKH;BPNT,1.500.000,1200000",
		"3273071504100001,3273074507850002,Euis Komariah,Bandung,05-07-1985,P,istri,smp,,,,ya,,32.73.07.1001,003,011,Jl. Pasteur Gg. Sukamaju 12,DTKS-0001,2,PKH;BPNT,1500000,1200000",
		"3273071504100001,3273072001150003,Muhammad Rizky,Bandung,2015-01-20,L,anak,sd,,fisik,,,,32.73.07.1001,3,11,Jl. Pasteur Gg. Sukamaju 12,DTKS-0001,2,PKH;BPNT,1500000,1200000",
		"3273071604120002,3273076602700004,Imas Masitoh,Garut,1970-02-26,P,kepala_keluarga,sd,Pedagang,,diabetes;hipertensi,,tinggal,32.73.07.1002,5,2,Jl. Cipedes Tengah 40,,1,PBI_JK,800000,750000",
	}
	bad := []string{
		"3273071604120003,3273071203800009,Salah Kelamin,Bandung,1980-03-12,P,kepala_keluarga,,,,,,,32.73.07.1001,1,1,Jl. A,,,,,",
		"3273071604120004,3273071002900010,Di Kecamatan Lain,Bandung,1990-02-10,L,kepala_keluarga,,,,,,,32.73.04.1001,1,1,Jl. B,,,,,",
	}
	write := func(name string, lines ...string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(bnbaHeader+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	exported := func() string {
		path := filepath.Join(dir, fmt.Sprintf("export-%d.csv", time.Now().UnixNano()))
		mustSlrtctl(t, "", append([]string{"export", "32.73.07", "-f", path}, dinsos...)...)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	// Mixed: nothing loaded, both bad lines named with their field.
	out, err := runSlrtctl(t, "", append([]string{"import", "32.73.07", write("campur.csv", good[0], bad[0], good[1], bad[1], good[2], good[3])}, dinsos...)...)
	if err == nil {
		t.Fatalf("a file with bad rows imported:\n%s", out)
	}
	for _, want := range []string{"line 3, nik:", "line 5, kelurahan:", "nothing imported"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if got := exported(); got != bnbaHeader {
		t.Fatalf("rows were loaded from a file with problems:\n%s", got)
	}

	clean := write("bersih.csv", good...)
	out = mustSlrtctl(t, "", append([]string{"import", "32.73.07", clean}, dinsos...)...)
	if !strings.Contains(out, "4 rows: 4 loaded, 0 skipped; households 2 new, 0 updated; persons 4 new, 0 updated, 0 moved") {
		t.Errorf("first import: %s", out)
	}
	first := exported()
	if strings.Count(first, "\n") != 5 || !strings.Contains(first, "3273074507850002,Euis Komariah") {
		t.Errorf("export after the import:\n%s", first)
	}
	out = mustSlrtctl(t, "", append([]string{"import", "32.73.07", clean}, dinsos...)...)
	if !strings.Contains(out, "households 0 new, 0 updated; persons 0 new, 0 updated, 0 moved") {
		t.Errorf("the same file again changed something: %s", out)
	}

	// Round trips: the export, as CSV and as XLSX, loads back unchanged.
	for _, format := range []string{"csv", "xlsx"} {
		path := filepath.Join(dir, "ekspor."+format)
		mustSlrtctl(t, "", append([]string{"export", "32.73.07", "--format", format, "-f", path}, dinsos...)...)
		out := mustSlrtctl(t, "", append([]string{"import", "32.73.07", path}, dinsos...)...)
		if !strings.Contains(out, "4 rows: 4 loaded") || !strings.Contains(out, "households 0 new, 0 updated; persons 0 new, 0 updated, 0 moved") {
			t.Errorf("%s round trip: %s", format, out)
		}
	}
	if again := exported(); again != first {
		t.Errorf("the registry changed through the round trips:\n%s\nwas\n%s", again, first)
	}

	// --skip-invalid loads the good rows and reports the bad.
	out = mustSlrtctl(t, "", append([]string{"import", "32.73.07", "--skip-invalid", write("lewati.csv", bad[0], good[0])}, dinsos...)...)
	if !strings.Contains(out, "line 2, nik:") || !strings.Contains(out, "2 rows: 1 loaded, 1 skipped") {
		t.Errorf("skip-invalid: %s", out)
	}
	// Only Dinsos imports.
	if out, err := runSlrtctl(t, "", append([]string{"import", "32.73.07", clean}, admin...)...); err == nil || !strings.Contains(out, "403") {
		t.Errorf("city IT imported: %v %s", err, out)
	}
}

func waitReady(t *testing.T, admin []string, code string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out, _ := runSlrtctl(t, "", append([]string{"kecamatan", "list"}, admin...)...)
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, code) && strings.Contains(line, "true") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready:\n%s", code, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
