package graphql

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/bazaar-market/bazaar/internal/apperr"
)

// MarshalStringMap writes the StringMap scalar: a JSON object of string
// values (an empty object for nil).
func MarshalStringMap(m map[string]string) gql.Marshaler {
	if m == nil {
		m = map[string]string{}
	}
	b, ok := plainStringMap(m)
	if !ok {
		b, _ = json.Marshal(m)
	}
	return gql.WriterFunc(func(w io.Writer) { _, _ = w.Write(b) })
}

// plainStringMap writes m as json.Marshal does (keys sorted) when no key
// or value needs escaping, without json.Marshal's reflection; ok is false
// otherwise.
func plainStringMap(m map[string]string) (b []byte, ok bool) {
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		if !plainJSONString(k) || !plainJSONString(v) {
			return nil, false
		}
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b = make([]byte, 0, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":"`...)
		b = append(b, m[k]...)
		b = append(b, '"')
	}
	return append(b, '}'), true
}

// plainJSONString reports whether json.Marshal writes s as is between
// quotes: printable ASCII, no quote, backslash or HTML-escaped <, >, &.
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

// UnmarshalStringMap reads an input object whose values are all strings.
func UnmarshalStringMap(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, apperr.Invalid("validation_failed", "a StringMap must be an object of strings")
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		s, ok := val.(string)
		if !ok {
			return nil, apperr.Invalid("validation_failed", fmt.Sprintf("the value of %q must be a string", k))
		}
		out[k] = s
	}
	return out, nil
}
