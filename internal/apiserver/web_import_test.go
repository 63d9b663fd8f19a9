package apiserver_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// upload submits the import form as a browser does: the CSRF token first
// (unless csrf is false), the boxes ticked, then the file.
func (b *browserClient) upload(path, filename, content string, csrf bool, boxes ...string) pageResp {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf {
		_ = mw.WriteField("csrf_token", b.csrf)
	}
	for _, box := range boxes {
		_ = mw.WriteField(box, "ya")
	}
	fw, _ := mw.CreateFormFile("berkas", filename)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", api.URL+path, &buf)
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return pageResp{resp.StatusCode, string(data), resp.Header.Get("Location")}
}

// Dinas Sosial imports an extract from the web app: the preview shows how
// the columns were read and what would be created, and keeps nothing; the
// load keeps it; a file with a bad row loads nothing and lists the line; a
// form without the session's token is refused; Puskesos staff have no
// import page.
func TestWebImportPreviewThenLoad(t *testing.T) {
	kk, head := newKK(), newNIK("P", "1966-06-06")
	file := "NO KK,NIK,NAMA,TEMPAT LAHIR,TGL LAHIR,JK,SHDK,KODE KELURAHAN,RT,RW,ALAMAT\n" +
		kk + "," + head + ",Oom Komariah,Bandung,06-06-1966,Perempuan,Kepala Keluarga,32.73.03.1005,4,9,Jl. Web Impor 1\n"
	dinsos := newBrowser(t)
	dinsos.signIn("dinsos")
	if r := dinsos.get("/kecamatan/32.73.03/keluhan"); !strings.Contains(r.body, `id="import-link"`) {
		t.Fatalf("the complaints page offers Dinsos no import: %s", r.body)
	}
	if r := dinsos.get("/kecamatan/32.73.03/impor"); r.status != http.StatusOK || !strings.Contains(r.body, `enctype="multipart/form-data"`) {
		t.Fatalf("the import page: %d %s", r.status, r.body)
	}
	found := func() bool {
		resp := do(t, "dinsos", "POST", kec("32.73.03")+"/penduduk/cari", map[string]any{"nik": head})
		return strings.Contains(string(resp.body), `"id"`)
	}

	r := dinsos.upload("/kecamatan/32.73.03/impor?aksi=pratinjau", "data.csv", file, true)
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="preview"`) || !strings.Contains(r.body, "<td>hubungan</td><td>SHDK</td>") ||
		!strings.Contains(r.body, `<td id="persons">1 baru, 0 diubah</td>`) {
		t.Fatalf("the preview: %d %s", r.status, r.body)
	}
	if found() {
		t.Fatal("the preview kept the resident")
	}

	bad := file + kk + "," + newNIK("L", "1990-01-01") + ",Salah Tanggal,Bandung,31-02-1990,L,Anak,32.73.03.1005,4,9,Jl. Web Impor 1\n"
	if r := dinsos.upload("/kecamatan/32.73.03/impor?aksi=muat", "data.csv", bad, true); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `id="refused"`) || !strings.Contains(r.body, "<td>3</td><td>tanggal_lahir</td>") {
		t.Fatalf("a file with a bad row: %d %s", r.status, r.body)
	}
	if found() {
		t.Fatal("a file with a bad row loaded its good one")
	}

	if r := dinsos.upload("/kecamatan/32.73.03/impor?aksi=muat", "data.csv", file, false); r.status != http.StatusForbidden {
		t.Fatalf("an upload without the session's token: %d %s", r.status, r.body)
	}
	if r := dinsos.upload("/kecamatan/32.73.03/impor?aksi=muat", "data.csv", file, true); r.status != http.StatusOK || !strings.Contains(r.body, `id="loaded"`) {
		t.Fatalf("the load: %d %s", r.status, r.body)
	}
	if !found() {
		t.Fatal("the load did not keep the resident")
	}

	petugas := newBrowser(t)
	petugas.signIn("petugas")
	if r := petugas.get("/kecamatan/32.73.03/impor"); r.status != http.StatusForbidden {
		t.Fatalf("a petugas's import page: %d", r.status)
	}
	if r := petugas.get("/kecamatan/32.73.03/keluhan"); strings.Contains(r.body, `id="import-link"`) {
		t.Error("the petugas is offered the import")
	}
}

// The file sent back with its problems: the same rows, a masalah column.
func TestWebImportSendsTheFileBackWithItsProblems(t *testing.T) {
	dinsos := newBrowser(t)
	dinsos.signIn("dinsos")
	dinsos.get("/kecamatan/32.73.03/impor")
	kk := newKK()
	file := "NO KK,NIK,NAMA,TEMPAT LAHIR,TGL LAHIR,JK,SHDK,KODE KELURAHAN,RT,RW,ALAMAT\n" +
		kk + "," + newNIK("L", "1970-07-07") + ",Ade Suryana,Bandung,07-07-1970,L,Kepala Keluarga,32.73.03.1005,1,1,Jl. Masalah 1\n" +
		kk + ",123,Anak Salah NIK,Bandung,01-01-2001,L,Anak,32.73.03.1005,1,1,Jl. Masalah 1\n"
	r := dinsos.upload("/kecamatan/32.73.03/impor?aksi=masalah", "kantor.csv", file, true)
	lines := strings.Split(strings.TrimSpace(r.body), "\n")
	if r.status != http.StatusOK || len(lines) != 3 || !strings.HasSuffix(lines[0], ",masalah") || !strings.HasSuffix(lines[1], ",") ||
		!strings.Contains(lines[2], `,"nik: must have exactly 16 digits`) {
		t.Fatalf("the file back: %d %s", r.status, r.body)
	}
}
