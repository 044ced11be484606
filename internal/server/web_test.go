package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rest"
)

const (
	testIndex = `<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>`
	testJS    = "console.log('bazaar');\n"
)

// testAPI is a router shaped like the real one: API routes, a health check
// and a plain mount outside /api/.
func testAPI() http.Handler {
	r := rest.NewRouter()
	r.Handle("GET /api/v1/thing", func(w http.ResponseWriter, r *http.Request) error {
		rest.JSON(w, http.StatusOK, map[string]string{"thing": "yes"})
		return nil
	})
	r.Handle("POST /api/v1/thing", func(w http.ResponseWriter, r *http.Request) error {
		return apperr.Conflict("thing_exists", "there is a thing already")
	})
	r.Mount("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	r.Mount("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "up 1\n")
	}))
	return r
}

func testDist() fstest.MapFS {
	return fstest.MapFS{
		"index.html":         {Data: []byte(testIndex)},
		"assets/app-1a2b.js": {Data: []byte(strings.Repeat(testJS, 100))},
		"favicon.svg":        {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		".keep":              {Data: nil},
	}
}

func TestWebHandler(t *testing.T) {
	h := newWebHandler(testDist(), testAPI())
	tests := []struct {
		name        string
		method      string
		path        string
		status      int
		contentType string // prefix
		cache       string
		bodyHas     string
	}{
		{"root is the app", "GET", "/", 200, "text/html", cacheRevalidate, `<div id="root">`},
		{"index.html is the app", "GET", "/index.html", 200, "text/html", cacheRevalidate, `<div id="root">`},
		{"hashed asset cached for a year", "GET", "/assets/app-1a2b.js", 200, "text/javascript", cacheImmutable, "console.log"},
		{"other file revalidated", "GET", "/favicon.svg", 200, "image/svg+xml", cacheRevalidate, "<svg"},
		{"app route falls back to index", "GET", "/p/cotton-tee", 200, "text/html", cacheRevalidate, `<div id="root">`},
		{"nested app route falls back", "GET", "/orders/ord_123", 200, "text/html", cacheRevalidate, `<div id="root">`},
		{"HEAD of an app route", "HEAD", "/cart", 200, "text/html", cacheRevalidate, ""},
		{"API route untouched", "GET", "/api/v1/thing", 200, "application/json", "", `"thing":"yes"`},
		{"API error untouched", "POST", "/api/v1/thing", 409, "application/problem+json", "no-store", `"code":"thing_exists"`},
		{"unknown API path is a problem 404", "GET", "/api/v1/nothing", 404, "application/problem+json", "no-store", `"code":"route_not_found"`},
		{"wrong API method is a problem 405", "DELETE", "/api/v1/thing", 405, "application/problem+json", "no-store", `"code":"method_not_allowed"`},
		{"healthz untouched", "GET", "/healthz", 200, "application/json", "", `"status":"ok"`},
		{"other mounts untouched", "GET", "/metrics", 200, "text/plain", "", "up 1"},
		{"missing asset is a 404, not the app", "GET", "/assets/app-old.js", 404, "text/plain", "", "404 page not found"},
		{"missing file is a 404, not the app", "GET", "/robots.txt", 404, "text/plain", "", "404 page not found"},
		{".keep is not served", "GET", "/.keep", 404, "text/plain", "", ""},
		{"POST outside the API goes to the API", "POST", "/checkout", 404, "text/plain", "", "404 page not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("%s %s status = %d, want %d (body %q)", tt.method, tt.path, res.StatusCode, tt.status, body)
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("%s %s Content-Type = %q, want %q...", tt.method, tt.path, ct, tt.contentType)
			}
			if cc := res.Header.Get("Cache-Control"); cc != tt.cache {
				t.Errorf("%s %s Cache-Control = %q, want %q", tt.method, tt.path, cc, tt.cache)
			}
			if !strings.Contains(string(body), tt.bodyHas) {
				t.Errorf("%s %s body = %q, want it to contain %q", tt.method, tt.path, body, tt.bodyHas)
			}
			if tt.method == "HEAD" && len(body) != 0 {
				t.Errorf("HEAD %s has a body of %d bytes", tt.path, len(body))
			}
		})
	}
}

func TestWebHandlerIndexHeaders(t *testing.T) {
	h := newWebHandler(testDist(), testAPI())
	for _, path := range []string{"/", "/account/orders"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s Content-Security-Policy = %q, want self-only and no framing", path, csp)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s X-Content-Type-Options = %q, want nosniff", path, got)
		}
	}
}

func TestWebHandlerGzipAndETag(t *testing.T) {
	h := newWebHandler(testDist(), testAPI())
	want := strings.Repeat(testJS, 100)

	req := httptest.NewRequest("GET", "/assets/app-1a2b.js", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	if got := rec.Header().Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("Vary = %q, want Accept-Encoding", got)
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != want {
		t.Errorf("gunzipped body is %d bytes, want the %d-byte file", len(plain), len(want))
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	req = httptest.NewRequest("GET", "/assets/app-1a2b.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("GET with If-None-Match %s = %d, want 304", etag, rec.Code)
	}

	// Without Accept-Encoding the plain bytes come, under another ETag.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/assets/app-1a2b.js", nil))
	if rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != want {
		t.Errorf("plain GET: Content-Encoding %q, %d bytes; want none and the file", rec.Header().Get("Content-Encoding"), rec.Body.Len())
	}
	if rec.Header().Get("ETag") == etag {
		t.Errorf("plain and gzipped bodies share ETag %s", etag)
	}
}

func TestWebHandlerNotBuilt(t *testing.T) {
	h := newWebHandler(fstest.MapFS{".keep": {Data: nil}}, testAPI())
	for _, path := range []string{"/", "/cart"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "make web") {
			t.Errorf("GET %s without a build = %d %q, want 200 and how to build the UI", path, rec.Code, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/thing", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /api/v1/thing without a build = %d, want 200", rec.Code)
	}
}
