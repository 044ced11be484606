package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"

	catalogv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/catalog/v1"
	"github.com/bazaar-market/bazaar/internal/server"
)

// BenchmarkProductDoors reads the same data through REST, GraphQL and
// gRPC on one server (SQLite, the demo catalog at 25 products per store category),
// through the whole middleware chain, with a plain HTTP client (gzip, as a
// browser):
//
//   - product_by_id: one product. REST answers every field of the product
//     (GET /api/v1/product/{id}); GraphQL asks for the same fields: id, slug,
//     title, description, brand, sellerId, categoryId, category {id name slug
//     path}, attributes, status, priceMin, priceMax, variants {id sku options
//     price available} (stock looked up, as REST does) and images {id url
//     contentType width height}, createdAt, updatedAt. (REST's images also
//     carry size and created_at, which the GraphQL schema does not expose.)
//   - list_first_page: the first page of 20 active products, newest first,
//     with the same fields per product; REST adds next_cursor, GraphQL asks
//     pageInfo {hasNextPage endCursor}. Before timing, the benchmark checks
//     both doors answer the same products in the same order.
//
// gRPC (grpc-go over h2c, one connection) calls CatalogService.GetProduct
// and ListProducts (page_size 20): the Product message carries the same
// fields as REST's JSON; like the HTTP clients, it reads the answers
// without decoding them. rest/list_first_page_304 sends the list's ETag in
// If-None-Match and gets 304 Not Modified (the server still builds the
// answer to hash it; --cache-fresh skips that, see BenchmarkCachedCatalogRead).
//
// Neither asks for sellers, ratings or reviews (REST has no such fields).
//
//	go test -run '^$' -bench ProductDoors -benchmem -count 5 ./internal/server/
func BenchmarkProductDoors(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := server.New(ctx, server.Config{DataDir: b.TempDir()}, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
	do := func(b *testing.B, req *http.Request) []byte {
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
			b.Fatalf("%s %s = %d %.300s", req.Method, req.URL, resp.StatusCode, body)
		}
		return body
	}
	get := func(path string) func(b *testing.B) []byte {
		return func(b *testing.B) []byte {
			req, _ := http.NewRequest("GET", base+path, nil)
			return do(b, req)
		}
	}
	post := func(query string, vars map[string]any) func(b *testing.B) []byte {
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return func(b *testing.B) []byte {
			req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return do(b, req)
		}
	}
	var page struct{ Items []struct{ ID string } }
	if err := json.Unmarshal(get("/api/v1/product?limit=1&sort=price_desc")(b), &page); err != nil || len(page.Items) == 0 {
		b.Fatalf("no product to fetch: %v", err)
	}
	const fields = `id slug title description brand sellerId categoryId category{id name slug path} attributes status
		priceMin{amount currency} priceMax{amount currency} variants{id sku options price{amount currency} available}
		images{id url contentType width height} createdAt updatedAt`
	listQuery := `{products(first:20){nodes{` + fields + `} pageInfo{hasNextPage endCursor}}}`
	var restList struct{ Items []struct{ ID string } }
	var gqlList struct {
		Data struct {
			Products struct{ Nodes []struct{ ID string } }
		}
	}
	if err := json.Unmarshal(get("/api/v1/product?limit=20")(b), &restList); err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(post(listQuery, nil)(b), &gqlList); err != nil {
		b.Fatal(err)
	}
	if len(restList.Items) != 20 || len(gqlList.Data.Products.Nodes) != len(restList.Items) {
		b.Fatalf("REST lists %d products, GraphQL %d; want 20 each", len(restList.Items), len(gqlList.Data.Products.Nodes))
	}
	for i, p := range restList.Items {
		if gqlList.Data.Products.Nodes[i].ID != p.ID {
			b.Fatalf("product %d: REST %s, GraphQL %s", i, p.ID, gqlList.Data.Products.Nodes[i].ID)
		}
	}
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var grpcList catalogv1.ListProductsResponse
	if err := conn.Invoke(ctx, "/bazaar.catalog.v1.CatalogService/ListProducts", &catalogv1.ListProductsRequest{PageSize: 20}, &grpcList); err != nil {
		b.Fatal(err)
	}
	if len(grpcList.GetProducts()) != len(restList.Items) {
		b.Fatalf("REST lists %d products, gRPC %d", len(restList.Items), len(grpcList.GetProducts()))
	}
	for i, p := range restList.Items {
		if grpcList.GetProducts()[i].GetId() != p.ID {
			b.Fatalf("product %d: REST %s, gRPC %s", i, p.ID, grpcList.GetProducts()[i].GetId())
		}
	}
	invoke := func(method string, in proto.Message) func(b *testing.B) []byte {
		raw := grpc.ForceCodec(rawCodec{})
		return func(b *testing.B) []byte {
			var out []byte
			if err := conn.Invoke(ctx, method, in, &out, raw); err != nil {
				b.Fatal(err)
			}
			return out
		}
	}
	listETag := func() string {
		res, err := hc.Get(base + "/api/v1/product?limit=20")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.Header.Get("ETag")
	}()
	if listETag == "" {
		b.Fatal("the product list has no ETag")
	}
	notModified := func(b *testing.B) []byte {
		req, _ := http.NewRequest("GET", base+"/api/v1/product?limit=20", nil)
		req.Header.Set("If-None-Match", listETag)
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			b.Fatalf("If-None-Match = %d, want 304", res.StatusCode)
		}
		return nil
	}
	for _, bm := range []struct {
		name string
		run  func(b *testing.B) []byte
	}{
		{"rest/product_by_id", get("/api/v1/product/" + page.Items[0].ID)},
		{"graphql/product_by_id", post(`query($id:ID!){product(id:$id){`+fields+`}}`, map[string]any{"id": page.Items[0].ID})},
		{"rest/list_first_page", get("/api/v1/product?limit=20")},
		{"graphql/list_first_page", post(listQuery, nil)},
		{"grpc/product_by_id", invoke("/bazaar.catalog.v1.CatalogService/GetProduct", &catalogv1.GetProductRequest{Id: page.Items[0].ID})},
		{"grpc/list_first_page", invoke("/bazaar.catalog.v1.CatalogService/ListProducts", &catalogv1.ListProductsRequest{PageSize: 20})},
		{"rest/list_first_page_304", notModified},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.run(b)
			}
		})
	}
}
