package order

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// The names the module's event consumers are registered under (Subscribe).
const (
	// Consumer applies other modules' events to orders, exactly once each:
	// it records them in the order's own store (Store.ApplyOnce).
	Consumer = "order"
	// ConsumerRefund refunds cancelled paid orders (order.cancelled.v1).
	ConsumerRefund = "order.refund"
	// ConsumerStock gives cancelled orders' stock back (order.cancelled.v1).
	ConsumerStock = "order.stock"
	// ConsumerCart takes placed orders out of carts (order.placed.v1).
	ConsumerCart = "order.cart"
	// ConsumerSettle captures a cash-on-delivery order's payment once its
	// parcels are all delivered or refused (order.status_changed.v1).
	ConsumerSettle = "order.settle"
)

// applyOnce runs fn for e as Consumer, exactly once, with a Store bound to
// the transaction that records e as applied.
func (s *Service) applyOnce(ctx context.Context, e event.Event, fn func(ctx context.Context, st Store) error) error {
	_, err := s.store.ApplyOnce(ctx, Consumer, e.ID, fn)
	return err
}

// update applies m to an order for e, exactly once (see applyOnce).
func (s *Service) update(ctx context.Context, e event.Event, orderID id.Order, m Mutation) error {
	return s.applyOnce(ctx, e, func(ctx context.Context, st Store) error {
		_, err := st.Update(ctx, orderID, m)
		return err
	})
}

// removeFromCart takes a placed order's quantities out of its customer's
// cart, so the cart is right when Place answers. A failure is only logged:
// the ConsumerCart consumer of order.placed.v1 does it again (the cart
// applies each order once).
func (s *Service) removeFromCart(ctx context.Context, p Placed) {
	if err := s.deps.Carts.RemoveOrdered(context.WithoutCancel(ctx), p.CustomerID, p.OrderID, cartLines(p.Lines)); err != nil {
		s.log.WarnContext(ctx, "remove a placed order's lines from the cart; its consumer will", "order", p.OrderID, "err", err)
	}
}

func cartLines(ls []LineQty) []cart.Ordered {
	out := make([]cart.Ordered, len(ls))
	for i, l := range ls {
		out[i] = cart.Ordered{SKU: l.SKU, Quantity: l.Quantity}
	}
	return out
}

// OnPlaced is the ConsumerCart consumer of the module's own order.placed.v1:
// an order placed from the cart takes exactly its quantities out of the
// cart. The cart applies each order once, so a redelivery, or the call Place
// made already, changes nothing; an error makes the outbox deliver the event
// again.
func (s *Service) OnPlaced(ctx context.Context, e event.Event, ev Placed) error {
	if !ev.FromCart {
		return nil
	}
	return s.deps.Carts.RemoveOrdered(ctx, ev.CustomerID, ev.OrderID, cartLines(ev.Lines))
}

// skusOf returns the SKUs of o's seller orders ids.
func skusOf(o Order, ids []id.SellerOrder) []string {
	skus := []string{}
	for _, id := range ids {
		if part := o.Part(id); part != nil {
			skus = append(skus, part.SKUs()...)
		}
	}
	return skus
}

// returnStock gives back the stock of o's seller orders ids, just cancelled,
// so it is available again when the caller answers. A failure is only
// logged: the ConsumerStock consumer of order.cancelled.v1 does it again
// (Return is idempotent).
func (s *Service) returnStock(ctx context.Context, o Order, ids []id.SellerOrder) {
	if len(ids) == 0 {
		return
	}
	if err := s.deps.Stock.Return(context.WithoutCancel(ctx), o.ID, skusOf(o, ids)); err != nil {
		s.log.WarnContext(ctx, "give back a cancelled order's stock; its consumer will", "order", o.ID, "err", err)
	}
}

// OnCancelledStock is the ConsumerStock consumer of the module's own
// order.cancelled.v1: the cancelled seller orders' stock goes back to
// inventory, released if the reservation is still held, restocked if a
// payment committed it (even one that committed after the cancellation was
// decided). Return is idempotent, so a redelivery or the call the canceller
// made already changes nothing; an error makes the outbox deliver the event
// again.
func (s *Service) OnCancelledStock(ctx context.Context, e event.Event, ev CancelledEvent) error {
	if len(ev.SellerOrderIDs) == 0 {
		return nil // a late payment's refund: nothing was cancelled now
	}
	o, err := s.store.Order(ctx, ev.OrderID)
	if err != nil {
		return s.ignoreUnknown(ctx, err, e)
	}
	err = s.deps.Stock.Return(ctx, o.ID, skusOf(o, ev.SellerOrderIDs))
	if apperr.Is(err, apperr.KindNotFound) {
		s.log.ErrorContext(ctx, "cancelled order has no stock reservation", "order", o.ID, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("give back the stock of order %s: %w", o.ID, err)
	}
	return nil
}
