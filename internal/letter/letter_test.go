package letter_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slrt-id/slrt/internal/letter"
	"github.com/slrt-id/slrt/internal/letter/lettertest"
)

// The letter is a valid PDF whose text holds the tracking code, the
// service, the agency and the resident's name.
func TestLetterIsAValidPDFWithItsText(t *testing.T) {
	var buf bytes.Buffer
	l := &letter.Letter{TrackingCode: "327303-7KQ2M9XA", TrackingURL: "https://slrt.example/lacak/327303-7KQ2M9XA", City: "Kota Bandung",
		Kecamatan: "Babakan Ciparay", Kelurahan: "Sukahaji", Service: "Pendaftaran PBI-JK / KIS", Agency: "Dinas Kesehatan Kota Bandung",
		Resident: letter.Resident{Name: "Euis Komariah", NIK: "3273037011650001", NoKK: "3273031504100001", BirthPlace: "Bandung",
			BirthDate: time.Date(1965, 11, 30, 0, 0, 0, 0, time.UTC), Address: "Jl. Sukamaju 12, RT 003/RW 011, Sukahaji"},
		Documents: []letter.Document{{"KTP-el", true}, {"Surat keterangan tidak mampu", false}},
		SentAt:    time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), ResponseDue: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC),
		CompletionDue: time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC), Signer: "Dewi Lestari"}
	if err := letter.Render(&buf, l); err != nil {
		t.Fatal(err)
	}
	text := lettertest.PDFText(t, buf.Bytes())
	for _, want := range []string{"SURAT RUJUKAN", "327303-7KQ2M9XA", "Pendaftaran PBI-JK / KIS", "Dinas Kesehatan Kota Bandung",
		"Euis Komariah", "2 Desember 2026", "Dewi Lestari", "belum ada"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter's text lacks %q", want)
		}
	}
}

// The minutes of a muskel are a valid PDF listing every proposal with the
// decision, and a signature block for every attendee.
func TestBeritaAcaraListsTheDecisionsAndWhoSigns(t *testing.T) {
	b := &letter.BeritaAcara{City: "Kota Bandung", Kecamatan: "Babakan Ciparay", Kelurahan: "Sukahaji", Period: "2027-1",
		HeldOn: time.Date(2027, 2, 10, 0, 0, 0, 0, time.UTC), Place: "Aula Kelurahan Sukahaji", Chair: "Drs. Asep Saepudin",
		Attendees:  []letter.Attendee{{"Drs. Asep Saepudin", "Lurah"}, {"Ujang Suparman", "Ketua RW"}, {"Neneng Hasanah", "TKSK"}},
		RecordedBy: "koordinator"}
	for i := range 40 { // more than a page
		b.Proposals = append(b.Proposals, letter.Decided{Number: int64(100 + i), Subject: "Warga Usulan " + strconv.Itoa(i),
			Kind: "Keluarga baru", Agreed: i%3 != 0, Reason: "Sudah menerima bantuan daerah"})
	}
	var buf bytes.Buffer
	if err := letter.RenderBeritaAcara(&buf, b); err != nil {
		t.Fatal(err)
	}
	text := lettertest.PDFText(t, buf.Bytes())
	for _, want := range []string{"BERITA ACARA MUSYAWARAH KELURAHAN", "Rabu", "10 Februari 2027", "Warga Usulan 0", "Warga Usulan 39",
		"Disepakati", "Ditolak", "Sebanyak 26 usulan disepakati", "Ujang Suparman", "Neneng Hasanah", "TKSK"} {
		if !strings.Contains(text, want) {
			t.Errorf("the berita acara's text lacks %q", want)
		}
	}
}
