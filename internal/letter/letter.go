// Package letter renders the referral letter (surat rujukan) a resident
// takes to the receiving agency, as PDF: the Puskesos header, the resident,
// the service and agency, the documents checklist, the deadlines, the
// tracking code with its QR code, and the koordinator's signature block.
// The letter speaks Bahasa Indonesia.
package letter

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Letter is what a referral letter says.
type Letter struct {
	TrackingCode string
	// TrackingURL is where the resident follows the referral (the QR code's
	// content); empty: the QR code holds the tracking code alone.
	TrackingURL   string
	City          string // "Kota Bandung"
	Kecamatan     string
	Kelurahan     string
	Resident      Resident
	Service       string
	Agency        string
	Documents     []Document
	Note          string
	SentAt        time.Time
	ResponseDue   time.Time
	CompletionDue time.Time
	// Signer is the koordinator who sent the referral.
	Signer string
}

// Resident is the person referred.
type Resident struct {
	Name, NIK, NoKK, BirthPlace string
	BirthDate                   time.Time
	Address                     string
}

// Document is a required document and whether the resident provided it.
type Document struct {
	Name     string
	Provided bool
}

var months = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// Tanggal writes a date the Indonesian way: 27 November 2026.
func Tanggal(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// newDocument starts an A4 document in the letters' margins, with a
// translator from UTF-8 to the core fonts' code page.
func newDocument(title, author string) (*fpdf.Fpdf, func(string) string) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("SLRT", true)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddPage()
	return pdf, pdf.UnicodeTranslatorFromDescriptor("")
}

// letterhead writes the kop surat: the issuing offices, centred, ruled off.
func letterhead(pdf *fpdf.Fpdf, tr func(string) string, lines ...string) {
	pdf.SetFont("Helvetica", "B", 12)
	for _, line := range lines {
		pdf.CellFormat(0, 6, tr(line), "", 1, "C", false, 0, "")
	}
	y := pdf.GetY() + 2
	pdf.Line(20, y, 190, y)
	pdf.Ln(6)
}

// Render writes the letter as a PDF (A4).
func Render(w io.Writer, l *Letter) error {
	pdf, tr := newDocument("Surat Rujukan "+l.TrackingCode, "Puskesos Kelurahan "+l.Kelurahan)
	letterhead(pdf, tr, "PEMERINTAH "+strings.ToUpper(l.City), "KECAMATAN "+strings.ToUpper(l.Kecamatan),
		"PUSAT KESEJAHTERAAN SOSIAL (PUSKESOS) KELURAHAN "+strings.ToUpper(l.Kelurahan))
	pdf.SetFont("Helvetica", "BU", 13)
	pdf.CellFormat(0, 7, "SURAT RUJUKAN", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, tr("Kode lacak: "+l.TrackingCode), "", 1, "C", false, 0, "")
	pdf.Ln(5)

	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 5.5, tr("Yang bertanda tangan di bawah ini, Koordinator Puskesos Kelurahan "+l.Kelurahan+
		", dengan hormat merujuk warga berikut:"), "", "L", false)
	pdf.Ln(2)
	r := l.Resident
	rows := [][2]string{
		{"Nama", r.Name},
		{"NIK", r.NIK},
		{"No. KK", r.NoKK},
		{"Tempat, tanggal lahir", r.BirthPlace + ", " + Tanggal(r.BirthDate)},
		{"Alamat", r.Address},
	}
	field := func(label, value string) {
		pdf.CellFormat(50, 6, tr(label), "", 0, "L", false, 0, "")
		pdf.CellFormat(4, 6, ":", "", 0, "L", false, 0, "")
		pdf.MultiCell(0, 6, tr(value), "", "L", false)
	}
	for _, row := range rows {
		field(row[0], row[1])
	}
	pdf.Ln(3)
	pdf.CellFormat(0, 6, tr("untuk mendapatkan layanan:"), "", 1, "L", false, 0, "")
	field("Layanan", l.Service)
	field("Instansi tujuan", l.Agency)
	field("Batas tanggapan", Tanggal(l.ResponseDue))
	field("Batas penyelesaian", Tanggal(l.CompletionDue))
	if l.Note != "" {
		field("Catatan", l.Note)
	}
	pdf.Ln(3)
	pdf.CellFormat(0, 6, tr("Dokumen persyaratan:"), "", 1, "L", false, 0, "")
	for _, d := range l.Documents {
		mark, state := "[v]", "dilampirkan"
		if !d.Provided {
			mark, state = "[  ]", "belum ada"
		}
		pdf.CellFormat(10, 6, mark, "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 6, tr(d.Name+" ("+state+")"), "", 1, "L", false, 0, "")
	}
	if len(l.Documents) == 0 {
		pdf.CellFormat(0, 6, tr("(tidak ada dokumen yang dipersyaratkan)"), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	pdf.MultiCell(0, 5.5, tr("Mohon instansi tujuan menanggapi rujukan ini melalui aplikasi SLRT. Warga dapat melihat status rujukan "+
		"dengan kode lacak di atas atau memindai kode QR di bawah."), "", "L", false)

	// QR code bottom left, signature block bottom right.
	content := l.TrackingCode
	if l.TrackingURL != "" {
		content = l.TrackingURL
	}
	png, err := qrcode.Encode(content, qrcode.Medium, 256)
	if err != nil {
		return fmt.Errorf("while making the QR code: %w", err)
	}
	top := pdf.GetY() + 6
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	pdf.ImageOptions("qr", 20, top, 35, 35, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetXY(20, top+36)
	pdf.SetFont("Helvetica", "", 8)
	pdf.CellFormat(90, 4, tr(content), "", 0, "L", false, 0, "")

	pdf.SetFont("Helvetica", "", 11)
	pdf.SetXY(115, top)
	pdf.CellFormat(75, 6, tr(strings.TrimPrefix(l.City, "Kota ")+", "+Tanggal(l.SentAt)), "", 2, "C", false, 0, "")
	pdf.CellFormat(75, 6, tr("Koordinator Puskesos"), "", 2, "C", false, 0, "")
	pdf.CellFormat(75, 6, tr("Kelurahan "+l.Kelurahan), "", 2, "C", false, 0, "")
	pdf.SetY(pdf.GetY() + 18)
	pdf.SetX(115)
	pdf.SetFont("Helvetica", "BU", 11)
	pdf.CellFormat(75, 6, tr(l.Signer), "", 2, "C", false, 0, "")

	if err := pdf.Error(); err != nil {
		return fmt.Errorf("while writing the letter: %w", err)
	}
	return pdf.Output(w)
}
