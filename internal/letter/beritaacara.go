package letter

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// BeritaAcara is what the minutes of a musyawarah kelurahan say: when and
// where it was held, who chaired and attended, and its decision on each
// proposal, with a signature block per attendee. The names of whom the
// proposals are about are listed; their NIK are not (the batch file
// carries them to Dinas Sosial).
type BeritaAcara struct {
	City, Kecamatan, Kelurahan string
	// Period is the proposal period's code.
	Period    string
	HeldOn    time.Time
	Place     string
	Chair     string
	Attendees []Attendee
	Notes     string
	Proposals []Decided
	// RecordedBy is who recorded the muskel.
	RecordedBy string
}

// Attendee is a person at the muskel, with their role as the minutes name
// it (Lurah, Ketua RW, TKSK, ...).
type Attendee struct{ Name, Role string }

// Decided is a proposal and the muskel's decision on it.
type Decided struct {
	Number  int64
	Subject string
	// Kind is the proposal's kind as the minutes name it.
	Kind   string
	Agreed bool
	Reason string
}

var weekdays = []string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// RenderBeritaAcara writes the minutes as a PDF (A4).
func RenderBeritaAcara(w io.Writer, b *BeritaAcara) error {
	pdf, tr := newDocument("Berita Acara Musyawarah Kelurahan "+b.Kelurahan+" "+b.Period, "Kelurahan "+b.Kelurahan)
	letterhead(pdf, tr, "PEMERINTAH "+strings.ToUpper(b.City), "KECAMATAN "+strings.ToUpper(b.Kecamatan),
		"KELURAHAN "+strings.ToUpper(b.Kelurahan))
	pdf.SetFont("Helvetica", "BU", 13)
	pdf.CellFormat(0, 7, "BERITA ACARA MUSYAWARAH KELURAHAN", "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, tr("Usulan Pemutakhiran Data Tunggal Sosial dan Ekonomi Nasional (DTSEN), periode "+b.Period), "", 1, "C", false, 0, "")
	pdf.Ln(5)

	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 5.5, tr(fmt.Sprintf("Pada hari ini %s, tanggal %s, bertempat di %s, telah dilaksanakan musyawarah kelurahan "+
		"Kelurahan %s untuk membahas usulan pemutakhiran data kesejahteraan sosial, dipimpin oleh %s dan dihadiri oleh:",
		weekdays[b.HeldOn.Weekday()], Tanggal(b.HeldOn), b.Place, b.Kelurahan, b.Chair)), "", "L", false)
	pdf.Ln(1)
	for i, a := range b.Attendees {
		pdf.CellFormat(8, 5.5, strconv.Itoa(i+1)+".", "", 0, "R", false, 0, "")
		pdf.CellFormat(0, 5.5, tr(" "+a.Name+" ("+a.Role+")"), "", 1, "L", false, 0, "")
	}
	pdf.Ln(2)
	pdf.MultiCell(0, 5.5, tr(fmt.Sprintf("Musyawarah membahas %d usulan dengan keputusan sebagai berikut:", len(b.Proposals))), "", "L", false)
	pdf.Ln(1)

	widths := []float64{10, 18, 50, 30, 24, 38}
	pdf.SetFont("Helvetica", "B", 9)
	for i, h := range []string{"No", "No. Usulan", "Nama", "Jenis usulan", "Keputusan", "Keterangan"} {
		pdf.CellFormat(widths[i], 7, tr(h), "1", 0, "C", false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	agreed := 0
	for i, p := range b.Proposals {
		decision := "Ditolak"
		if p.Agreed {
			decision, agreed = "Disepakati", agreed+1
		}
		cells := []string{strconv.Itoa(i + 1), strconv.FormatInt(p.Number, 10), p.Subject, p.Kind, decision, p.Reason}
		// A row as tall as its longest cell.
		lines := 1
		for j, c := range cells {
			lines = max(lines, len(pdf.SplitText(tr(c), widths[j]-2)))
		}
		h := 5 * float64(lines)
		if pdf.GetY()+h > 279 {
			pdf.AddPage()
		}
		x, y := pdf.GetXY()
		for j, c := range cells {
			pdf.Rect(x, y, widths[j], h, "D")
			pdf.SetXY(x+1, y+0.5)
			pdf.MultiCell(widths[j]-2, 5, tr(c), "", "L", false)
			x += widths[j]
		}
		pdf.SetXY(20, y+h)
	}
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 5.5, tr(fmt.Sprintf("Sebanyak %d usulan disepakati untuk diteruskan kepada Dinas Sosial untuk diverifikasi, dan %d usulan ditolak.",
		agreed, len(b.Proposals)-agreed)), "", "L", false)
	if b.Notes != "" {
		pdf.Ln(1)
		pdf.MultiCell(0, 5.5, tr("Catatan: "+b.Notes), "", "L", false)
	}
	pdf.Ln(1)
	pdf.MultiCell(0, 5.5, tr("Demikian berita acara ini dibuat untuk dipergunakan sebagaimana mestinya."), "", "L", false)
	pdf.Ln(3)
	pdf.CellFormat(0, 6, tr(strings.TrimPrefix(b.City, "Kota ")+", "+Tanggal(b.HeldOn)), "", 1, "R", false, 0, "")
	pdf.Ln(2)

	// A signature block per attendee, two to a row, the chair's first.
	for i, a := range b.Attendees {
		x := 20.0
		if i%2 == 1 {
			x = 110
		}
		if i%2 == 0 && pdf.GetY()+32 > 279 {
			pdf.AddPage()
		}
		y := pdf.GetY()
		pdf.SetXY(x, y)
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(80, 5, tr(a.Role), "", 2, "C", false, 0, "")
		pdf.SetXY(x, y+22)
		pdf.SetFont("Helvetica", "BU", 10)
		pdf.CellFormat(80, 5, tr(a.Name), "", 0, "C", false, 0, "")
		if i%2 == 1 || i == len(b.Attendees)-1 {
			pdf.SetXY(20, y+30)
		} else {
			pdf.SetXY(20, y)
		}
	}
	pdf.SetFont("Helvetica", "I", 8)
	pdf.CellFormat(0, 5, tr("Dicatat dalam SLRT oleh "+b.RecordedBy+"."), "", 1, "L", false, 0, "")
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("while writing the berita acara: %w", err)
	}
	return pdf.Output(w)
}
