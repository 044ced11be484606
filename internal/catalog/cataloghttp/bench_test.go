package cataloghttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

const benchProducts = 3000

// BenchmarkCatalogHTTP measures the public read routes through a real HTTP
// server over SQLite holding benchProducts products (2 variants each) in a
// tree of 5 root categories with 4 sub-categories each.
func BenchmarkCatalogHTTP(b *testing.B) {
	e := newEnv(b, sqldbtest.SQLite(b))
	admin := e.ctxs["admin"]
	var leaves []string
	for i := range 5 {
		root, err := e.svc.CreateCategory(admin, catalog.NewCategory{Name: fmt.Sprintf("Root %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		for j := range 4 {
			c, err := e.svc.CreateCategory(admin, catalog.NewCategory{Name: fmt.Sprintf("Leaf %d.%d", i, j), ParentID: &root.ID})
			if err != nil {
				b.Fatal(err)
			}
			leaves = append(leaves, string(c.ID))
		}
	}
	var last catalog.Product
	for i := range benchProducts {
		who := []string{"s1", "s2"}[i%2]
		p, err := e.svc.CreateProduct(e.ctxs[who], catalog.NewProduct{
			Title: fmt.Sprintf("Product %d", i), Brand: fmt.Sprintf("Brand %d", i%7), CategoryID: id.Category(leaves[i%len(leaves)]),
			Status: catalog.Active, Attributes: map[string]string{"material": "cotton"},
			Variants: []catalog.NewVariant{
				{SKU: fmt.Sprintf("B-%d-S", i), Options: map[string]string{"size": "S"}, Price: money.New(int64(100+i%5000), "USD")},
				{SKU: fmt.Sprintf("B-%d-M", i), Options: map[string]string{"size": "M"}, Price: money.New(int64(150+i%5000), "USD")},
			},
		})
		if err != nil {
			b.Fatal(err)
		}
		e.stock.Set(p.Variants[0].SKU, int64(i%10))
		last = p
	}
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	client := srv.Client()
	get := func(b *testing.B, path string) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
	}
	for _, bm := range []struct{ name, path string }{
		{"product_by_id", "/api/v1/product/" + string(last.ID)},
		{"product_by_slug", "/api/v1/product/" + last.Slug},
		{"list_first_page", "/api/v1/product"},
		{"list_filtered", "/api/v1/product?category=root-2&price_min=1000&price_max=3000&sort=price_asc&limit=20"},
		{"list_brand_newest", "/api/v1/product?brand=brand%203&limit=20"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				get(b, bm.path)
			}
		})
	}
}
