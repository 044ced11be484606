package order

import (
	"context"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
)

// ShipSellerOrder is the gate a seller's handover passes: it moves a seller
// order from awaiting_fulfillment to shipped, with shipmentID, and re-derives
// the customer order's status. It is privileged (the shipment module has
// checked that the caller's store owns the shipment) and must be called
// outside any transaction. Shipping again with the same shipment is a no-op;
// a cancelled seller order is Conflict "order_cancelled" and one that cannot
// ship (unpaid, or shipped with another shipment) Conflict "not_shippable".
// A customer's cancel and a seller's handover racing each other go through
// the same conditional write: exactly one of them wins.
func (s *Service) ShipSellerOrder(ctx context.Context, sellerOrderID id.SellerOrder, shipmentID id.Shipment) error {
	if shipmentID == "" {
		return apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "shipment_id", Message: "is required"})
	}
	orderID, err := s.store.OrderOfSellerOrder(ctx, sellerOrderID)
	if err != nil {
		return err
	}
	_, err = s.store.Update(ctx, orderID, func(o *Order) (Effects, error) {
		now := s.clock()
		prev := o.Status
		if err := o.shipPart(sellerOrderID, shipmentID, now); err != nil {
			return Effects{}, err
		}
		return Effects{Events: statusEvent(o, prev, now)}, nil
	})
	return err
}

// OnShipmentCreated records a new shipment of a seller order in the order's
// projection (shipment.created.v1, as "order", once).
func (s *Service) OnShipmentCreated(ctx context.Context, e event.Event, ev shipmentevent.Created) error {
	err := s.update(ctx, e, ev.OrderID, func(o *Order) (Effects, error) {
		part := o.Part(ev.SellerOrderID)
		if part == nil {
			return Effects{}, apperr.NotFound("seller order %s not found", ev.SellerOrderID)
		}
		sh := part.Shipment
		switch {
		case sh == nil || sh.ID != ev.ShipmentID:
			part.Shipment = &Shipment{ID: ev.ShipmentID, Status: string(ev.Status), TrackingID: ev.TrackingID}
		case sh.TrackingID == "" && ev.TrackingID != "":
			// The handover got here first; keep its later status.
			sh.TrackingID = ev.TrackingID
		default:
			return Effects{}, ErrUnchanged
		}
		part.UpdatedAt = s.clock()
		return Effects{}, nil
	})
	return s.ignoreUnknown(ctx, err, e)
}

// OnShipmentStatusChanged follows a shipment after handover
// (shipment.status_changed.v1, as "order", once): the projection takes the new status; a
// delivered shipment makes its seller order delivered and one returned to
// the seller makes it returned (and order.cancelled.v1 gives its money and
// stock back); the customer order's status is re-derived,
// and order.delivered.v1 is published once every seller order that was not
// cancelled is delivered.
func (s *Service) OnShipmentStatusChanged(ctx context.Context, e event.Event, ev shipmentevent.StatusChanged) error {
	err := s.update(ctx, e, ev.OrderID, func(o *Order) (Effects, error) {
		part := o.Part(ev.SellerOrderID)
		if part == nil {
			return Effects{}, apperr.NotFound("seller order %s not found", ev.SellerOrderID)
		}
		now := s.clock()
		prev := o.Status
		if part.Shipment == nil || part.Shipment.ID != ev.ShipmentID {
			part.Shipment = &Shipment{ID: ev.ShipmentID}
		}
		part.Shipment.Status, part.UpdatedAt = string(ev.Status), now
		var target SellerStatus
		switch ev.Status {
		case shipmentDelivered:
			target = SellerDelivered
		case shipmentReturnedToSeller:
			target = SellerReturned
		case shipmentCancelled, "pending", "packed":
		default: // on its way: handed over, picked up, in transit, ...
			target = SellerShipped
		}
		if target != "" && part.Status == SellerAwaitingFulfillment {
			// The handover did not pass the gate (it should have): the
			// parcel is on its way all the same, so the order follows it.
			s.log.WarnContext(ctx, "shipment moved on without ShipSellerOrder", "seller_order", part.ID, "shipment", ev.ShipmentID, "status", ev.Status)
			if err := part.to(SellerShipped, now); err != nil {
				return Effects{}, err
			}
			if err := o.rederive(now); err != nil {
				return Effects{}, err
			}
		}
		var evs []Event
		if (target == SellerDelivered || target == SellerReturned) && part.Status == SellerShipped {
			if err := part.to(target, now); err != nil {
				return Effects{}, err
			}
			if err := o.rederive(now); err != nil {
				return Effects{}, err
			}
			if target == SellerReturned {
				part.CancelReason = ReasonUndelivered
				if o.Status == Cancelled {
					// Nothing of the order reaches the customer: it ends
					// cancelled (and refunded, once its refund is done).
					o.CancelledAt, o.CancelReason = ptr(now), ReasonUndelivered
				}
				// Refused at the door or undeliverable: the customer gets
				// back what was paid for it (nothing was, for cash on
				// delivery) and the stock goes back on sale, through the
				// consumers of order.cancelled.v1.
				evs = append(evs, eventOf(TopicCancelled, CancelledEvent{
					OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: []id.SellerOrder{part.ID}, Whole: o.Status == Cancelled,
					Reason: ReasonUndelivered, RefundRequired: !o.onDelivery(), Authorized: o.onDelivery(), CashOnDelivery: o.onDelivery() && o.CashOnDelivery,
					Sold: soldLines(o, []id.SellerOrder{part.ID})}))
			}
		}
		evs = append(evs, statusEvent(o, prev, now)...)
		if o.Status == Delivered && prev != Delivered {
			evs = append(evs, eventOf(TopicDelivered, DeliveredEvent{OrderID: o.ID, CustomerID: o.CustomerID}))
		}
		return Effects{Events: evs}, nil
	})
	return s.ignoreUnknown(ctx, err, e)
}

// ignoreUnknown drops events about orders this module does not have: they
// would fail forever and hold back the events behind them.
func (s *Service) ignoreUnknown(ctx context.Context, err error, e event.Event) error {
	if apperr.Is(err, apperr.KindNotFound) {
		s.log.WarnContext(ctx, "event about an unknown order or seller order ignored", "topic", e.Topic, "event", e.ID, "err", err)
		return nil
	}
	return err
}
