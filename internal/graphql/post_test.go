package graphql

import (
	"bytes"
	"encoding/json"
	"testing"

	gql "github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestWriteResponseAsJSONMarshal(t *testing.T) {
	yes := true
	for _, resp := range []*gql.Response{
		{Data: json.RawMessage(`{"products":{"nodes":[{"id":"prd_1","title":"Lamp \"Nova\", 2 m","n":-1.5e3,"ok":true,"x":null}]}}`)},
		{Data: json.RawMessage(`{"a":"\\\"","b":"é ☃"}`)},
		{Data: json.RawMessage(`{"a":"<b>&amp;</b>"}`)},      // escaped for HTML
		{Data: json.RawMessage("{\"a\":\"line\u2028sep\"}")}, // escaped
		{Data: json.RawMessage(`{ "a" : [1, 2] }`)},          // compacted
		{Data: json.RawMessage("{\"a\":\n1}")},               // compacted
		{Data: json.RawMessage(`null`)},
		{},
		{Data: json.RawMessage(`{"a":1}`), Errors: gqlerror.List{{Message: "boom", Path: ast.Path{ast.PathName("a")}}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"k": 1}},
		{Data: json.RawMessage(`{"a":1}`), Label: "l", Path: ast.Path{ast.PathIndex(0)}, HasNext: &yes},
	} {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeResponse(&got, resp); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("writeResponse(%s)\n got %s\nwant %s", resp.Data, got.Bytes(), want)
		}
	}
}
