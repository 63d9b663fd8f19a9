// Package lettertest reads PDFs back in tests: valid, and with what text.
package lettertest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// PDFText validates a PDF with pdfcpu and returns the text of its content
// streams.
func PDFText(t testing.TB, data []byte) string {
	t.Helper()
	conf := model.NewDefaultConfiguration()
	if err := api.Validate(bytes.NewReader(data), conf); err != nil {
		t.Fatalf("not a valid PDF: %v", err)
	}
	var all strings.Builder
	err := api.ExtractContent(bytes.NewReader(data), nil, func(r io.Reader, _ int) error {
		_, err := io.Copy(&all, r)
		return err
	}, conf)
	if err != nil {
		t.Fatal(err)
	}
	return all.String()
}
