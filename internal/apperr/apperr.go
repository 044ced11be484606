// Package apperr classifies errors where they are known so that every edge
// (REST, GraphQL, gRPC) maps them the same way. An error without a kind is an
// internal error: the client sees "internal error" and the detail is logged.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind is the class of an error, independent of any transport.
type Kind int

const (
	KindInternal         Kind = iota
	KindInvalid               // the request is malformed or fails validation
	KindUnauthorized          // no or bad credentials
	KindForbidden             // authenticated but not allowed (used sparingly: other's resources are NotFound)
	KindNotFound              // missing, or not visible to the caller
	KindConflict              // the resource's state forbids the change
	KindUnprocessable         // well-formed but semantically refused (e.g. idempotency key reuse)
	KindRateLimited           // too many attempts; RetryAfter says when to come back
	KindTooLarge              // the body or upload is over its limit
	KindUnavailable           // a dependency is down; safe to retry
	KindUnsupportedMedia      // the body or upload is of a type not accepted
)

// FieldError names one invalid input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a classified error with a stable machine code and a message that
// is safe to show to clients.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Fields     []FieldError
	RetryAfter time.Duration
	Err        error // optional cause, never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind with a machine code and a formatted message.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports a missing resource (or one the caller may not see).
func NotFound(format string, args ...any) error {
	return New(KindNotFound, "not_found", format, args...)
}

// Conflict reports that the resource's current state forbids the change.
func Conflict(code, format string, args ...any) error {
	return New(KindConflict, code, format, args...)
}

// Unauthorized reports missing or bad credentials.
func Unauthorized(code, format string, args ...any) error {
	return New(KindUnauthorized, code, format, args...)
}

// Forbidden reports an authenticated caller lacking the role for an action.
func Forbidden(format string, args ...any) error {
	return New(KindForbidden, "forbidden", format, args...)
}

// Unprocessable reports a well-formed request the server refuses.
func Unprocessable(code, format string, args ...any) error {
	return New(KindUnprocessable, code, format, args...)
}

// RateLimited reports too many attempts; the client may retry after d.
func RateLimited(d time.Duration, format string, args ...any) error {
	e := New(KindRateLimited, "rate_limited", format, args...)
	e.RetryAfter = d
	return e
}

// Invalid reports a validation failure with per-field errors.
func Invalid(code, message string, fields ...FieldError) error {
	return &Error{Kind: KindInvalid, Code: code, Message: message, Fields: fields}
}

// As returns the classified error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// KindOf returns the kind of err, KindInternal for unclassified errors.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return KindInternal
}

// Is reports whether err is classified as kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// CodeOf returns the machine code of err, "" for unclassified errors.
func CodeOf(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return ""
}

// Fields collects validation failures:
//
//	var v apperr.Fields
//	v.Check(req.Email != "", "email", "is required")
//	if err := v.Err(); err != nil { return err }
type Fields []FieldError

// Check records message for field unless ok.
func (f *Fields) Check(ok bool, field, message string) {
	if !ok {
		*f = append(*f, FieldError{Field: field, Message: message})
	}
}

// Add records a failure for field.
func (f *Fields) Add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

// Err returns a validation error listing every failure, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid("validation_failed", "the request has invalid fields", f...)
}
