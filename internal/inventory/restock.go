package inventory

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Restocker is implemented by stores that can put a committed reservation's
// units back on hand (inventorysql.Store does).
type Restocker interface {
	// Restock puts the committed units of skus (all when nil) of orderID's
	// reservation back on hand, once, and returns how many units it put
	// back.
	Restock(ctx context.Context, orderID id.Order, skus []string, now time.Time) (int64, error)
}

// Restock puts the units a paid order took back on hand after the order (or,
// with skus, one seller's part of it) was cancelled before shipping. It is
// idempotent: each SKU of an order is restocked at most once. A released
// reservation restocks nothing; a held one is a Conflict "reservation_held".
//
// Restock is a service-to-service call: it does not check the caller.
func (s *Service) Restock(ctx context.Context, orderID id.Order, skus []string) (int64, error) {
	r, ok := s.store.(Restocker)
	if !ok {
		return 0, apperr.New(apperr.KindUnavailable, "restock_unsupported", "this inventory store cannot restock")
	}
	n, err := r.Restock(ctx, orderID, skus, s.now())
	if err != nil {
		return 0, fmt.Errorf("restock order %s: %w", orderID, err)
	}
	return n, nil
}
