package order

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// OrderOfPart returns the whole order holding the seller order
// sellerOrderID (NotFound when unknown). It is a call between modules
// acting for the system, such as the support module checking a return
// against the order it belongs to: it reads no caller and checks nobody's
// right to see the order, so a module must check its own caller before it
// shows anything of what it returns.
func (s *Service) OrderOfPart(ctx context.Context, sellerOrderID id.SellerOrder) (Order, error) {
	oid, err := s.store.OrderOfSellerOrder(ctx, sellerOrderID)
	if err != nil {
		return Order{}, err
	}
	return s.store.Order(ctx, oid)
}

// OnReturnRefunded records a refunded return (return.refunded.v1, as
// "order", once): each returned quantity is added to the Returned of the
// seller order's line of that SKU, capped at the line's quantity; the
// refund is added to the seller order's Refunded; the customer order's
// status is re-derived (partially_returned, returned) and
// order.status_changed.v1 published when it changed. Unknown orders,
// seller orders and SKUs are logged and ignored.
func (s *Service) OnReturnRefunded(ctx context.Context, e event.Event, ev supportevent.Return) error {
	orderID := ev.OrderID
	if orderID == "" {
		oid, err := s.store.OrderOfSellerOrder(ctx, ev.SellerOrderID)
		if err != nil {
			return s.ignoreUnknown(ctx, err, e)
		}
		orderID = oid
	}
	err := s.update(ctx, e, orderID, func(o *Order) (Effects, error) {
		part := o.Part(ev.SellerOrderID)
		if part == nil {
			return Effects{}, apperr.NotFound("seller order %s not found in order %s", ev.SellerOrderID, o.ID)
		}
		changed := false
		for _, rl := range ev.Lines {
			if rl.Quantity <= 0 {
				continue
			}
			l := part.Line(rl.SKU)
			if l == nil {
				s.log.WarnContext(ctx, "returned SKU not in the seller order ignored", "event", e.ID, "return", ev.ReturnID,
					"seller_order", part.ID, "sku", rl.SKU)
				continue
			}
			n := min(l.Returned+rl.Quantity, l.Quantity)
			if n < l.Returned+rl.Quantity {
				s.log.WarnContext(ctx, "more units returned than ordered; capped at the line's quantity", "event", e.ID,
					"return", ev.ReturnID, "seller_order", part.ID, "sku", rl.SKU, "quantity", l.Quantity,
					"returned_before", l.Returned, "returned_now", rl.Quantity)
			}
			if n != l.Returned {
				l.Returned, changed = n, true
			}
		}
		if r := ev.Refund; r != nil && r.Amount > 0 {
			if sum, err := part.Refunded.Add(*r); err != nil {
				s.log.WarnContext(ctx, "return refund in another currency not recorded", "event", e.ID, "return", ev.ReturnID,
					"seller_order", part.ID, "refund", r.String(), "err", err)
			} else {
				part.Refunded, changed = sum, true
			}
		}
		if !changed {
			return Effects{}, ErrUnchanged
		}
		now := s.clock()
		prev := o.Status
		part.UpdatedAt, o.UpdatedAt = now, now
		if err := o.rederive(now); err != nil {
			return Effects{}, err
		}
		return Effects{Events: statusEvent(o, prev, now)}, nil
	})
	return s.ignoreUnknown(ctx, err, e)
}
