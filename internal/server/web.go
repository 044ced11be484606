package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/web"
)

// withWeb puts the embedded web UI in front of the API handler. Every
// request that is not a GET or HEAD, and every path under /api/, goes to
// the API untouched. A GET for a file of the built UI is served from
// memory; any other GET goes to the API too (/healthz, /readyz and whatever
// else is mounted there), and only when the API does not know the path is
// it answered with index.html, so that the app's own routes (/p/{slug},
// /orders/{id}, ...) work on reload.
func (s *Server) withWeb(api http.Handler) http.Handler {
	return newWebHandler(web.Dist(), api)
}

// webHandler serves a built single-page app from an fs.FS.
type webHandler struct {
	api   http.Handler
	files map[string]*webFile // by clean path without the leading slash
	index *webFile            // nil when the UI was not built
}

// webFile is one file of the UI, held in memory with its gzip form when
// that is smaller.
type webFile struct {
	name  string
	ctype string
	body  []byte
	gz    []byte // nil when not worth compressing
	etag  string
	cache string // Cache-Control
}

// Cache-Control values: Vite names everything under assets/ by a hash of
// its content, so those never change; everything else (index.html above
// all) must be revalidated so a new build is picked up at once.
const (
	cacheImmutable        = "public, max-age=31536000, immutable"
	cacheRevalidate       = "no-cache"
	contentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob: " + gatewayImages + "; style-src 'self' 'unsafe-inline'; " +
		"script-src 'self' " + gatewayScripts + "; frame-src " + gatewayFrames + "; connect-src 'self' " + gatewayAPIs + "; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

// The payment gateways' browser SDKs (Stripe.js and its Payment Element,
// Razorpay Checkout) load from, frame and call these origins, as their
// CSP guides list; card data stays in their frames.
const (
	gatewayScripts = "https://js.stripe.com https://*.js.stripe.com https://checkout.razorpay.com"
	gatewayFrames  = "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com https://api.razorpay.com https://checkout.razorpay.com"
	gatewayAPIs    = "https://api.stripe.com https://api.razorpay.com https://lumberjack.razorpay.com"
	gatewayImages  = "https://*.stripe.com https://cdn.razorpay.com"
)

func newWebHandler(dist fs.FS, api http.Handler) *webHandler {
	h := &webHandler{api: api, files: map[string]*webFile{}}
	_ = fs.WalkDir(dist, ".", func(name string, d fs.DirEntry, err error) error {
		// graphiql.html is GraphQL's to serve, at /graphql, when enabled.
		if err != nil || d.IsDir() || path.Base(name) == ".keep" || name == "graphiql.html" {
			return nil
		}
		body, err := fs.ReadFile(dist, name)
		if err != nil {
			return nil
		}
		h.files[name] = newWebFile(name, body)
		return nil
	})
	h.index = h.files["index.html"]
	if h.index == nil {
		h.index = newWebFile("index.html", []byte(notBuiltPage))
	}
	return h
}

func newWebFile(name string, body []byte) *webFile {
	sum := sha256.Sum256(body)
	f := &webFile{
		name:  name,
		body:  body,
		etag:  `"` + hex.EncodeToString(sum[:12]) + `"`,
		cache: cacheRevalidate,
		ctype: mime.TypeByExtension(path.Ext(name)),
	}
	if strings.HasPrefix(name, "assets/") {
		f.cache = cacheImmutable
	}
	if f.ctype == "" {
		f.ctype = http.DetectContentType(body)
	}
	if compressible(f.ctype) && len(body) > 512 {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if b.Len() < len(body)*9/10 {
			f.gz = b.Bytes()
		}
	}
	return f
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "text/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

func (h *webHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || p == "/api" || strings.HasPrefix(p, "/api/") ||
		p == "/graphql" || strings.HasPrefix(p, "/graphql/") { // GraphQL serves its own page (GraphiQL) or 404
		h.api.ServeHTTP(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" || name == "index.html" {
		h.serve(w, r, h.index)
		return
	}
	if f := h.files[name]; f != nil {
		h.serve(w, r, f)
		return
	}
	// Not a file of the UI: let the API answer, and fall back to the app
	// only for what it does not know and what looks like an app route. A
	// missing asset (an old hash after a deploy, a typo) stays a 404: HTML
	// served as JavaScript helps nobody.
	if strings.HasPrefix(name, "assets/") || strings.Contains(path.Base(name), ".") {
		h.api.ServeHTTP(w, r)
		return
	}
	fw := &fallbackWriter{w: w, header: http.Header{}}
	h.api.ServeHTTP(fw, r)
	if fw.notFound {
		h.serve(w, r, h.index)
	}
}

// serve writes f, gzipped when the client accepts it, answering
// If-None-Match and Range as http.ServeContent does.
func (h *webHandler) serve(w http.ResponseWriter, r *http.Request, f *webFile) {
	hd := w.Header()
	hd.Set("Content-Type", f.ctype)
	hd.Set("Cache-Control", f.cache)
	hd.Set("ETag", f.etag)
	hd.Set("X-Content-Type-Options", "nosniff")
	if f == h.index {
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
	}
	body := f.body
	if f.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			hd.Set("Content-Encoding", "gzip")
			hd.Set("ETag", strings.TrimSuffix(f.etag, `"`)+`-gz"`)
			body = f.gz
		}
	}
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// fallbackWriter passes the API's answer through unless it is a 404, which
// it swallows (headers and body) so the app can answer instead.
type fallbackWriter struct {
	w        http.ResponseWriter
	header   http.Header
	wrote    bool
	notFound bool
}

func (f *fallbackWriter) Header() http.Header { return f.header }

func (f *fallbackWriter) WriteHeader(code int) {
	if f.wrote {
		return
	}
	f.wrote = true
	if code == http.StatusNotFound {
		f.notFound = true
		return
	}
	dst := f.w.Header()
	for k, v := range f.header {
		dst[k] = v
	}
	f.w.WriteHeader(code)
}

func (f *fallbackWriter) Write(b []byte) (int, error) {
	if !f.wrote {
		f.WriteHeader(http.StatusOK)
	}
	if f.notFound {
		return len(b), nil
	}
	return f.w.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer (flush, hijack).
func (f *fallbackWriter) Unwrap() http.ResponseWriter { return f.w }

// notBuiltPage answers / when the binary was built without the UI.
const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bazaar</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Bazaar is running</h1>
<p>The web UI was not built into this binary. Build it with <code>make web</code> (needs Node 20 and npm), then rebuild or rerun <code>make run</code>.</p>
<p>The REST API works all the same: see <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>
`
