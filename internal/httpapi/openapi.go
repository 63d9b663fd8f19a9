package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// The OpenAPI 3.1 description of the API. A test holds it and the router to
// the same routes, both ways; requests are validated against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument is the API's description, openapi.json.
func OpenAPIDocument() []byte { return openAPIDocument }

// serveOpenAPI serves the OpenAPI 3.1 description of this API.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
}

var (
	requestValidator     validator.Validator
	requestValidatorErr  error
	requestValidatorOnce sync.Once
)

// openAPIValidator builds the request validator once. libopenapi-validator
// is used because it implements OpenAPI 3.1 (JSON Schema 2020-12) in full.
func openAPIValidator() (validator.Validator, error) {
	requestValidatorOnce.Do(func() {
		doc, err := libopenapi.NewDocument(openAPIDocument)
		if err != nil {
			requestValidatorErr = fmt.Errorf("while reading openapi.json: %w", err)
			return
		}
		v, errs := validator.NewValidator(doc, config.WithoutSecurityValidation(), config.WithRegexCache(&sync.Map{}))
		if len(errs) > 0 {
			requestValidatorErr = fmt.Errorf("while building the request validator: %v", errs)
			return
		}
		requestValidator = v
	})
	return requestValidator, requestValidatorErr
}

// validateRequest checks query, headers and body against the OpenAPI
// description and answers 422 with the offending fields.
func validateRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A GET with neither query nor body has only path parameters, which
		// the router's own checks hold to the same patterns (a malformed
		// code or id is a 404 before any handler runs). Validating it again
		// costs a third of the API's throughput (docs/benchmarks.md).
		if r.Method == http.MethodGet && r.ContentLength == 0 && r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		v, err := openAPIValidator()
		if err != nil {
			serverError(w, r, err)
			return
		}
		if r.Body != nil && r.ContentLength != 0 {
			// The validator reads the body; keep a copy for the handler.
			data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
			if err != nil {
				problem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", maxBodyBytes))
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
				problem(w, r, http.StatusUnsupportedMediaType, "Send application/json.")
				return
			}
			if !json.Valid(data) {
				problem(w, r, http.StatusBadRequest, "The body is not valid JSON.")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(data))
			clone := r.Clone(r.Context())
			clone.Body = io.NopCloser(bytes.NewReader(data))
			if ok, errs := v.ValidateHttpRequest(clone); !ok {
				invalid(w, r, fieldErrors(errs)...)
				return
			}
		} else if ok, errs := v.ValidateHttpRequest(r); !ok {
			invalid(w, r, fieldErrors(errs)...)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fieldErrors turns validation errors into field errors: a JSON pointer into
// the body, or the parameter's name.
func fieldErrors(errs []*verrors.ValidationError) []FieldError {
	var out []FieldError
	for _, e := range errs {
		if len(e.SchemaValidationErrors) == 0 {
			field := e.ParameterName
			if field == "" {
				field = "/"
			}
			out = append(out, FieldError{Field: field, Code: "openapi." + e.ValidationType, Message: e.Message})
			continue
		}
		for _, s := range e.SchemaValidationErrors {
			field := "/" + strings.Join(s.InstancePath, "/")
			if e.ParameterName != "" {
				field = e.ParameterName // a parameter, not the body
			}
			if extra := additionalProperty(s.Reason); extra != "" {
				field = strings.TrimSuffix(field, "/") + "/" + extra
			}
			out = append(out, FieldError{Field: field, Code: "openapi.schema", Message: s.Reason})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// additionalProperty returns the name in "additional properties 'x' not
// allowed", so the error points at the unknown field itself.
func additionalProperty(reason string) string {
	const prefix = "additional properties '"
	i := strings.Index(reason, prefix)
	if i < 0 {
		return ""
	}
	rest := reason[i+len(prefix):]
	if j := strings.IndexByte(rest, '\''); j > 0 {
		return rest[:j]
	}
	return ""
}
