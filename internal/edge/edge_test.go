package edge

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/rest"
)

func serve(h http.Handler, r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func TestRealIP(t *testing.T) {
	trusted, err := ParsePrefixes("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := RealIP(trusted)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) }))
	tests := []struct{ peer, xff, want string }{
		{"203.0.113.5:1000", "1.2.3.4", "203.0.113.5"},                       // untrusted peer: its claim is ignored
		{"10.1.1.1:1000", "198.51.100.9", "198.51.100.9"},                    // a trusted proxy names the client
		{"10.1.1.1:1000", "6.6.6.6, 198.51.100.9, 10.2.2.2", "198.51.100.9"}, // the client cannot prepend a fake hop
		{"192.0.2.7:1000", "", "192.0.2.7"},
		{"10.1.1.1:1000", "garbage", "10.1.1.1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/api/v1/product", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != tt.want {
			t.Errorf("client of peer %s with X-Forwarded-For %q = %s, want %s", tt.peer, tt.xff, got, tt.want)
		}
	}
	// Without trusted proxies nothing is rewritten.
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.1.1:1"
	r.Header.Set("X-Forwarded-For", "1.2.3.4")
	RealIP(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) })).ServeHTTP(httptest.NewRecorder(), r)
	if got != "10.1.1.1" {
		t.Errorf("with no trusted proxies, client = %s, want the peer", got)
	}
}

func TestLimits(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &Limits{
		IP:      ratelimit.Bucket{Rate: 1, Burst: 3},
		User:    ratelimit.Bucket{Rate: 1, Burst: 2},
		Auth:    ratelimit.Bucket{Rate: 0.1, Burst: 1},
		Buckets: ratelimit.NewMemoryBuckets(func() time.Time { return now }),
		Error:   rest.Error,
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	h := l.ByIP(ok)
	req := func(method, path, ip string) *http.Request {
		r := httptest.NewRequest(method, path, nil)
		r.RemoteAddr = ip + ":1"
		return r
	}
	for i := range 3 {
		res := serve(h, req("GET", "/api/v1/product", "198.51.100.1"))
		if res.StatusCode != 204 || res.Header.Get("RateLimit-Remaining") != strconv.Itoa(2-i) || res.Header.Get("RateLimit-Limit") != "3" ||
			res.Header.Get("RateLimit-Policy") != "3;w=3" {
			t.Fatalf("request %d: %d %v, want 204 with %d remaining of 3", i, res.StatusCode, res.Header, 2-i)
		}
	}
	res := serve(h, req("GET", "/api/v1/product", "198.51.100.1"))
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "1" || res.Header.Get("RateLimit-Remaining") != "0" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("over the limit: %d %v, want 429 problem+json, Retry-After 1", res.StatusCode, res.Header)
	}
	// Other IPs, and what is not an API door, are not limited.
	if res := serve(h, req("GET", "/api/v1/product", "198.51.100.2")); res.StatusCode != 204 {
		t.Fatalf("another IP: %d, want 204", res.StatusCode)
	}
	if res := serve(h, req("GET", "/assets/app.js", "198.51.100.1")); res.StatusCode != 204 || res.Header.Get("RateLimit-Limit") != "" {
		t.Fatalf("web asset: %d %v, want 204 without RateLimit headers", res.StatusCode, res.Header)
	}
	// gRPC paths are API doors too; sign-in has its stricter bucket.
	if res := serve(h, req("POST", "/bazaar.catalog.v1.CatalogService/Product", "198.51.100.1")); res.StatusCode != 429 {
		t.Fatalf("gRPC path over the IP limit: %d, want 429", res.StatusCode)
	}
	if res := serve(h, req("POST", "/api/v1/auth/login", "198.51.100.3")); res.StatusCode != 204 {
		t.Fatalf("first sign-in: %d, want 204", res.StatusCode)
	}
	res = serve(h, req("POST", "/api/v1/auth/login", "198.51.100.3"))
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "10" {
		t.Fatalf("second sign-in: %d Retry-After %s, want 429 after 10 s", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Per user, after the token middleware.
	hu := l.ByUser(ok)
	ur := func() *http.Request {
		r := req("GET", "/graphql", "198.51.100.4")
		return r.WithContext(auth.With(context.Background(), auth.Principal{UserID: "usr_1", Role: auth.Customer}))
	}
	serve(hu, ur())
	serve(hu, ur())
	if res := serve(hu, ur()); res.StatusCode != 429 {
		t.Fatalf("third request of a user with a burst of 2: %d, want 429", res.StatusCode)
	}
}

func TestCache(t *testing.T) {
	body := strings.Repeat(`{"id":"prd_1","name":"Lamp"}`, 10)
	calls := 0
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path == "/api/v1/cart" {
			http.SetCookie(w, &http.Cookie{Name: "cart_token", Value: "x"})
		}
		if r.URL.Path == "/api/v1/product/prd_2/recommendation" {
			w.Header().Set("Cache-Control", "no-store") // its handler knows it depends on the caller
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
	h := Cache{}.Middleware(app)
	res := serve(h, httptest.NewRequest("GET", "/api/v1/product/prd_1", nil))
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || strings.HasPrefix(etag, "W/") ||
		res.Header.Get("Cache-Control") != "public, max-age=60, s-maxage=300, stale-while-revalidate=600" ||
		!strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("public read: %d %v, want 200 with a strong ETag and public caching", res.StatusCode, res.Header)
	}
	if b, _ := io.ReadAll(res.Body); string(b) != body {
		t.Fatalf("body = %q, want the handler's", b)
	}
	r := httptest.NewRequest("GET", "/api/v1/product/prd_1", nil)
	r.Header.Set("If-None-Match", `"other", `+etag)
	res = serve(h, r)
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 304 || len(b) != 0 || res.Header.Get("ETag") != etag {
		t.Fatalf("If-None-Match: %d %q, want an empty 304 with the ETag", res.StatusCode, b)
	}
	for _, tc := range []struct {
		name string
		req  *http.Request
	}{
		{"bearer", func() *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/product/prd_1", nil)
			r.Header.Set("Authorization", "Bearer x")
			return r
		}()},
		{"cart token", func() *http.Request {
			r := httptest.NewRequest("GET", "/api/v1/product", nil)
			r.Header.Set("X-Cart-Token", "x")
			return r
		}()},
		{"private route", httptest.NewRequest("GET", "/api/v1/order", nil)},
		{"own review", httptest.NewRequest("GET", "/api/v1/product/prd_1/review/mine", nil)},
		{"post", httptest.NewRequest("POST", "/api/v1/search", nil)},
		{"set-cookie", httptest.NewRequest("GET", "/api/v1/cart", nil)},
		{"handler said no-store", httptest.NewRequest("GET", "/api/v1/product/prd_2/recommendation", nil)},
	} {
		res := serve(h, tc.req)
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" {
			t.Errorf("%s: Cache-Control %q ETag %q, want no-store and no ETag", tc.name, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
		}
	}
}

func TestCompress(t *testing.T) {
	big := strings.Repeat("compress me please ", 200)
	h := Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true}`)
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = io.WriteString(w, big)
		case "/events":
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, big)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"abc"`)
			_, _ = io.WriteString(w, big[:500])
			_, _ = io.WriteString(w, big[500:])
		}
	}))
	for _, enc := range []string{"gzip", "zstd"} {
		r := httptest.NewRequest("GET", "/api/v1/product", nil)
		r.Header.Set("Accept-Encoding", enc)
		res := serve(h, r)
		if res.Header.Get("Content-Encoding") != enc || res.Header.Get("ETag") != `"abc-`+enc+`"` {
			t.Fatalf("%s: headers %v, want Content-Encoding %s and a distinct ETag", enc, res.Header, enc)
		}
		var rd io.Reader
		if enc == "gzip" {
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		} else {
			zr, err := zstd.NewReader(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			rd = zr
		}
		if b, err := io.ReadAll(rd); err != nil || string(b) != big {
			t.Fatalf("%s: decoded %d bytes, %v; want the body back", enc, len(b), err)
		}
	}
	if enc := chooseEncoding("gzip;q=1, zstd;q=0.5"); enc != "gzip" {
		t.Errorf("chooseEncoding(gzip preferred) = %s", enc)
	}
	for _, tc := range []struct{ name, path, ctype string }{
		{"small", "/small", ""}, {"png", "/png", ""}, {"event stream", "/events", ""},
		{"grpc", "/bazaar.order.v1.OrderService/Watch", "application/grpc"},
	} {
		r := httptest.NewRequest("POST", tc.path, nil)
		r.Header.Set("Accept-Encoding", "gzip, zstd")
		if tc.ctype != "" {
			r.Header.Set("Content-Type", tc.ctype)
		}
		res := serve(h, r)
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding %q, want none", tc.name, res.Header.Get("Content-Encoding"))
		}
	}
}

func TestCORSAndSecure(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/docs" {
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
		}
		w.WriteHeader(200)
	})
	h := Chain(app, Secure("max-age=63072000; includeSubDomains"), CORS([]string{"https://shop.example"}))
	pre := httptest.NewRequest("OPTIONS", "/bazaar.cart.v1.CartService/AddItem", nil)
	pre.Header.Set("Origin", "https://shop.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	res := serve(h, pre)
	if res.StatusCode != 204 || res.Header.Get("Access-Control-Allow-Origin") != "https://shop.example" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Connect-Protocol-Version") {
		t.Fatalf("preflight: %d %v", res.StatusCode, res.Header)
	}
	r := httptest.NewRequest("GET", "/api/v1/product", nil)
	r.Header.Set("Origin", "https://shop.example")
	res = serve(h, r)
	if !strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "Grpc-Status-Details-Bin") ||
		!strings.Contains(res.Header.Get("Access-Control-Expose-Headers"), "RateLimit-Remaining") {
		t.Fatalf("expose headers = %q", res.Header.Get("Access-Control-Expose-Headers"))
	}
	r.Header.Set("Origin", "https://evil.example")
	if res := serve(h, r); res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin allowed: %v", res.Header)
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("X-Frame-Options") != "DENY" ||
		res.Header.Get("Content-Security-Policy") != apiCSP || res.Header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("security headers on plain HTTP: %v", res.Header)
	}
	r = httptest.NewRequest("GET", "https://shop.example/api/docs", nil)
	res = serve(h, r)
	if res.Header.Get("Content-Security-Policy") != "default-src 'self'" || res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("docs page over TLS: %v, want its own CSP kept and HSTS", res.Header)
	}
}

func TestBodyLimit(t *testing.T) {
	h := BodyLimit(1<<20, rest.Error)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				w.WriteHeader(413)
				return
			}
			t.Errorf("read: %v", err)
		}
		w.WriteHeader(204)
	}))
	r := httptest.NewRequest("POST", "/api/v1/order", bytes.NewReader(make([]byte, 2<<20)))
	if res := serve(h, r); res.StatusCode != 413 {
		t.Fatalf("declared 2 MiB: %d, want 413", res.StatusCode)
	}
	r = httptest.NewRequest("POST", "/api/v1/order", io.NopCloser(bytes.NewReader(make([]byte, 2<<20))))
	r.ContentLength = -1
	if res := serve(h, r); res.StatusCode != 413 {
		t.Fatalf("streamed 2 MiB: %d, want 413", res.StatusCode)
	}
}

// TestCompressKeepsHandlerETags: a handler that checks If-None-Match
// itself (http.ServeContent) still answers 304 to the tag Compress
// derived for the encoding.
func TestCompressKeepsHandlerETags(t *testing.T) {
	doc := []byte(strings.Repeat(`{"openapi":"3.1.0"}`, 200))
	h := Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(doc))
	}))
	r := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	res := serve(h, r)
	etag := res.Header.Get("ETag")
	if etag != `"v1-gzip"` {
		t.Fatalf("ETag = %q, want \"v1-gzip\"", etag)
	}
	r.Header.Set("If-None-Match", etag)
	if res := serve(h, r); res.StatusCode != 304 || res.Header.Get("ETag") != etag {
		t.Fatalf("If-None-Match %s: %d ETag %q, want 304 with the same tag", etag, res.StatusCode, res.Header.Get("ETag"))
	}
}

// TestCacheFresh: with a micro-cache, the same public read is answered
// from memory (200 or 304) without running the handler, until it expires.
func TestCacheFresh(t *testing.T) {
	calls := 0
	h := Cache{Fresh: time.Hour}.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"items":[]}`)
	}))
	res := serve(h, httptest.NewRequest("GET", "/api/v1/category", nil))
	etag := res.Header.Get("ETag")
	res = serve(h, httptest.NewRequest("GET", "/api/v1/category", nil))
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || string(b) != `{"items":[]}` || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("ETag") != etag {
		t.Fatalf("second read: %d %q %v", res.StatusCode, b, res.Header)
	}
	r := httptest.NewRequest("GET", "/api/v1/category", nil)
	r.Header.Set("If-None-Match", etag)
	if res := serve(h, r); res.StatusCode != 304 {
		t.Fatalf("If-None-Match: %d, want 304", res.StatusCode)
	}
	if calls != 1 {
		t.Fatalf("handler ran %d times, want once", calls)
	}
	r = httptest.NewRequest("GET", "/api/v1/category", nil)
	r.Header.Set("Authorization", "Bearer x")
	if serve(h, r); calls != 2 {
		t.Fatalf("a signed-in read was answered from the cache (handler ran %d times)", calls)
	}
	if serve(h, httptest.NewRequest("GET", "/api/v1/category?page=2", nil)); calls != 3 {
		t.Fatalf("another URL was answered from the cache (handler ran %d times)", calls)
	}
}
