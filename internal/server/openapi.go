package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/bazaar-market/bazaar/internal/idempotency"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/web"
)

// OpenAPIPath is where the OpenAPI document is served.
const OpenAPIPath = "/api/v1/openapi.json"

const apiDescription = `The REST API of a Bazaar marketplace.

- Errors are application/problem+json (RFC 9457) with a stable machine "code", a safe "detail" and, for invalid input, per-field "errors".
- Money is integer minor units with an ISO 4217 currency: {"amount": 1999, "currency": "USD"}.
- IDs are opaque, prefixed strings (usr_..., prd_...); times are RFC 3339 UTC.
- Lists are pages: pass the previous page's next_cursor as cursor; limit is 1 to 100.
- Request bodies are strict JSON: unknown fields are rejected.
- Every POST, PUT, PATCH and DELETE accepts an Idempotency-Key header (Stripe's semantics): the first answer is replayed for 24 hours with Idempotent-Replayed: true, the same key with another request is 422, and a duplicate while the first runs is 409.
- Another user's resource answers 404, exactly like a missing one.`

// maxHeaderBytes is the http.Server's MaxHeaderBytes (Serve), and the
// longest parameter the OpenAPI document admits.
const maxHeaderBytes = 64 << 10

// openAPIOp describes the document's own route.
var openAPIOp = rest.Op{
	ID: "openapi", Method: http.MethodGet, Path: OpenAPIPath, Tags: []string{"meta"}, Auth: rest.AuthNone,
	Summary:  "This OpenAPI 3.1 document",
	Response: map[string]any{},
	Headers: []rest.Param{
		{Name: "Cache-Control", Description: "public, max-age=300"},
		{Name: "ETag", Description: "changes with the document; send it back in If-None-Match to get 304"},
	},
}

// serveOpenAPI builds the OpenAPI document from the server's own operations
// and every module's (each handler's Ops()) and serves it at OpenAPIPath.
// A module that registers routes must pass its Ops here:
// TestOpenAPIMatchesRoutes fails on any route the document misses.
func (s *Server) serveOpenAPI(modules ...[]rest.Op) error {
	ops := []rest.Op{openAPIOp}
	for _, m := range modules {
		ops = append(ops, m...)
	}
	doc, err := rest.OpenAPI(rest.Spec{
		Title: "Bazaar API", Version: "1.0.0", Description: apiDescription, Ops: ops,
		MutatingParams: []rest.Param{{
			Name: idempotency.Header, In: "header", MaxLength: 255,
			Description: "makes the call safe to retry: the first answer for this key is stored and replayed",
		}},
		MutatingErrors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
		MutatingHeaders: []rest.Param{{
			Name: "Idempotent-Replayed", Enum: []string{"true"},
			Description: "present when this is the stored answer to an earlier request with the same Idempotency-Key",
		}},
		// http.Server's MaxHeaderBytes (Serve): the request line and
		// headers together, so no parameter is longer.
		MaxParam: maxHeaderBytes,
	})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(doc)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	s.router.Handle("GET "+OpenAPIPath, func(w http.ResponseWriter, r *http.Request) error {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(doc))
		return nil
	})
	// The page that renders it: HTML, not part of the API it documents.
	s.router.Mount("GET "+APIDocsPath, apiDocs(web.Dist()))
	return nil
}
