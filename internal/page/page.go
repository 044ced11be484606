// Package page is how every list is paged, whichever door asks for it: a
// Page of items with an opaque cursor to the next one, and the limits on a
// page's size. Services return Pages; REST, GraphQL and gRPC encode them.
package page

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// Page is one page of a cursor-paginated list. NextCursor, when set, asks
// for the page after it.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// LimitRule is the field message for a page size outside 1..MaxLimit.
var LimitRule = fmt.Sprintf("must be an integer from 1 to %d", MaxLimit)

// Limit returns the page size n asks for: DefaultLimit when n is 0. Any
// other size outside 1..MaxLimit adds LimitRule on "limit" to f.
func Limit(f *apperr.Fields, n int) int {
	if n == 0 {
		return DefaultLimit
	}
	f.Check(n >= 1 && n <= MaxLimit, "limit", LimitRule)
	return n
}

// EncodeCursor makes an opaque cursor from v.
func EncodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor into v. A cursor that is
// not one of ours is a validation error on the "cursor" field.
func DecodeCursor(s string, v any) error {
	bad := apperr.Invalid("validation_failed", "the request has invalid fields",
		apperr.FieldError{Field: "cursor", Message: "is not a cursor this API returned"})
	if len(s) > 512 {
		return bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return bad
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bad
	}
	return nil
}
