package edge

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// apiCSP is the Content-Security-Policy of API answers: they are data,
// never a page to render or frame.
const apiCSP = "default-src 'none'; frame-ancestors 'none'"

// Secure sets the security headers on every answer: nosniff, a
// Referrer-Policy, frame protection (X-Frame-Options DENY and, for API
// answers, a CSP with frame-ancestors 'none'), and on HTTPS requests HSTS
// (hsts, e.g. "max-age=63072000; includeSubDomains"; "" for none). A
// handler that sets its own Content-Security-Policy (the web UI, GraphiQL,
// the API docs page) replaces the API one.
func Secure(hsts string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("X-Frame-Options", "DENY")
			// A browser asking an API door for a page (GraphiQL, the API
			// docs) gets what that page's handler sets; data gets none.
			if IsAPI(r) && !strings.Contains(r.Header.Get("Accept"), "text/html") {
				h.Set("Content-Security-Policy", apiCSP)
			}
			if r.TLS != nil && hsts != "" {
				h.Set("Strict-Transport-Security", hsts)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CORS lets the pages of origins (scheme://host[:port], or "*" for any)
// call the API doors from the browser: it answers preflights (204) and
// marks answers to allowed origins. Credentials are bearer tokens, not
// cookies, so no Allow-Credentials is sent. Requests from other origins
// get no CORS headers (the browser then refuses them to the page).
func CORS(origins []string) func(http.Handler) http.Handler {
	allowAll := slices.Contains(origins, "*")
	allowed := func(o string) bool { return o != "" && (allowAll || slices.Contains(origins, o)) }
	const (
		methods = "GET, HEAD, POST, PUT, PATCH, DELETE"
		headers = "Authorization, Content-Type, Accept, Accept-Encoding, If-None-Match, If-Match, Idempotency-Key, X-Request-ID, " +
			"X-Cart-Token, Connect-Protocol-Version, Connect-Timeout-Ms, Connect-Accept-Encoding, Connect-Content-Encoding, " +
			"Grpc-Timeout, Grpc-Accept-Encoding, Grpc-Encoding, X-Grpc-Web, X-User-Agent"
		expose = "Grpc-Status, Grpc-Message, Grpc-Status-Details-Bin, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, " +
			"RateLimit-Policy, Retry-After, ETag, Location, X-Request-ID, Idempotent-Replayed, Content-Encoding"
	)
	return func(next http.Handler) http.Handler {
		if len(origins) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if !IsAPI(r) || origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			h := w.Header()
			addVary(h, "Origin")
			if !allowed(origin) {
				next.ServeHTTP(w, r)
				return
			}
			allow := origin
			if allowAll {
				allow = "*"
			}
			h.Set("Access-Control-Allow-Origin", allow)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", methods)
				h.Set("Access-Control-Allow-Headers", headers)
				h.Set("Access-Control-Max-Age", "7200")
				addVary(h, "Access-Control-Request-Method")
				addVary(h, "Access-Control-Request-Headers")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Set("Access-Control-Expose-Headers", expose)
			next.ServeHTTP(w, r)
		})
	}
}

// ParseOrigins splits a comma-separated list of origins.
func ParseOrigins(s string) []string {
	var out []string
	for o := range strings.SplitSeq(s, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// BodyLimit caps request bodies at max bytes: a declared Content-Length
// over it is refused at once (413, through errw), and a body that grows
// past it fails to read. Handlers may set lower limits of their own.
func BodyLimit(max int64, errw ErrorWriter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if max <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				errw(w, r, &apperr.Error{Kind: apperr.KindTooLarge, Code: "body_too_large",
					Message: "the request body is over " + strconv.FormatInt(max>>20, 10) + " MiB"})
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, max)
			}
			next.ServeHTTP(w, r)
		})
	}
}
