package rest_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/rest"
)

type base struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

type gadget struct {
	base
	Name   string            `json:"name"`
	Note   string            `json:"note,omitempty"`
	Parent *string           `json:"parent_id"`
	Price  money.Money       `json:"price"`
	Labels map[string]string `json:"labels"`
	Parts  []part            `json:"parts"`
	Count  int64             `json:"count,string"`
	Hidden string            `json:"-"`
	//lint:ignore U1000 an unexported field must not reach the schema
	internal string
	Next     *gadget `json:"next,omitempty"`
}

type part struct {
	SKU string `json:"sku"`
}

type gadgetInput struct {
	Name string `json:"name"`
}

func spec(ops ...rest.Op) rest.Spec {
	return rest.Spec{Title: "Test", Version: "1", Ops: ops,
		MutatingParams: []rest.Param{{Name: "Idempotency-Key", In: "header", MaxLength: 255}},
		MutatingErrors: []int{409, 422}}
}

func generate(t *testing.T, s rest.Spec) map[string]any {
	t.Helper()
	b, err := rest.OpenAPI(s)
	if err != nil {
		t.Fatalf("OpenAPI: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	return doc
}

// at walks a decoded JSON document along keys.
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s is %T, not an object", strings.Join(keys[:i], "."), v)
		}
		v, ok = m[k]
		if !ok {
			t.Fatalf("%s has no %q", strings.Join(keys[:i], "."), k)
		}
	}
	return v
}

// asJSON normalises a Go literal to what decoding the document gives.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func TestOpenAPISchemas(t *testing.T) {
	doc := generate(t, spec(
		rest.Op{Method: "GET", Path: "/api/v1/gadget/{id}", Summary: "One gadget", Auth: rest.AuthNone, Response: gadget{}},
		rest.Op{Method: "GET", Path: "/api/v1/gadget", Summary: "Gadgets", Auth: rest.AuthNone, Response: page.Page[gadget]{}},
	))
	schemas := at(t, doc, "components", "schemas")
	text := map[string]any{"type": "string", "maxLength": rest.MaxBody}
	tests := []struct {
		name string
		want any
	}{
		{"Gadget", map[string]any{
			"type":                 "object",
			"additionalProperties": false,
			"required":             []string{"count", "created_at", "id", "labels", "name", "parts", "price"},
			"properties": map[string]any{
				"id":         text,
				"created_at": map[string]any{"type": "string", "format": "date-time", "maxLength": 35},
				"name":       text,
				"note":       text,
				"parent_id":  map[string]any{"type": []string{"string", "null"}, "maxLength": rest.MaxBody},
				"price":      map[string]any{"$ref": "#/components/schemas/Money"},
				"labels":     map[string]any{"type": "object", "additionalProperties": text},
				"parts":      map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/Part"}},
				"count":      map[string]any{"type": "string", "maxLength": 32, "pattern": "^-?[0-9.eE+-]+$"},
				"next":       map[string]any{"oneOf": []any{map[string]any{"$ref": "#/components/schemas/Gadget"}, map[string]any{"type": "null"}}},
			},
		}},
		{"Part", map[string]any{"type": "object", "required": []string{"sku"}, "additionalProperties": false,
			"properties": map[string]any{"sku": text}}},
		{"GadgetPage", map[string]any{"type": "object", "required": []string{"items"}, "additionalProperties": false,
			"properties": map[string]any{
				"items":       map[string]any{"type": "array", "maxItems": page.MaxLimit, "items": map[string]any{"$ref": "#/components/schemas/Gadget"}},
				"next_cursor": text,
			}}},
		{"Money", map[string]any{"type": "object", "required": []string{"amount", "currency"},
			"description":          at(t, schemas, "Money", "description"),
			"additionalProperties": false,
			"properties": map[string]any{
				"amount":   map[string]any{"type": "integer", "format": "int64", "minimum": int64(math.MinInt64), "maximum": int64(math.MaxInt64)},
				"currency": map[string]any{"type": "string", "pattern": "^[A-Z]{3}$", "maxLength": 3},
			}}},
		{"FieldError", map[string]any{"type": "object", "required": []string{"field", "message"}, "additionalProperties": false,
			"properties": map[string]any{"field": text, "message": text}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(asJSON(t, tt.want), at(t, schemas, tt.name)); diff != "" {
			t.Errorf("schema %s (-want +got):\n%s", tt.name, diff)
		}
	}
	problem := at(t, schemas, "Problem", "properties").(map[string]any)
	for _, f := range []string{"type", "title", "status", "detail", "code", "errors", "request_id"} {
		if problem[f] == nil {
			t.Errorf("Problem has no property %q: %v", f, problem)
		}
	}
}

func TestOpenAPIOperation(t *testing.T) {
	doc := generate(t, spec(rest.Op{
		ID: "updateGadget", Method: "PUT", Path: "/api/v1/gadget/{id}/part/{part_id}", Summary: "Update a part",
		Tags: []string{"gadget"}, Auth: rest.AuthBearer, Roles: []auth.Role{auth.Seller, auth.Admin},
		Params: []rest.Param{
			{Name: "part_id", In: "path", Description: "the part's SKU"},
			{Name: "dry_run", Type: "boolean"},
		},
		Request: gadgetInput{}, Response: gadget{}, Errors: []int{404},
		Headers: []rest.Param{{Name: "Location", Description: "the gadget"}},
	}))
	op := at(t, doc, "paths", "/api/v1/gadget/{id}/part/{part_id}", "put")
	want := map[string]any{
		"operationId": "updateGadget",
		"summary":     "Update a part",
		"description": "Requires the role seller or admin.",
		"tags":        []string{"gadget"},
		"x-roles":     []string{"seller", "admin"},
		"security":    []any{map[string]any{"sellerBearer": []any{}}, map[string]any{"adminBearer": []any{}}},
		"parameters": []any{
			map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string", "maxLength": rest.MaxBody}},
			map[string]any{"name": "part_id", "in": "path", "required": true, "description": "the part's SKU", "schema": map[string]any{"type": "string", "maxLength": rest.MaxBody}},
			map[string]any{"name": "dry_run", "in": "query", "schema": map[string]any{"type": "boolean"}},
			map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string", "maxLength": 255}},
		},
		"requestBody": map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/GadgetInput"}}}},
	}
	got := op.(map[string]any)
	responses := got["responses"].(map[string]any)
	delete(got, "responses")
	if diff := cmp.Diff(asJSON(t, want), any(got)); diff != "" {
		t.Errorf("operation (-want +got):\n%s", diff)
	}
	var codes []string
	for code, r := range responses {
		codes = append(codes, code)
		if code[0] == '2' {
			continue
		}
		name, ok := strings.CutPrefix(at(t, r, "$ref").(string), "#/components/responses/")
		if !ok {
			t.Errorf("response %s = %v, want a $ref to a component response", code, r)
			continue
		}
		ref := at(t, doc, "components", "responses", name, "content", "application/problem+json", "schema", "$ref")
		if ref != "#/components/schemas/Problem" {
			t.Errorf("response %s schema = %v, want the Problem", code, ref)
		}
	}
	wantCodes := []string{"200", "400", "401", "403", "404", "409", "413", "422", "429", "500", "default"}
	slices.Sort(codes)
	if diff := cmp.Diff(wantCodes, codes); diff != "" {
		t.Errorf("response codes (-want +got):\n%s", diff)
	}
	if h := at(t, responses, "200", "headers", "Location", "schema", "type"); h != "string" {
		t.Errorf("Location header type = %v, want string", h)
	}
}

func TestOpenAPIDefaults(t *testing.T) {
	doc := generate(t, spec(
		rest.Op{Method: "DELETE", Path: "/api/v1/gadget/{id}", Summary: "Delete", Auth: rest.AuthOptional},
		rest.Op{Method: "POST", Path: "/api/v1/gadget/{id}/image", Summary: "Upload", Auth: rest.AuthNone,
			Request: rest.File{Types: []string{"image/png"}, Field: "file"}, Response: rest.File{Types: []string{"image/png"}}, Status: 201},
	))
	del := at(t, doc, "paths", "/api/v1/gadget/{id}", "delete")
	if got := at(t, del, "operationId"); got != "deleteApiV1GadgetId" {
		t.Errorf("derived operationId = %v", got)
	}
	if _, ok := at(t, del, "responses").(map[string]any)["204"]; !ok {
		t.Errorf("an Op without Response should answer 204: %v", at(t, del, "responses"))
	}
	if got, want := asJSON(t, at(t, del, "security")), asJSON(t, []any{map[string]any{}, map[string]any{"bearer": []any{}}}); !cmp.Equal(got, want) {
		t.Errorf("optional auth security = %v, want %v", got, want)
	}
	up := at(t, doc, "paths", "/api/v1/gadget/{id}/image", "post")
	for _, path := range [][]string{
		{"requestBody", "content", "image/png", "schema", "contentMediaType"},
		{"requestBody", "content", "multipart/form-data", "schema", "properties", "file"},
		{"responses", "201", "content", "image/png"},
		{"security"},
	} {
		at(t, up, path...)
	}
	// A public route still refuses a bad token.
	if _, ok := at(t, up, "responses").(map[string]any)["401"]; !ok {
		t.Errorf("a public Op should list 401 (a bad token)")
	}
}

func TestOpenAPIRejects(t *testing.T) {
	ok := rest.Op{Method: "GET", Path: "/api/v1/x/{id}", Summary: "X", Auth: rest.AuthNone}
	tests := []struct {
		name string
		ops  []rest.Op
		want string
	}{
		{"no summary", []rest.Op{{Method: "GET", Path: "/x", Auth: rest.AuthNone}}, "no summary"},
		{"no auth", []rest.Op{{Method: "GET", Path: "/x", Summary: "X"}}, "auth must be"},
		{"bad method", []rest.Op{{Method: "FETCH", Path: "/x", Summary: "X", Auth: rest.AuthNone}}, "method must be"},
		{"roles on public", []rest.Op{{Method: "GET", Path: "/x", Summary: "X", Auth: rest.AuthNone, Roles: []auth.Role{auth.Admin}}}, "roles need"},
		{"twice", []rest.Op{ok, ok}, "described twice"},
		{"unknown path param", []rest.Op{{Method: "GET", Path: "/x", Summary: "X", Auth: rest.AuthNone,
			Params: []rest.Param{{Name: "id", In: "path"}}}}, "not in the path"},
		{"no JSON form", []rest.Op{{Method: "GET", Path: "/x", Summary: "X", Auth: rest.AuthNone, Response: struct{ C chan int }{}}}, "no JSON form"},
		{"bad status", []rest.Op{{Method: "GET", Path: "/x", Summary: "X", Auth: rest.AuthNone, Errors: []int{200}}}, "not 4xx"},
	}
	for _, tt := range tests {
		_, err := rest.OpenAPI(spec(tt.ops...))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: OpenAPI err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestOpenAPIPath(t *testing.T) {
	tests := []struct {
		in, path string
		params   []string
	}{
		{"/api/v1/order/{id}", "/api/v1/order/{id}", []string{"id"}},
		{"/files/{path...}", "/files/{path}", []string{"path"}},
		{"/{$}", "/", nil},
		{"/api/v1/product/{id}/image/{image_id}", "/api/v1/product/{id}/image/{image_id}", []string{"id", "image_id"}},
	}
	for _, tt := range tests {
		if got := rest.OpenAPIPath(tt.in); got != tt.path {
			t.Errorf("OpenAPIPath(%q) = %q, want %q", tt.in, got, tt.path)
		}
		if diff := cmp.Diff(tt.params, rest.PathParams(tt.in)); diff != "" {
			t.Errorf("PathParams(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestOpenAPIEdgeHeaders(t *testing.T) {
	doc := generate(t, spec(rest.Op{Method: "GET", Path: "/api/v1/gadget/{id}", Summary: "One gadget", Auth: rest.AuthNone, Response: gadget{}}))
	op := at(t, doc, "paths", "/api/v1/gadget/{id}", "get")
	for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", "Access-Control-Allow-Origin"} {
		if ref := at(t, op, "responses", "200", "headers", h, "$ref"); ref != "#/components/headers/"+h {
			t.Errorf("200 header %s = %v, want a $ref to the component", h, ref)
		}
		at(t, doc, "components", "responses", "TooManyRequests", "headers", h)
		at(t, doc, "components", "headers", h, "schema")
	}
	at(t, doc, "components", "responses", "TooManyRequests", "headers", "Retry-After")
	if _, ok := at(t, doc, "components", "responses", "InternalServerError", "headers").(map[string]any)["Retry-After"]; ok {
		t.Errorf("a 500 should not document Retry-After")
	}
}

func TestOpenAPIConstraints(t *testing.T) {
	min, max := int64(1), int64(5)
	op := rest.Op{Method: "POST", Path: "/api/v1/gadget", Summary: "Make", Auth: rest.AuthBearer,
		Request: gadget{}, Response: gadget{},
		Limits: []rest.Constraint{
			{Of: gadget{}, Field: "name", MinLength: 1, MaxLength: 40},
			{Of: gadget{}, Field: "labels", MaxItems: 3, MaxLength: 10},
			{Of: gadget{}, Field: "parts", MaxItems: 7},
			{Of: gadget{}, Field: "id", Pattern: "^g_[a-z]+$", MaxLength: 20}, // promoted from base
			{Of: part{}, Field: "sku", Enum: []string{"a", "b"}},
			{Of: gadgetInput{}, Field: "name", Min: &min, Max: &max},
		}}
	_, err := rest.OpenAPI(spec(op))
	if err == nil || !strings.Contains(err.Error(), "gadgetInput") {
		t.Fatalf("OpenAPI with a limit on a type no operation uses: err = %v, want one naming it", err)
	}
	op.Limits = op.Limits[:5]
	doc := generate(t, spec(op))
	props := at(t, doc, "components", "schemas", "Gadget", "properties")
	tests := []struct {
		path []string
		want any
	}{
		{[]string{"name"}, map[string]any{"type": "string", "minLength": 1, "maxLength": 40}},
		{[]string{"labels"}, map[string]any{"type": "object", "maxProperties": 3, "additionalProperties": map[string]any{"type": "string", "maxLength": 10}}},
		{[]string{"parts"}, map[string]any{"type": "array", "maxItems": 7, "items": map[string]any{"$ref": "#/components/schemas/Part"}}},
		{[]string{"id"}, map[string]any{"type": "string", "pattern": "^g_[a-z]+$", "maxLength": 20}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(asJSON(t, tt.want), at(t, props, tt.path...)); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.path, diff)
		}
	}
	if got := at(t, doc, "components", "schemas", "Part", "properties", "sku"); !cmp.Equal(asJSON(t, map[string]any{"type": "string", "enum": []string{"a", "b"}}), got) {
		t.Errorf("sku = %v, want the enum without maxLength", got)
	}

	op.Limits = []rest.Constraint{{Of: gadget{}, Field: "colour", MaxLength: 3}}
	if _, err := rest.OpenAPI(spec(op)); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("OpenAPI with a limit on a missing field: err = %v, want one naming it", err)
	}
	op.Limits = []rest.Constraint{{Of: gadget{}, Field: "name", MaxLength: 3}, {Of: gadget{}, Field: "name", MaxLength: 4}}
	if _, err := rest.OpenAPI(spec(op)); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("OpenAPI with a field limited twice: err = %v, want one saying so", err)
	}
}
