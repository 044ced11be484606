package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/server"
)

// TestOpenAPIMatchesRoutes checks the served OpenAPI document against the
// real router: the same routes, each described completely, every reference
// resolving. A route registered without an Op fails here.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s, base := boot(t, "")
	c := client{t: t, base: base}

	r := c.do("GET", server.OpenAPIPath, nil)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; body: %.300s", server.OpenAPIPath, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control = %q, want a max-age", cc)
	}
	etag := r.header.Get("ETag")
	if etag == "" {
		t.Errorf("no ETag")
	} else if again := c.do("GET", server.OpenAPIPath, nil, "If-None-Match: "+etag); again.status != http.StatusNotModified {
		t.Errorf("GET with If-None-Match: %s = %d, want 304", etag, again.status)
	}

	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	if v := doc["openapi"]; v != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", v)
	}

	paths, _ := doc["paths"].(map[string]any)
	var documented []string
	opIDs := map[string]string{}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			route := strings.ToUpper(method) + " " + path
			documented = append(documented, route)
			checkOperation(t, doc, route, op.(map[string]any), opIDs)
		}
	}

	var registered []string
	for _, p := range s.Routes() {
		method, path, _ := strings.Cut(p, " ")
		registered = append(registered, method+" "+rest.OpenAPIPath(path))
	}
	if missing := minus(registered, documented); len(missing) > 0 {
		t.Errorf("routes the router has but the OpenAPI document does not (add them to the module's Ops and the module's Ops to serveOpenAPI in wire.go):\n\t%s",
			strings.Join(missing, "\n\t"))
	}
	if extra := minus(documented, registered); len(extra) > 0 {
		t.Errorf("routes the OpenAPI document describes but the router does not have:\n\t%s", strings.Join(extra, "\n\t"))
	}
	if len(registered) < 40 {
		t.Errorf("the router has only %d routes; is the server wired?", len(registered))
	}

	walkRefs(t, doc, doc, "#")
	walkLimits(t, doc, "#")
}

// walkLimits fails on a string schema with no maxLength, enum or const and
// an integer schema without both bounds: what the server enforces is in
// the document (Spectral's OWASP rules ask the same; a CSV export, which
// streams, is the one string left unbounded).
func walkLimits(t *testing.T, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		types := []any{v["type"]}
		if list, ok := v["type"].([]any); ok {
			types = list
		}
		for _, typ := range types {
			switch {
			case typ == "string" && v["maxLength"] == nil && v["enum"] == nil && v["const"] == nil && v["contentMediaType"] != "text/csv":
				t.Errorf("%s: a string without maxLength or enum", at)
			case typ == "integer" && (v["minimum"] == nil || v["maximum"] == nil || v["format"] == nil):
				t.Errorf("%s: an integer without minimum, maximum and format", at)
			}
		}
		for k, x := range v {
			walkLimits(t, x, at+"/"+k)
		}
	case []any:
		for i, x := range v {
			walkLimits(t, x, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

// checkOperation checks one operation object of the document.
func checkOperation(t *testing.T, doc any, route string, op map[string]any, opIDs map[string]string) {
	t.Helper()
	if s, _ := op["summary"].(string); strings.TrimSpace(s) == "" {
		t.Errorf("%s: no summary", route)
	}
	id, _ := op["operationId"].(string)
	if prev, dup := opIDs[id]; id == "" || dup {
		t.Errorf("%s: operationId %q is empty or also used by %s", route, id, prev)
	}
	opIDs[id] = route
	if _, ok := op["security"]; !ok {
		t.Errorf("%s: says nothing about authentication (security)", route)
	}

	responses, _ := op["responses"].(map[string]any)
	var success, problems int
	for code, resp := range responses {
		if strings.HasPrefix(code, "2") {
			success++
			continue
		}
		if code == "101" { // a WebSocket: the switch names its protocol
			if dig(resp, "headers", "Upgrade") == nil {
				t.Errorf("%s: 101 documents no Upgrade header", route)
			}
			success++
			continue
		}
		if strings.HasPrefix(code, "3") { // a browser navigation's redirect: a Location, no body
			if dig(resp, "headers", "Location") == nil {
				t.Errorf("%s: redirect %s documents no Location header", route, code)
			}
			success++
			continue
		}
		if ref, ok := dig(resp, "$ref").(string); ok {
			resp = resolve(doc, ref)
		}
		ref, _ := dig(resp, "content", "application/problem+json", "schema", "$ref").(string)
		if ref != "#/components/schemas/Problem" {
			t.Errorf("%s: response %s is not application/problem+json with the Problem schema: %v", route, code, resp)
			continue
		}
		problems++
	}
	if success == 0 {
		t.Errorf("%s: no success response", route)
	}
	if _, ok := responses["default"]; !ok || problems == 0 {
		t.Errorf("%s: no default problem+json response", route)
	}
	// Every operation is rate-limited and can fail; a bad token is 401
	// everywhere. Their answers, and the successes, carry the limiter's
	// headers (a 429 also Retry-After).
	for _, code := range []string{"401", "429", "500"} {
		if responses[code] == nil {
			t.Errorf("%s: no %s response", route, code)
		}
	}
	for code, resp := range responses {
		if ref, ok := dig(resp, "$ref").(string); ok {
			resp = resolve(doc, ref)
		}
		if !strings.HasPrefix(code, "2") && !strings.HasPrefix(code, "4") {
			continue
		}
		want := []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"}
		if code == "429" {
			want = append(want, "Retry-After")
		}
		for _, h := range want {
			if dig(resp, "headers", h) == nil {
				t.Errorf("%s: response %s documents no %s header", route, code, h)
			}
		}
	}

	// Path parameters: exactly the {name} segments, each required.
	path := route[strings.IndexByte(route, ' ')+1:]
	want := rest.PathParams(path)
	var declared []string
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		p := p.(map[string]any)
		if p["in"] != "path" {
			continue
		}
		declared = append(declared, p["name"].(string))
		if p["required"] != true {
			t.Errorf("%s: path parameter %v is not required", route, p["name"])
		}
	}
	if !slices.Equal(want, declared) {
		t.Errorf("%s: path parameters declared %v, want %v", route, declared, want)
	}
}

// walkRefs fails on every "$ref" in v that does not resolve in doc.
func walkRefs(t *testing.T, doc, v any, at string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if k == "$ref" {
				ref, _ := x.(string)
				if resolve(doc, ref) == nil {
					t.Errorf("%s: $ref %q does not resolve", at, x)
				}
				continue
			}
			walkRefs(t, doc, x, at+"/"+k)
		}
	case []any:
		for i, x := range v {
			walkRefs(t, doc, x, fmt.Sprintf("%s/%d", at, i))
		}
	}
}

// resolve follows a local JSON pointer ("#/components/schemas/Money").
func resolve(doc any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var keys []string
	for k := range strings.SplitSeq(rest, "/") {
		keys = append(keys, strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~"))
	}
	return dig(doc, keys...)
}

// dig walks objects along keys; nil when a key is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// minus returns the elements of a not in b, sorted.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIConstraintsHold checks limits the served document states
// against the running server: a value just over a maxLength, a maxItems
// or a parameter's maximum is refused with 400 naming the field, and a
// value at the limit is not refused for it. The limits are read from the
// document, so a limit that drifts from the service's check fails here.
func TestOpenAPIConstraintsHold(t *testing.T) {
	s, base := boot(t, "")
	c := client{t: t, base: base}
	doc := c.must(200, "GET", server.OpenAPIPath, nil)
	limit := func(keys ...string) int {
		t.Helper()
		n, ok := dig(doc, keys...).(float64)
		if !ok || n <= 0 {
			t.Fatalf("the document has no limit at %v", keys)
		}
		return int(n)
	}
	param := func(path, method, name, key string) int {
		t.Helper()
		for _, p := range dig(doc, "paths", path, method, "parameters").([]any) {
			if p := p.(map[string]any); p["name"] == name {
				n, ok := dig(p, "schema", key).(float64)
				if !ok {
					t.Fatalf("%s %s parameter %s has no %s", method, path, name, key)
				}
				return int(n)
			}
		}
		t.Fatalf("%s %s has no parameter %s", method, path, name)
		return 0
	}
	admin, cat, seller, _ := openShop(t, s, c, "Kettles", "Kettle Corner")
	customer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{
		"email": "cu@example.com", "password": "customer-password-1", "name": "Cu", "role": "customer"}), "access_token")

	// refused sends body and wants a 400 whose errors name field.
	refused := func(what, method, path string, body any, field string, headers ...string) {
		t.Helper()
		r := c.do(method, path, body, headers...)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"`+field) {
			t.Errorf("%s: %s %s = %d %.300s, want 400 naming %s", what, method, path, r.status, r.body, field)
		}
	}
	// accepted sends body and wants want.
	accepted := func(what, method, path string, body any, want int, headers ...string) {
		t.Helper()
		if r := c.do(method, path, body, headers...); r.status != want {
			t.Errorf("%s: %s %s = %d %.300s, want %d", what, method, path, r.status, r.body, want)
		}
	}
	product := func(title, desc string, variants int) map[string]any {
		vs := make([]map[string]any, variants)
		for i := range vs {
			vs[i] = map[string]any{"sku": fmt.Sprintf("SKU-%d", i), "options": map[string]string{"n": fmt.Sprint(i)},
				"price": map[string]any{"amount": 100, "currency": "USD"}}
		}
		return map[string]any{"title": title, "description": desc, "category_id": cat["id"], "variants": vs}
	}

	maxTitle := limit("components", "schemas", "NewProduct", "properties", "title", "maxLength")
	maxDesc := limit("components", "schemas", "NewProduct", "properties", "description", "maxLength")
	maxVariants := limit("components", "schemas", "NewProduct", "properties", "variants", "maxItems")
	refused("title over maxLength", "POST", "/api/v1/product", product(strings.Repeat("é", maxTitle+1), "", 1), "title", bearer(seller))
	refused("description over maxLength", "POST", "/api/v1/product", product("Kettle", strings.Repeat("d", maxDesc+1), 1), "description", bearer(seller))
	refused("variants over maxItems", "POST", "/api/v1/product", product("Kettle", "", maxVariants+1), "variants", bearer(seller))
	accepted("title, description and variants at their limits", "POST", "/api/v1/product",
		product(strings.Repeat("é", maxTitle), strings.Repeat("d", maxDesc), maxVariants), http.StatusCreated, bearer(seller))

	maxName := limit("components", "schemas", "NewCategory", "properties", "name", "maxLength")
	refused("category name over maxLength", "POST", "/api/v1/category", map[string]any{"name": strings.Repeat("n", maxName+1)}, "name", bearer(admin))
	accepted("category name at maxLength", "POST", "/api/v1/category", map[string]any{"name": strings.Repeat("n", maxName)}, http.StatusCreated, bearer(admin))

	maxSubject := limit("components", "schemas", "TicketInput", "properties", "subject", "maxLength")
	refused("ticket subject over maxLength", "POST", "/api/v1/ticket",
		map[string]any{"subject": strings.Repeat("s", maxSubject+1), "body": "help"}, "subject", bearer(customer))
	accepted("ticket subject at maxLength", "POST", "/api/v1/ticket",
		map[string]any{"subject": strings.Repeat("s", maxSubject), "body": "help"}, http.StatusCreated, bearer(customer))

	maxUserName := limit("components", "schemas", "RegisterRequest", "properties", "name", "maxLength")
	register := func(name string) map[string]string {
		return map[string]string{"email": "n@example.com", "password": "customer-password-2", "name": name, "role": "customer"}
	}
	refused("user name over maxLength", "POST", "/api/v1/auth/register", register(strings.Repeat("n", maxUserName+1)), "name")
	accepted("user name at maxLength", "POST", "/api/v1/auth/register", register(strings.Repeat("n", maxUserName)), http.StatusCreated)

	// Parameters: a search text and a page size.
	maxQ := param("/api/v1/search", "get", "q", "maxLength")
	refused("search q over maxLength", "GET", "/api/v1/search?q="+strings.Repeat("q", maxQ+1), nil, "q")
	accepted("search q at maxLength", "GET", "/api/v1/search?q="+strings.Repeat("q", maxQ), nil, http.StatusOK)
	maxLimit := param("/api/v1/product", "get", "limit", "maximum")
	refused("limit over maximum", "GET", fmt.Sprintf("/api/v1/product?limit=%d", maxLimit+1), nil, "limit")
	accepted("limit at maximum", "GET", fmt.Sprintf("/api/v1/product?limit=%d", maxLimit), nil, http.StatusOK)
	maxKey := param("/api/v1/ticket", "post", "Idempotency-Key", "maxLength")
	refused("Idempotency-Key over maxLength", "POST", "/api/v1/ticket", map[string]any{"subject": "s", "body": "b"},
		"Idempotency-Key", bearer(customer), "Idempotency-Key: "+strings.Repeat("k", maxKey+1))

	// A problem lists at most maxItems field errors, however many there are.
	maxErrors := limit("components", "schemas", "Problem", "properties", "errors", "maxItems")
	lines := make([]map[string]any, maxErrors+50)
	for i := range lines {
		lines[i] = map[string]any{"sku": "X", "quantity": 0}
	}
	r := c.do("POST", "/api/v1/order", map[string]any{"lines": lines, "address_id": "adr_x"}, bearer(customer))
	if n := len(dig(r.json(t), "errors").([]any)); r.status != http.StatusBadRequest || n != maxErrors {
		t.Errorf("an order of %d bad lines = %d with %d field errors, want 400 with %d", len(lines), r.status, n, maxErrors)
	}
}

// TestOpenAPIRateLimitHeaders checks the headers the document promises on
// every answer against a server whose limiter is on: a success and a 429
// carry each documented RateLimit header, the 429 Retry-After too, and
// RateLimit-Policy matches its documented pattern.
func TestOpenAPIRateLimitHeaders(t *testing.T) {
	_, base := bootConfig(t, server.Config{DataDir: t.TempDir(), Edge: server.Edge{RateIP: ratelimit.Bucket{Rate: 0.01, Burst: 3}}})
	c := client{t: t, base: base}
	doc := c.must(200, "GET", server.OpenAPIPath, nil)
	headers, _ := dig(doc, "components", "headers").(map[string]any)
	var limit []string
	for name := range headers {
		if strings.HasPrefix(name, "RateLimit-") {
			limit = append(limit, name)
		}
	}
	if len(limit) != 4 {
		t.Fatalf("the document's RateLimit headers = %v, want 4", limit)
	}
	policy := regexp.MustCompile(dig(headers, "RateLimit-Policy", "schema", "pattern").(string))
	var ok, limited *resp
	for range 10 {
		r := c.do("GET", "/api/v1/category", nil)
		switch r.status {
		case http.StatusOK:
			ok = &r
		case http.StatusTooManyRequests:
			limited = &r
		}
	}
	if ok == nil || limited == nil {
		t.Fatalf("10 reads through a bucket of 3 gave no 200 (%v) or no 429 (%v)", ok != nil, limited != nil)
	}
	for _, r := range []*resp{ok, limited} {
		for _, h := range limit {
			if r.header.Get(h) == "" {
				t.Errorf("a %d answer has no %s header: %v", r.status, h, r.header)
			}
		}
		if p := r.header.Get("RateLimit-Policy"); !policy.MatchString(p) {
			t.Errorf("RateLimit-Policy %q does not match the documented pattern %s", p, policy)
		}
	}
	if limited.header.Get("Retry-After") == "" {
		t.Errorf("a 429 has no Retry-After: %v", limited.header)
	}
	if ct := limited.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("a 429 is %q, want application/problem+json", ct)
	}
}
