package order

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
)

// Reasons the module gives when it cancels by itself.
const (
	ReasonCustomer    = "cancelled by the customer"
	ReasonStaff       = "cancelled by staff"
	ReasonExpired     = "reservation expired"
	ReasonLatePayment = "payment succeeded after the order was cancelled"
	// ReasonUndelivered: the parcel came back to its seller (refused at the
	// door, or undeliverable).
	ReasonUndelivered = "returned to the seller undelivered"
)

// CancelInput is a request to cancel an order or a seller order.
type CancelInput struct {
	Reason string `json:"reason"`
}

func cleanReason(f *apperr.Fields, reason string, required bool) string {
	reason = strings.TrimSpace(reason)
	f.Check(!required || reason != "", "reason", "is required")
	f.Check(utf8.RuneCountInString(reason) <= MaxReason, "reason", fmt.Sprintf("must be at most %d characters", MaxReason))
	return reason
}

// Cancel cancels a whole order for its customer, an admin or support, while
// no part of it has shipped: every seller order still awaiting payment or
// fulfilment is cancelled, and order.cancelled.v1 published, in the order's
// transaction. The stock comes back afterwards through inventory's Return
// (released if still held, restocked if a payment committed it), called
// right away and again by the "order.stock" consumer of order.cancelled.v1;
// a paid order's payment is refunded by the "order.refund" consumer. Once a part has shipped it is a
// Conflict "order_shipped" and nothing changes; a cancelled order is
// Conflict "order_cancelled". Anyone else's order is NotFound.
func (s *Service) Cancel(ctx context.Context, orderID id.Order, in CancelInput) (Order, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return Order{}, err
	}
	var f apperr.Fields
	reason := cleanReason(&f, in.Reason, false)
	if err := f.Err(); err != nil {
		return Order{}, err
	}
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		return Order{}, err
	}
	staff := p.Is(auth.Admin, auth.Support)
	if o.CustomerID != p.UserID && !staff {
		return Order{}, apperr.NotFound("order %s not found", orderID)
	}
	if reason == "" {
		reason = ReasonCustomer
		if o.CustomerID != p.UserID {
			reason = ReasonStaff
		}
	}
	var cancelled []id.SellerOrder
	o, err = s.store.Update(ctx, orderID, func(o *Order) (Effects, error) {
		now := s.clock()
		prev := o.Status
		ids, err := o.cancel(reason, now)
		if err != nil {
			return Effects{}, err
		}
		cancelled = ids
		paid := prev != PendingPayment
		var sold []PaidLine
		if paid {
			sold = soldLines(o, ids)
		}
		return Effects{Events: append([]Event{eventOf(TopicCancelled, CancelledEvent{
			OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: ids, Whole: true, Reason: reason,
			RefundRequired: paid && !o.onDelivery(), Authorized: paid && o.onDelivery(), CashOnDelivery: paid && o.onDelivery() && o.CashOnDelivery, Sold: sold,
		})}, statusEvent(o, prev, now)...)}, nil
	})
	if err != nil {
		return Order{}, err
	}
	s.returnStock(ctx, o, cancelled)
	return o, nil
}

// CancelSellerOrder cancels one paid seller order that has not shipped, for
// its seller (or an admin), with a reason: that seller's stock is restocked
// (inventory's Return, as for Cancel) and the seller order's total refunded. If it was the last part of the
// order still standing, the customer order is cancelled too. Errors:
// NotFound for another seller's seller order; Conflict "order_shipped",
// "order_cancelled" or "not_paid" (an unpaid order expires by itself).
func (s *Service) CancelSellerOrder(ctx context.Context, sellerOrderID id.SellerOrder, in CancelInput) (Order, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Order{}, err
	}
	if !v.p.Is(auth.Seller, auth.Admin) {
		return Order{}, apperr.Forbidden("only the seller can cancel its part of an order")
	}
	var f apperr.Fields
	reason := cleanReason(&f, in.Reason, true)
	if err := f.Err(); err != nil {
		return Order{}, err
	}
	missing := apperr.NotFound("seller order %s not found", sellerOrderID)
	if v.sellerID == "" && !v.p.Is(auth.Admin) {
		return Order{}, missing
	}
	orderID, err := s.store.OrderOfSellerOrder(ctx, sellerOrderID)
	if err != nil {
		return Order{}, err
	}
	o, err := s.store.Update(ctx, orderID, func(o *Order) (Effects, error) {
		part := o.Part(sellerOrderID)
		if part == nil || !v.p.Is(auth.Admin) && part.SellerID != v.sellerID {
			return Effects{}, missing
		}
		now := s.clock()
		prev := o.Status
		whole, err := o.cancelPart(sellerOrderID, reason, now)
		if err != nil {
			return Effects{}, err
		}
		return Effects{Events: append([]Event{eventOf(TopicCancelled, CancelledEvent{
			OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: []id.SellerOrder{sellerOrderID}, Whole: whole,
			Reason: reason, RefundRequired: !o.onDelivery(), Authorized: o.onDelivery(), CashOnDelivery: o.onDelivery() && o.CashOnDelivery,
			Sold: soldLines(o, []id.SellerOrder{sellerOrderID}),
		})}, statusEvent(o, prev, now)...)}, nil
	})
	if err != nil {
		return Order{}, err
	}
	s.returnStock(ctx, o, []id.SellerOrder{sellerOrderID})
	out, _ := v.sees(o)
	if v.p.Is(auth.Admin) {
		out = o
	}
	return out, nil
}

// OnCancelled is the "order.refund" consumer of order.cancelled.v1: it
// calls the payment module, outside any transaction. When the cancellation requires a refund it refunds
// the whole order's remaining capture (Whole) or each cancelled seller
// order's total. Refunds are idempotent, so a redelivery is harmless; an
// error (the gateway is down) makes the outbox deliver it again later. A
// gateway's definite refusal is logged for a person to handle and not
// retried.
func (s *Service) OnCancelled(ctx context.Context, e event.Event, ev CancelledEvent) error {
	if !ev.RefundRequired {
		return nil
	}
	var err error
	if ev.Whole {
		err = s.deps.Payments.RefundOrder(ctx, ev.OrderID, ev.Reason)
	} else {
		o, rerr := s.store.Order(ctx, ev.OrderID)
		if rerr != nil {
			return rerr
		}
		for _, sid := range ev.SellerOrderIDs {
			part := o.Part(sid)
			if part == nil {
				continue
			}
			if err = s.deps.Payments.RefundOrderPart(ctx, o.ID, string(part.ID), part.Total, ev.Reason); err != nil {
				break
			}
		}
	}
	if k := apperr.KindOf(err); err != nil && k != apperr.KindUnavailable && k != apperr.KindInternal {
		s.log.ErrorContext(ctx, "refund for a cancelled order was refused; refund it by hand", "order", ev.OrderID, "err", err)
		return nil
	}
	return err
}
