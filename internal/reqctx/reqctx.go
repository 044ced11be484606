// Package reqctx carries the request-scoped values that use cases read,
// whichever door the request came through: the REST middleware sets them
// from headers, a gRPC interceptor from metadata, and services read them
// without knowing which.
package reqctx

import "context"

type ctxKey int

const keyIdempotency ctxKey = iota

// WithIdempotencyKey returns ctx carrying the client's idempotency key for
// this request ("" for none).
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyIdempotency, key)
}

// IdempotencyKey returns the request's idempotency key, "" when it has none.
// A use case whose effect must survive a crash between its commit and the
// response being stored (placing an order) records the key with the effect
// under a unique index, so a retry finds the effect instead of repeating it.
func IdempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(keyIdempotency).(string)
	return k
}
