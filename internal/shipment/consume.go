package shipment

import (
	"context"
	"fmt"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
)

// Consumer is the name this module's event consumers record applied events
// under.
const Consumer = "shipment"

// Subscribe registers the module's consumers: order.paid.v1 creates
// shipments, order.cancelled.v1 cancels unshipped ones. Each event is
// applied exactly once: Store.ApplyOnce records it in the shipment store's
// transaction that applies it.
func (s *Service) Subscribe(sub event.Subscriber) {
	event.On(sub, Consumer, order.TopicPaid, s.applyPaid)
	event.On(sub, Consumer, order.TopicCancelled, s.applyCancelled)
}

// applyPaid creates one pending shipment per seller order of a paid order.
// A seller order that already has a shipment keeps it.
func (s *Service) applyPaid(ctx context.Context, e event.Event, paid order.PaidEvent) error {
	now := s.clock()
	shipments := make([]Shipment, 0, len(paid.SellerOrders))
	for _, so := range paid.SellerOrders {
		items := make([]Item, len(so.Lines))
		for i, l := range so.Lines {
			items[i] = Item(l)
		}
		shipments = append(shipments, Shipment{
			ID:              id.Make[id.Shipment](),
			OrderID:         paid.OrderID,
			SellerOrderID:   so.SellerOrderID,
			SellerID:        so.SellerID,
			CustomerID:      paid.CustomerID,
			Status:          Pending,
			Carrier:         s.carrier,
			TrackingID:      NewTrackingID(),
			ShippingAddress: Address(paid.ShippingAddress),
			Items:           items,
			CreatedAt:       now,
			UpdatedAt:       now,
			Timeline:        []Entry{{Status: Pending, Note: "label created", At: now}},
			CashDue:         so.CashDue,
		})
	}
	_, err := s.store.ApplyOnce(ctx, Consumer, e.ID, func(ctx context.Context, st Store) error {
		_, err := st.Create(ctx, shipments)
		return err
	})
	if err != nil {
		return fmt.Errorf("create shipments of order %s: %w", paid.OrderID, err)
	}
	return nil
}

// applyCancelled cancels the pending or packed shipments of the cancelled
// seller orders; those already handed over are left alone (the order module
// does not cancel a shipped seller order).
func (s *Service) applyCancelled(ctx context.Context, e event.Event, c order.CancelledEvent) error {
	note := "order cancelled"
	if c.Reason != "" {
		note += ": " + c.Reason
	}
	if r := []rune(note); len(r) > MaxNote {
		note = string(r[:MaxNote])
	}
	now := s.clock()
	_, err := s.store.ApplyOnce(ctx, Consumer, e.ID, func(ctx context.Context, st Store) error {
		_, err := st.Cancel(ctx, c.SellerOrderIDs, note, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("cancel shipments of order %s: %w", c.OrderID, err)
	}
	return nil
}
