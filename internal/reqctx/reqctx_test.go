package reqctx_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/reqctx"
)

type otherKey struct{}

func TestIdempotencyKey(t *testing.T) {
	ctx := context.Background()
	if got := reqctx.IdempotencyKey(ctx); got != "" {
		t.Errorf("IdempotencyKey(background) = %q, want \"\"", got)
	}
	ctx = reqctx.WithIdempotencyKey(ctx, "k-1")
	if got := reqctx.IdempotencyKey(ctx); got != "k-1" {
		t.Errorf("IdempotencyKey(WithIdempotencyKey(k-1)) = %q, want k-1", got)
	}
	if got := reqctx.IdempotencyKey(context.WithValue(ctx, otherKey{}, "other")); got != "k-1" {
		t.Errorf("IdempotencyKey under another value = %q, want k-1", got)
	}
}
