package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/bazaar-market/bazaar/internal/server"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// BenchmarkProductHTTP measures the product read paths through the whole
// server (middleware chain, catalog, live availability from inventory) over
// real loopback HTTP, on SQLite and PostgreSQL, with the demo catalog at 25
// products per store category (500 products, 1-4 variants each).
//
//	go test -run '^$' -bench ProductHTTP -benchmem -count 5 ./internal/server/
func BenchmarkProductHTTP(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			dbURL := ""
			if engine == "postgres" {
				dbURL = sqldbtest.PostgresURL(b)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s, err := server.New(ctx, server.Config{DataDir: b.TempDir(), DatabaseURL: dbURL}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Seed(ctx, server.SeedOptions{PerCategory: 25, ImageSize: 16}); err != nil {
				b.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			go func() { _ = s.Serve(ctx, l) }()
			base := "http://" + l.Addr().String()
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			get := func(b *testing.B, path string) []byte {
				resp, err := hc.Get(base + path)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
				}
				return body
			}
			var page struct {
				Items []struct {
					ID, Slug string
				}
			}
			if err := json.Unmarshal(get(b, "/api/v1/product?limit=1&sort=price_desc"), &page); err != nil || len(page.Items) == 0 {
				b.Fatalf("no product to fetch: %v", err)
			}
			var cats struct{ Items []struct{ ID, Slug string } }
			_ = json.Unmarshal(get(b, "/api/v1/category"), &cats)
			for _, bm := range []struct{ name, path string }{
				{"product_by_id", "/api/v1/product/" + page.Items[0].ID},
				{"product_by_slug", "/api/v1/product/" + page.Items[0].Slug},
				{"list_first_page", "/api/v1/product"},
				{"list_category_subtree_price", "/api/v1/product?category=clothing&price_min=1000&price_max=10000&sort=price_asc"},
				{"list_brand_newest_page2", "/api/v1/product?brand=Acme&limit=10"},
			} {
				b.Run(bm.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						get(b, bm.path)
					}
				})
			}
			b.Run("product_by_id_parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get(b, "/api/v1/product/"+page.Items[0].ID)
					}
				})
			})
		})
	}
}
