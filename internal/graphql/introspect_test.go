package graphql

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// Introspection runs through the rewritten marshallers too (plain fields,
// lists in turn, objectJSON): the schema it describes must be whole.
func TestIntrospectionThroughFastPaths(t *testing.T) {
	srv := New(Services{}, Options{})
	body := `{"query":"{__schema{queryType{name} types{name kind fields{name args{name} type{kind name ofType{kind name}}}}} p:__type(name:\"Product\"){name fields{name}}}"}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var resp struct {
		Data struct {
			Schema struct {
				QueryType struct{ Name string }
				Types     []struct {
					Name   string
					Kind   string
					Fields []struct{ Name string }
				}
			} `json:"__schema"`
			P struct {
				Name   string
				Fields []struct{ Name string }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("%d %v %.500s", rec.Code, err, rec.Body.String())
	}
	if resp.Data.Schema.QueryType.Name != "Query" || len(resp.Data.Schema.Types) < 50 {
		t.Fatalf("schema: query type %q, %d types", resp.Data.Schema.QueryType.Name, len(resp.Data.Schema.Types))
	}
	var product []string
	for _, f := range resp.Data.P.Fields {
		product = append(product, f.Name)
	}
	for _, want := range []string{"id", "title", "variants", "images", "seller", "rating", "reviews"} {
		if !slices.Contains(product, want) {
			t.Errorf("Product's fields %v lack %s", product, want)
		}
	}
}
