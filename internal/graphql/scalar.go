package graphql

import (
	"encoding/json"
	"fmt"
	"io"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/bazaar-market/bazaar/internal/apperr"
)

// MarshalStringMap writes the StringMap scalar: a JSON object of string
// values (an empty object for nil).
func MarshalStringMap(m map[string]string) gql.Marshaler {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m)
	return gql.WriterFunc(func(w io.Writer) { _, _ = w.Write(b) })
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
