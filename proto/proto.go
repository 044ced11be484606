// Package proto holds Bazaar's protobuf definitions (bazaar/<module>/v1/*.proto),
// embedded so the server can serve them at /proto/ for clients to generate
// code from. The Go code generated from them is in internal/gen (make proto).
package proto

import "embed"

// Files are the .proto files, by their import path (bazaar/order/v1/order.proto).
//
//go:embed bazaar
var Files embed.FS
