package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestEveryRouteEveryRole walks the OpenAPI document (which a sibling test
// proves lists exactly the router's routes) and sends every operation, as an
// anonymous caller and as each role, with a missing resource ID, an empty
// JSON body and a malformed one. Whatever the route, the server must never
// answer 5xx, every error must be problem+json, and a route that documents
// bearer auth must refuse anonymous callers with 401. A new route is covered
// the moment it is documented.
func TestEveryRouteEveryRole(t *testing.T) {
	s, base := boot(t, "")
	c := client{t: t, base: base}
	ctx := context.Background()
	tokens := map[string]string{"anonymous": ""}
	for _, role := range []string{"customer", "seller", "admin", "delivery", "support"} {
		email := role + "@matrix.example.com"
		if _, err := s.CreateUser(ctx, email, "matrix-password-1", role, role); err != nil {
			t.Fatal(err)
		}
		tokens[role] = str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "matrix-password-1"}), "access_token")
	}
	// The seller gets a store, so store-scoped routes get past "open a store first".
	c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Matrix Store"}, bearer(tokens["seller"]))

	var doc struct {
		Paths map[string]map[string]struct {
			Security    []map[string][]string `json:"security"`
			RequestBody *json.RawMessage      `json:"requestBody"`
		} `json:"paths"`
	}
	r := c.do("GET", "/api/v1/openapi.json", nil)
	if r.status != 200 {
		t.Fatalf("openapi.json = %d", r.status)
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var paths []string
	for p := range doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	ops, authOps := 0, 0
	for _, path := range paths {
		for method, op := range doc.Paths[path] {
			method = strings.ToUpper(method)
			if path == "/api/v1/auth/logout" || strings.HasSuffix(path, "/auth/refresh") {
				continue // would end the sessions the matrix signs in with; covered by the account tests
			}
			ops++
			needsAuth := false
			for _, req := range op.Security {
				for scheme := range req {
					// "bearer", or a role's ("adminBearer", "sellerBearer", ...)
					if strings.HasSuffix(strings.ToLower(scheme), "bearer") {
						needsAuth = true
					}
				}
			}
			for _, anon := range op.Security {
				if len(anon) == 0 {
					needsAuth = false // {} in the list: anonymous allowed too
				}
			}
			if needsAuth {
				authOps++
			}
			concrete := param.ReplaceAllString(path, "zz_missing0000000000000000000000")
			bodies := []string{""}
			if op.RequestBody != nil {
				bodies = []string{"{}", `{"unknown_field": 1}`, `{"broken": `}
			}
			for role, tok := range tokens {
				for _, body := range bodies {
					name := fmt.Sprintf("%s %s as %s with %q", method, concrete, role, body)
					var b any
					if body != "" {
						b = body
					}
					res := c.do(method, concrete, b, bearer(tok))
					switch {
					case res.status >= 500:
						t.Errorf("%s = %d, want no server error; body %s", name, res.status, res.body)
					case res.status >= 400 && res.header.Get("Content-Type") != "application/problem+json":
						t.Errorf("%s = %d with Content-Type %q, want application/problem+json", name, res.status, res.header.Get("Content-Type"))
					case role == "anonymous" && needsAuth && res.status != http.StatusUnauthorized:
						t.Errorf("%s = %d, want 401 for a route that needs a signed-in caller", name, res.status)
					}
				}
			}
		}
	}
	if ops < 40 {
		t.Errorf("walked %d operations; the document should list far more", ops)
	}
	if authOps < ops/2 {
		t.Errorf("only %d of %d operations need a signed-in caller; the security requirements were not read", authOps, ops)
	}
	t.Logf("%d operations (%d signed-in only) x %d callers", ops, authOps, len(tokens))
}
