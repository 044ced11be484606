package rpc

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// Watch is the loop of a server stream that follows one resource: it
// sends the resource as load reads it, then again each time changes names
// it (or names nothing: a change of unknown scope) and the caller would
// see a difference (same says when it would not), until ctx ends. The
// caller subscribes to changes before calling Watch, so no change falls
// between the subscription and the first read.
func Watch[ID comparable, M any](ctx context.Context, changes <-chan ID, id ID, load func(context.Context) (M, error),
	same func(last, next M) bool, send func(M) error) error {
	var zero ID
	last, err := load(ctx)
	if err != nil {
		return err
	}
	if err := send(last); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case changed, ok := <-changes:
			if !ok {
				return apperr.New(apperr.KindUnavailable, "live_ended", "live updates ended; watch again")
			}
			if changed != zero && changed != id {
				continue
			}
			next, err := load(ctx)
			if err != nil {
				return err
			}
			if same(last, next) {
				continue // nothing the caller sees changed
			}
			last = next
			if err := send(next); err != nil {
				return err
			}
		}
	}
}
