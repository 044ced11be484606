package searchhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchhttp"
	"github.com/bazaar-market/bazaar/internal/search/searchtest"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	c := searchtest.NewCatalog()
	elec := c.AddCategory("Electronics", "")
	laptops := c.AddCategory("Laptops", elec)
	cloth := c.AddCategory("Clothing", "")
	c.Put(searchtest.Product{ID: "prd_1", Title: "Ultralight Laptop 14", Brand: "Volt", Category: string(laptops), Description: "Thin and light.", Prices: []int64{99900}})
	c.Put(searchtest.Product{ID: "prd_2", Title: "Gaming Laptop 16", Brand: "Quanta", Category: string(laptops), Prices: []int64{149900}})
	c.Put(searchtest.Product{ID: "prd_3", Title: "Graphic Tee", Brand: "Northwind", Category: string(cloth), Attrs: map[string]string{"color": "Blue"}})
	c.Put(searchtest.Product{ID: "prd_4", Title: "Plain Tee", Brand: "Northwind", Category: string(cloth), Attrs: map[string]string{"color": "White"}})
	svc, err := search.New(c, nil, nil, nil, search.Options{Dir: filepath.Join(t.TempDir(), "search"), Open: searchbleve.Open})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	if _, err := svc.Reindex(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	r := rest.NewRouter()
	searchhttp.New(svc).Routes(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

func TestRoutes(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name, method, path string
		status             int
		want, not          []string
	}{
		{"text", "GET", "/api/v1/search?q=laptop", 200,
			[]string{`"id":"prd_1"`, `"id":"prd_2"`, `"total":2`, `"price":{"min":{"amount":99900,"currency":"USD"}`, `"availability":"out_of_stock"`,
				`"highlights":{"title":"Ultralight \u003cmark\u003eLaptop\u003c/mark\u003e 14"`, `"facets":{"category":[{"value":"cat_0001","label":"Electronics","count":2}]`,
				`"brand":[`, `"price":[`},
			[]string{`"prd_3"`}},
		{"typo and filters", "GET", "/api/v1/search?q=lpatop&brand=volt&price_max=100000&in_stock=false", 200, []string{`"prd_1"`, `"total":1`}, []string{`"prd_2"`}},
		{"attribute filter", "GET", "/api/v1/search?q=tee&attr.color=blue", 200, []string{`"prd_3"`}, []string{`"prd_4"`}},
		{"browse sorted", "GET", "/api/v1/search?sort=price_desc&limit=1", 200, []string{`"prd_2"`, `"next_cursor":"`}, nil},
		{"bad number", "GET", "/api/v1/search?price_min=ten", 400, []string{`"code":"validation_failed"`, `"field":"price_min"`}, nil},
		{"bad sort", "GET", "/api/v1/search?sort=cheapest", 400, []string{`"field":"sort"`}, nil},
		{"bad limit", "GET", "/api/v1/search?limit=0", 400, []string{`"field":"limit"`}, nil},
		{"bad bool", "GET", "/api/v1/search?in_stock=maybe", 400, []string{`"field":"in_stock"`}, nil},
		{"bad rating", "GET", "/api/v1/search?rating_min=9", 400, []string{`"field":"rating_min"`}, nil},
		{"unknown category", "GET", "/api/v1/search?category=nope", 400, []string{`"field":"category"`}, nil},
		{"unknown parameter", "GET", "/api/v1/search?colour=red", 400, []string{`"field":"colour"`, `is not a search parameter`}, nil},
		{"repeated parameter", "GET", "/api/v1/search?q=a&q=b", 400, []string{`"field":"q"`}, nil},
		{"bad cursor", "GET", "/api/v1/search?cursor=xyz", 400, []string{`"field":"cursor"`}, nil},
		{"suggest", "GET", "/api/v1/search/suggest?q=lap", 200,
			[]string{`"kind":"category","text":"Laptops"`, `"kind":"product","text":"Ultralight Laptop 14"`}, nil},
		{"suggest brand", "GET", "/api/v1/search/suggest?q=north", 200, []string{`"kind":"brand","text":"Northwind"`}, nil},
		{"suggest typo", "GET", "/api/v1/search/suggest?q=ultralihgt", 200, []string{`"kind":"product","text":"Ultralight Laptop 14"`}, nil},
		{"suggest empty", "GET", "/api/v1/search/suggest?q=", 200, []string{`{"items":[]}`}, nil},
		{"suggest bad limit", "GET", "/api/v1/search/suggest?q=a&limit=50", 400, []string{`"field":"limit"`}, nil},
		{"suggest unknown parameter", "GET", "/api/v1/search/suggest?term=a", 400, []string{`"field":"term"`}, nil},
		{"wrong method", "POST", "/api/v1/search", 405, []string{`"code":"method_not_allowed"`}, nil},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %s %s = %d, want %d: %s", tt.name, tt.method, tt.path, resp.StatusCode, tt.status, body)
			continue
		}
		if tt.status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: Content-Type = %q, want problem+json", tt.name, resp.Header.Get("Content-Type"))
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: body lacks %s:\n%s", tt.name, w, body)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(body, n) {
				t.Errorf("%s: body has %s:\n%s", tt.name, n, body)
			}
		}
	}
}

func TestPaging(t *testing.T) {
	srv := newServer(t)
	seen := map[string]bool{}
	path := "/api/v1/search?sort=newest&limit=3"
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var r search.Result
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %v", pages, resp.StatusCode, err)
		}
		for _, h := range r.Items {
			if seen[string(h.ID)] {
				t.Errorf("%s seen twice", h.ID)
			}
			seen[string(h.ID)] = true
		}
		if r.NextCursor == "" {
			break
		}
		path = "/api/v1/search?sort=newest&limit=3&cursor=" + r.NextCursor
	}
	if len(seen) != 4 {
		t.Errorf("paged through %d products, want 4", len(seen))
	}
}

// TestOps checks that the OpenAPI description covers exactly the routes and
// generates (schemas are made from the real types).
func TestOps(t *testing.T) {
	r := rest.NewRouter()
	h := searchhttp.New(nil)
	h.Routes(r)
	var described []string
	for _, op := range h.Ops() {
		described = append(described, op.Method+" "+op.Path)
	}
	if diff := strings.Join(described, ","); diff != strings.Join(r.Routes(), ",") {
		t.Errorf("Ops describe %v, routes are %v", described, r.Routes())
	}
	doc, err := rest.OpenAPI(rest.Spec{Title: "t", Version: "1", Ops: h.Ops()})
	if err != nil {
		t.Fatalf("OpenAPI: %v", err)
	}
	for _, want := range []string{`"/api/v1/search"`, `"/api/v1/search/suggest"`, `"facets"`, `"next_cursor"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("document lacks %s", want)
		}
	}
}
