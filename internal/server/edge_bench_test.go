package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/server"
)

// BenchmarkCachedCatalogRead compares a public catalog read (the first
// page of products, and one category's page) answered in full (200) with
// the same read revalidated by a matching If-None-Match (304), through the
// whole server over loopback HTTP, on SQLite with the demo catalog at 25
// products per store category.
//
//	go test -run '^$' -bench CachedCatalogRead -benchmem -count 5 ./internal/server/
//
// The "fresh" runs add the in-memory micro-cache (--cache-fresh 1s), which
// answers repeats without running the handler.
func BenchmarkCachedCatalogRead(b *testing.B) {
	b.Run("handler", func(b *testing.B) { benchCachedRead(b, 0) })
	b.Run("fresh", func(b *testing.B) { benchCachedRead(b, time.Second) })
}

func benchCachedRead(b *testing.B, fresh time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := server.Config{DataDir: b.TempDir()}
	cfg.Edge.Cache.Fresh = fresh
	s, err := server.New(ctx, cfg, slog.New(slog.DiscardHandler))
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
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	get := func(path, etag string) (int, string, int) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("ETag"), int(n)
	}
	for _, path := range []string{"/api/v1/product?limit=20", "/api/v1/search?q=lamp"} {
		status, etag, size := get(path, "")
		if status != 200 || etag == "" {
			b.Fatalf("GET %s = %d, ETag %q", path, status, etag)
		}
		for _, tc := range []struct {
			name, etag string
			want       int
		}{{"200", "", 200}, {"304", etag, 304}} {
			b.Run(path+"/"+tc.name, func(b *testing.B) {
				b.ReportMetric(float64(size), "body-bytes")
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if st, _, _ := get(path, tc.etag); st != tc.want {
							b.Errorf("GET %s = %d, want %d", path, st, tc.want)
							return
						}
					}
				})
			})
		}
	}
}
