// Package rest is the HTTP edge shared by every module: strict JSON decoding,
// problem+json errors (RFC 9457), cursors, and the middleware every request
// passes through. It is the only place where error kinds become status codes.
package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// MaxBody is the default limit on a JSON request body.
const MaxBody = 1 << 20

// MaxFieldErrors is the most per-field errors a problem lists: a request
// with more invalid fields gets the first ones.
const MaxFieldErrors = 100

// Problem is an application/problem+json body.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail"`
	Code      string              `json:"code"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

var statusOf = map[apperr.Kind]int{
	apperr.KindInvalid:          http.StatusBadRequest,
	apperr.KindUnauthorized:     http.StatusUnauthorized,
	apperr.KindForbidden:        http.StatusForbidden,
	apperr.KindNotFound:         http.StatusNotFound,
	apperr.KindConflict:         http.StatusConflict,
	apperr.KindUnprocessable:    http.StatusUnprocessableEntity,
	apperr.KindRateLimited:      http.StatusTooManyRequests,
	apperr.KindTooLarge:         http.StatusRequestEntityTooLarge,
	apperr.KindUnavailable:      http.StatusServiceUnavailable,
	apperr.KindUnsupportedMedia: http.StatusUnsupportedMediaType,
}

// Status returns the HTTP status for err.
func Status(err error) int {
	if s, ok := statusOf[apperr.KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error writes err as problem+json. Unclassified errors are logged with the
// request ID and reach the client only as "internal error".
func Error(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	p := Problem{Status: status, Title: http.StatusText(status), RequestID: RequestID(r.Context())}
	if e, ok := apperr.As(err); ok && status != http.StatusInternalServerError {
		p.Code, p.Detail, p.Errors = e.Code, e.Message, e.Fields
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
		}
	} else {
		p.Code, p.Detail = "internal", "internal error"
		Logger(r.Context()).ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="bazaar"`)
	}
	writeProblem(w, r, p)
}

func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	status := p.Status
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	if p.RequestID == "" {
		p.RequestID = RequestID(r.Context())
	}
	p.Type = "urn:bazaar:problem:" + p.Code
	if len(p.Errors) > MaxFieldErrors {
		p.Errors = p.Errors[:MaxFieldErrors]
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// JSON writes v as a JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Decode reads exactly one JSON value from the request body into v. Unknown
// fields, trailing data, a wrong type or an oversized body are errors that
// name the problem, so clients can fix their request.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") && !strings.HasSuffix(strings.Split(ct, ";")[0], "+json") {
		return apperr.New(apperr.KindInvalid, "unsupported_media_type", "the body must be application/json, not %s", ct)
	}
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.Invalid("malformed_json", "the body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Invalid("empty_body", "the request body is empty; send a JSON object")
	case errors.As(err, &tooBig):
		return apperr.New(apperr.KindTooLarge, "body_too_large", "the request body is over %d bytes", tooBig.Limit)
	case errors.As(err, &syn):
		return apperr.Invalid("malformed_json", fmt.Sprintf("the body is not valid JSON (at byte %d)", syn.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("malformed_json", "the body is not valid JSON (it ends too soon)")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: field, Message: "must be " + jsonType(typ.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Invalid("unknown_field", fmt.Sprintf("unknown field %q", name),
			apperr.FieldError{Field: name, Message: "is not a known field"})
	}
	return apperr.Invalid("malformed_json", "the body is not valid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "of another type"
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLogger
	keyRoute
)

// RequestID returns the request's ID, "" outside a request.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// Logger returns the request-scoped logger (with its request ID), or the
// default logger outside a request.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// WithLogger returns ctx carrying l as its request-scoped logger.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, keyLogger, l)
}
