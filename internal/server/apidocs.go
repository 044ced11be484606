package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"time"
)

// APIDocsPath is where the API docs page is served: Swagger UI (bundled
// into the web UI's build, web/api-docs.html) rendering OpenAPIPath, with
// links to the OpenAPI document, the GraphQL SDL and the protos.
const APIDocsPath = "/api/docs"

// apiDocsCSP lets the page run its own bundled script and styles (Swagger
// UI sets inline styles and draws icons as data: images) and fetch the
// document, and nothing else.
const apiDocsCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// apiDocsFallback is the page when the web UI was not built: the raw
// documents, linked.
const apiDocsFallback = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bazaar API</title></head>
<body>
<h1>Bazaar API</h1>
<p>The interactive API reference is part of the web UI, which this server was built without (run <code>make web</code> and rebuild).
The contracts themselves:</p>
<ul>
<li><a href="` + OpenAPIPath + `">OpenAPI document (REST)</a></li>
<li><a href="/graphql/schema.graphql">GraphQL schema (SDL)</a></li>
<li><a href="/proto/">Protocol Buffers (gRPC)</a></li>
</ul>
</body></html>
`

// apiDocs answers APIDocsPath from dist's api-docs.html, or with
// apiDocsFallback when dist has none.
func apiDocs(dist fs.FS) http.Handler {
	page, err := fs.ReadFile(dist, "api-docs.html")
	if err != nil {
		page = []byte(apiDocsFallback)
	}
	sum := sha256.Sum256(page)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", apiDocsCSP)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
	})
}
