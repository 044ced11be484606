package rpc

import (
	"net/http"
	"strings"

	"connectrpc.com/connect"
)

// Path prefixes of the RPC services this server mounts: Bazaar's own
// (/bazaar.<module>.v1.<Module>Service/) and gRPC's reflection and health.
var prefixes = []string{"/bazaar.", "/grpc."}

// IsRPC reports whether r is a gRPC, gRPC-Web or Connect request, so a
// middleware that refuses it answers in the RPC protocol's shape (see
// WriteError) rather than problem+json: a Content-Type of application/grpc*
// or application/connect+*, or a POST to one of the RPC services' paths
// (a unary Connect call is plain application/json or application/proto).
func IsRPC(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/grpc") || strings.HasPrefix(ct, "application/connect+") {
		return true
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return false
	}
	for _, p := range prefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			return true
		}
	}
	return false
}

var errorWriter = connect.NewErrorWriter()

// WriteError answers r, an RPC request a middleware refuses, with err as the
// request's protocol carries errors (gRPC trailers, gRPC-Web trailers in the
// body, Connect's JSON error), mapped by Error.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ce := Error(r.Context(), err)
	w.Header().Set("Cache-Control", "no-store")
	if !errorWriter.IsSupported(r) {
		// Not a request shape connect knows (a GET that is not a Connect
		// unary call): Connect's JSON error over HTTP status.
		r = r.Clone(r.Context())
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Connect-Protocol-Version", "1")
		r.Method = http.MethodPost
	}
	_ = errorWriter.Write(w, r, ce)
}
