package httpapi

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
)

// maxUploadBytes bounds an upload form (an extract a kecamatan's size is a
// few MiB; the API's import takes up to 512 MiB).
const maxUploadBytes = maxImportBytes

type uploadKey struct{}

// upload is an upload form whose first part, the CSRF token, was read by
// authentication; its other parts are still to read, in order.
type upload struct {
	csrf  string
	parts *multipart.Reader
}

// withUpload reads an upload form's first part when it is the CSRF token.
func withUpload(w http.ResponseWriter, r *http.Request) *http.Request {
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	parts, err := r.MultipartReader()
	if err != nil {
		return r
	}
	u := &upload{parts: parts}
	if part, err := parts.NextPart(); err == nil && part.FormName() == "csrf_token" {
		token, _ := io.ReadAll(io.LimitReader(part, 256))
		u.csrf = string(token)
	}
	return r.WithContext(context.WithValue(r.Context(), uploadKey{}, u))
}

func uploadOf(r *http.Request) *upload {
	u, _ := r.Context().Value(uploadKey{}).(*upload)
	return u
}

// UploadParts returns the parts of an upload form after its CSRF token, to
// read in the form's order (fields before the file, so that a file streams
// through once), or nil for a request that is not one.
func UploadParts(r *http.Request) *multipart.Reader {
	if u := uploadOf(r); u != nil {
		return u.parts
	}
	return nil
}
