// Package edge is the HTTP middleware every door (REST, GraphQL, gRPC and
// the web UI) runs behind: the client's real address behind trusted
// proxies, security headers, CORS, compression, request body limits, rate
// limits per client IP and per user, and HTTP caching fit for a CDN. The
// server composes them in internal/server (build); each one is usable on
// its own.
//
// Middleware that refuses a request calls an ErrorWriter with an
// apperr-classified error, so each door answers in its own shape
// (problem+json, a gRPC status, a GraphQL error).
package edge

import (
	"net/http"
	"strings"
)

// ErrorWriter answers a refused request with err.
type ErrorWriter func(http.ResponseWriter, *http.Request, error)

// IsAPI reports whether r is for an API door (REST under /api/, GraphQL,
// or a gRPC/Connect service), as opposed to the web UI, probes and metrics.
func IsAPI(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/graphql" || strings.HasPrefix(p, "/graphql/") || IsRPCPath(p)
}

// IsRPCPath reports whether path names a gRPC/Connect method: Bazaar's
// own services, reflection and health.
func IsRPCPath(path string) bool {
	return strings.HasPrefix(path, "/bazaar.") || strings.HasPrefix(path, "/grpc.")
}

// isStream reports whether r asks for a stream the middleware must not
// buffer or compress: a WebSocket upgrade, gRPC or Connect streaming.
func isStream(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || headerHasToken(r.Header, "Connection", "upgrade") {
		return true
	}
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/grpc") || strings.HasPrefix(ct, "application/connect+")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// Chain applies middleware so that the first listed runs first.
func Chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
