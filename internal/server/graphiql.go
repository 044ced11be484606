package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/web"
)

// graphiqlCSP lets the bundled GraphiQL run: its scripts and styles come
// from this server (it sets styles inline), it talks to /graphql only, and
// no other site may frame it.
const graphiqlCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; " +
	"form-action 'self'; frame-ancestors 'none'"

// withGraphiQL answers a browser's GET /graphql (one that asks for HTML
// and is not a WebSocket) with GraphiQL when enabled, a 404 otherwise; any
// other request goes to api.
func (s *Server) withGraphiQL(api http.Handler) http.Handler {
	page, _ := fs.ReadFile(web.Dist(), "graphiql.html")
	sum := sha256.Sum256(page)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" ||
			!strings.Contains(r.Header.Get("Accept"), "text/html") || strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			api.ServeHTTP(w, r)
			return
		}
		if !s.cfg.GraphiQL || page == nil {
			rest.Error(w, r, errGraphiQLOff)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		h.Set("Content-Security-Policy", graphiqlCSP)
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, "graphiql.html", time.Time{}, bytes.NewReader(page))
	})
}

var errGraphiQLOff = apperr.New(apperr.KindNotFound, "graphiql_off", "GraphiQL is turned off on this server; POST GraphQL to /graphql")
