package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestAPIDocsPage(t *testing.T) {
	tests := []struct {
		name string
		dist fstest.MapFS
		want []string
	}{
		{"built", fstest.MapFS{"api-docs.html": {Data: []byte(`<html><script type="module" src="/assets/apidocs-x.js"></script></html>`)}},
			[]string{"/assets/apidocs-x.js"}},
		{"not built", fstest.MapFS{}, []string{`href="` + OpenAPIPath + `"`, `href="/graphql/schema.graphql"`, `href="/proto/"`}},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		apiDocs(tt.dist).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, APIDocsPath, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: GET %s = %d %s, want 200 text/html", tt.name, APIDocsPath, rec.Code, rec.Header().Get("Content-Type"))
		}
		for _, w := range tt.want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("%s: the page has no %s:\n%s", tt.name, w, rec.Body)
			}
		}
		csp := rec.Header().Get("Content-Security-Policy")
		for _, w := range []string{"script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, w) {
				t.Errorf("%s: Content-Security-Policy %q has no %q", tt.name, csp, w)
			}
		}
		if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
			t.Errorf("%s: Content-Security-Policy %q allows eval or another origin", tt.name, csp)
		}
		etag := rec.Header().Get("ETag")
		again := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, APIDocsPath, nil)
		req.Header.Set("If-None-Match", etag)
		apiDocs(tt.dist).ServeHTTP(again, req)
		if etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("%s: GET with If-None-Match %q = %d, want 304", tt.name, etag, again.Code)
		}
	}
}
