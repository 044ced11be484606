package order

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// PayInput is a request to pay for an order with a gateway payment method
// token, or (Method empty) through the gateway's browser SDK where the
// order's currency is taken by one (Stripe, Razorpay).
type PayInput struct {
	OrderID id.Order `json:"order_id"`
	Method  string   `json:"method,omitempty"`
}

// Pay starts paying for one of the caller's orders through the payment
// module, for the order's total, and returns the payment (with whatever the
// client must do next). While an attempt is open the same attempt is
// returned; after a declined one a new attempt starts.
//
// Errors: NotFound for an order that is not the caller's; Conflict
// "already_paid", "order_cancelled" or "reservation_expired" when the order
// no longer awaits payment; the payment module's errors as they are.
func (s *Service) Pay(ctx context.Context, in PayInput) (payment.Payment, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return payment.Payment{}, err
	}
	var f apperr.Fields
	f.Check(in.OrderID != "", "order_id", "is required")
	if err := f.Err(); err != nil {
		return payment.Payment{}, err
	}
	o, err := s.store.Order(ctx, in.OrderID)
	if err != nil {
		return payment.Payment{}, err
	}
	if o.CustomerID != p.UserID {
		return payment.Payment{}, apperr.NotFound("order %s not found", in.OrderID)
	}
	// Note the attempt before calling the gateway, so the expiry sweeper
	// gives an order whose payment is under way its grace period.
	var before, beforeID string
	o, err = s.store.Update(ctx, o.ID, func(o *Order) (Effects, error) {
		now := s.clock()
		if err := checkPayable(o, now); err != nil {
			return Effects{}, err
		}
		before, beforeID = o.PaymentStatus, string(o.PaymentID)
		if isOpen(o.PaymentStatus) {
			return Effects{}, ErrUnchanged
		}
		o.PaymentStatus, o.PaymentAt, o.UpdatedAt = string(payment.Pending), now, now
		return Effects{}, nil
	})
	if err != nil {
		return payment.Payment{}, err
	}
	sellers := make([]id.Seller, 0, len(o.SellerOrders))
	for _, part := range o.SellerOrders {
		sellers = append(sellers, part.SellerID)
	}
	pay, err := s.deps.Payments.Start(ctx, payment.Start{OrderID: o.ID, CustomerID: o.CustomerID, Amount: o.Total, Method: in.Method, Sellers: sellers})
	if err != nil {
		if !apperr.Is(err, apperr.KindUnavailable) && !isOpen(before) {
			// Nothing is under way after all (a refused method, say).
			s.record(ctx, o.ID, func(o *Order) bool {
				if o.PaymentStatus != string(payment.Pending) || o.PaymentID != id.Payment(beforeID) {
					return false
				}
				o.PaymentStatus = before
				return true
			})
		}
		return payment.Payment{}, err
	}
	if pay.Status.Open() {
		s.record(ctx, o.ID, func(o *Order) bool {
			// The payment's own events are the truth: once they told the
			// order about this attempt, this answer is old news.
			if o.Status != PendingPayment || o.PaymentID == pay.ID {
				return false
			}
			o.PaymentID, o.PaymentStatus = pay.ID, string(pay.Status)
			return true
		})
	}
	return pay, nil
}

// record applies a small bookkeeping change, logging rather than failing:
// the payment's events repair whatever it could not write.
func (s *Service) record(ctx context.Context, orderID id.Order, change func(o *Order) bool) {
	_, err := s.store.Update(ctx, orderID, func(o *Order) (Effects, error) {
		if !change(o) {
			return Effects{}, ErrUnchanged
		}
		o.PaymentAt, o.UpdatedAt = s.clock(), s.clock()
		return Effects{}, nil
	})
	if err != nil {
		s.log.WarnContext(ctx, "record payment attempt on order", "order", orderID, "err", err)
	}
}

func isOpen(paymentStatus string) bool {
	return paymentStatus == string(payment.Pending) || paymentStatus == string(payment.Processing)
}

// OnPaymentSucceeded applies payment.succeeded.v1 (as "order"). An order
// awaiting payment first commits its stock in inventory (idempotent, its own
// transaction), then, exactly once in the order's transaction, becomes paid,
// its seller orders await fulfilment, and order.paid.v1 is published: an
// order is never paid without its stock sold. If inventory already released
// the reservation (the payment came after even the grace period), the order
// is cancelled and refunded instead. A payment for an order that was
// cancelled meanwhile (a late webhook) does not bring it back:
// order.cancelled.v1 is published again with refund_required so the money
// is given back (and a commit that won against the cancellation is
// restocked by the cancellation's Return).
//
// A failure after the commit leaves the stock committed and the order
// awaiting payment; the redelivered event commits again (a no-op) and marks
// it paid.
func (s *Service) OnPaymentSucceeded(ctx context.Context, e event.Event, ev payment.SucceededEvent) error {
	return s.confirm(ctx, e, ev.PaymentID, ev.OrderID, ev.Amount, false, false)
}

// OnPaymentAuthorized applies payment.authorized.v1 (as "order"): a payment
// to be captured later, cash on delivery. The order is confirmed as
// OnPaymentSucceeded confirms a paid one (its stock committed, its seller
// orders awaiting fulfilment, order.paid.v1 published) with payment status
// "authorized", and order.paid.v1 carries the cash each delivery partner
// collects. An authorisation for an order cancelled meanwhile is voided.
func (s *Service) OnPaymentAuthorized(ctx context.Context, e event.Event, ev payment.AuthorizedEvent) error {
	o, err := s.store.Order(ctx, ev.OrderID)
	if err == nil && (o.Status == Cancelled || o.Status == Refunded) {
		if _, err := s.deps.Payments.SettleOnDelivery(ctx, o.ID, money.New(0, o.Currency)); err != nil {
			return fmt.Errorf("void the payment of cancelled order %s: %w", o.ID, err)
		}
		return nil
	}
	return s.confirm(ctx, e, ev.PaymentID, ev.OrderID, ev.Amount, true, ev.CashOnDelivery())
}

// confirm is OnPaymentSucceeded and OnPaymentAuthorized: authorized says
// the payment is only authorised (captured once the order is delivered),
// cod that the customer pays in cash on delivery.
func (s *Service) confirm(ctx context.Context, e event.Event, paymentID id.Payment, orderID id.Order, amount money.Money, authorized, cod bool) error {
	o, err := s.store.Order(ctx, orderID)
	if apperr.Is(err, apperr.KindNotFound) {
		s.log.ErrorContext(ctx, "payment for an unknown order", "order", orderID, "payment", paymentID)
		return nil
	}
	if err != nil {
		return err
	}
	released := false
	if o.Status == PendingPayment {
		err := s.deps.Stock.Commit(ctx, o.ID)
		switch {
		case err == nil:
		case apperr.CodeOf(err) == "reservation_released":
			released = true
		case apperr.Is(err, apperr.KindNotFound):
			// Place writes an order only once its stock is held, so this
			// is a bug or lost inventory data: the order cannot be filled.
			s.log.ErrorContext(ctx, "paid order has no stock reservation; cancelling and refunding it", "order", o.ID)
			released = true
		default:
			return fmt.Errorf("commit stock of order %s: %w", o.ID, err)
		}
	}
	status := string(payment.Succeeded)
	if authorized {
		status = string(payment.Authorized)
	}
	now := s.clock()
	return s.applyOnce(ctx, e, func(ctx context.Context, st Store) error {
		_, err := st.Update(ctx, orderID, func(o *Order) (Effects, error) {
			switch o.Status {
			case PendingPayment:
			case Cancelled, Refunded:
				if authorized {
					return Effects{}, ErrUnchanged // voided by OnPaymentAuthorized
				}
				return s.lateSuccess(o, paymentID)
			default:
				// Confirmed already; a payment authorised then (cash on
				// delivery) and captured on delivery is now paid.
				if o.PaymentID == paymentID && o.PaymentStatus == string(payment.Authorized) && !authorized {
					o.PaymentStatus, o.PaymentAt, o.UpdatedAt = status, now, now
					return Effects{}, nil
				}
				return Effects{}, ErrUnchanged
			}
			prev := o.Status
			if released {
				// Inventory's sweeper released the stock: the order cannot
				// be filled, so it is cancelled and the money refunded.
				ids, err := o.cancel(ReasonExpired, now)
				if err != nil {
					return Effects{}, err
				}
				o.PaymentID, o.PaymentStatus, o.PaymentAt = paymentID, status, now
				return Effects{Events: append([]Event{eventOf(TopicCancelled, CancelledEvent{
					OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: ids, Whole: true,
					Reason: ReasonExpired, RefundRequired: !authorized})}, statusEvent(o, prev, now)...)}, nil
			}
			if amount != o.Total {
				s.log.ErrorContext(ctx, "payment amount differs from the order total", "order", o.ID, "payment", paymentID, "amount", amount, "total", o.Total)
			}
			if err := o.markPaid(paymentID, status, now); err != nil {
				return Effects{}, err
			}
			o.CashOnDelivery = cod
			paid := PaidEvent{OrderID: o.ID, CustomerID: o.CustomerID, PaidAt: now, ShippingAddress: o.ShippingAddress, SellerOrders: []PaidSeller{}, CashOnDelivery: cod}
			for _, part := range o.SellerOrders {
				ps := PaidSeller{SellerOrderID: part.ID, SellerID: part.SellerID, Lines: []PaidLine{}}
				if cod {
					due := part.Total
					ps.CashDue = &due
				}
				for _, l := range part.Lines {
					ps.Lines = append(ps.Lines, PaidLine{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity})
				}
				paid.SellerOrders = append(paid.SellerOrders, ps)
			}
			return Effects{Events: append([]Event{eventOf(TopicPaid, paid)}, statusEvent(o, prev, now)...)}, nil
		})
		return err
	})
}

// OnStatusSettle is the "order.settle" consumer of the module's own
// order.status_changed.v1 (and OnCancelledSettle of order.cancelled.v1):
// an order whose payment is only authorised is settled once its parcels
// allow. Cash on delivery: once every seller order is delivered, returned
// undelivered or cancelled, the payment is captured for what was delivered
// (the delivery partners collected exactly each delivered seller order's
// total). A card authorised at checkout (manual capture): once no seller
// order awaits fulfilment any more, it is captured for the seller orders
// handed over (shipped or delivered), since a gateway captures an
// authorisation once; for a single-seller order that is the seller's
// handover. Either is voided when nothing is to be captured, and the order
// shows the payment's new status. Settling is idempotent, so a redelivery
// changes nothing.
func (s *Service) OnStatusSettle(ctx context.Context, e event.Event, ev StatusChanged) error {
	return s.settle(ctx, e, ev.OrderID)
}

// OnCancelledSettle is the "order.settle" consumer of order.cancelled.v1: a
// parcel returned undelivered leaves the order's status as it was
// (shipped), so the cancellation that gives its money back is what tells
// the settlement.
func (s *Service) OnCancelledSettle(ctx context.Context, e event.Event, ev CancelledEvent) error {
	return s.settle(ctx, e, ev.OrderID)
}

func (s *Service) settle(ctx context.Context, e event.Event, orderID id.Order) error {
	o, err := s.store.Order(ctx, orderID)
	if err != nil {
		return s.ignoreUnknown(ctx, err, e)
	}
	if o.PaymentStatus != string(payment.Authorized) {
		return nil
	}
	amount, ready := captureDue(&o)
	if !ready {
		return nil // a parcel is still to be delivered, or handed over
	}
	pay, err := s.deps.Payments.SettleOnDelivery(ctx, o.ID, amount)
	if err != nil {
		return fmt.Errorf("settle the authorised payment of order %s: %w", o.ID, err)
	}
	if pay.ID != "" && pay.Status != payment.Authorized {
		s.record(ctx, o.ID, func(o *Order) bool {
			if o.PaymentStatus != string(payment.Authorized) {
				return false
			}
			o.PaymentStatus = string(pay.Status)
			return true
		})
	}
	return nil
}

// captureDue is what o's authorised payment is to be captured for, once it
// is ready to be: see OnStatusSettle.
func captureDue(o *Order) (money.Money, bool) {
	due := money.New(0, o.Currency)
	for _, part := range o.SellerOrders {
		switch part.Status {
		case SellerDelivered:
			due.Amount += part.Total.Amount
		case SellerShipped:
			if o.CashOnDelivery {
				return due, false // the cash is collected on delivery
			}
			due.Amount += part.Total.Amount
		case SellerReturned, SellerCancelled:
			// Returned before delivery: for cash nothing was collected;
			// for a card held, refused before the capture: left out.
			// (A card captured already refunds it as for a prepaid order.)
		default:
			return due, false
		}
	}
	return due, true
}

// lateSuccess handles money captured for an order already cancelled.
func (s *Service) lateSuccess(o *Order, paymentID id.Payment) (Effects, error) {
	now := s.clock()
	o.PaymentID, o.PaymentStatus, o.PaymentAt, o.UpdatedAt = paymentID, string(payment.Succeeded), now, now
	return Effects{Events: []Event{eventOf(TopicCancelled, CancelledEvent{
		OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: []id.SellerOrder{}, Whole: true,
		Reason: ReasonLatePayment, RefundRequired: true})}}, nil
}

// OnPaymentFailed applies payment.failed.v1 (as "order", once): the failure is shown on the
// order, which keeps awaiting payment (and its stock) so the customer can
// retry with another method until the reservation expires.
func (s *Service) OnPaymentFailed(ctx context.Context, e event.Event, ev payment.FailedEvent) error {
	now := s.clock()
	err := s.update(ctx, e, ev.OrderID, func(o *Order) (Effects, error) {
		if o.Status != PendingPayment {
			return Effects{}, ErrUnchanged
		}
		o.LastPaymentError = &PaymentError{Code: ev.Code, Message: ev.Message}
		// A failure of an older attempt does not close a newer one.
		if o.PaymentID == "" || o.PaymentID == ev.PaymentID {
			o.PaymentID, o.PaymentStatus, o.PaymentAt = ev.PaymentID, string(payment.Failed), now
		}
		o.UpdatedAt = now
		return Effects{}, nil
	})
	if apperr.Is(err, apperr.KindNotFound) {
		s.log.WarnContext(ctx, "payment failed for an unknown order", "order", ev.OrderID, "payment", ev.PaymentID)
		return nil
	}
	return err
}

// OnPaymentRefunded applies payment.refunded.v1 (as "order", once): the refunded amount is
// recorded, and a cancelled order refunded in full becomes refunded.
func (s *Service) OnPaymentRefunded(ctx context.Context, e event.Event, ev payment.RefundedEvent) error {
	now := s.clock()
	err := s.update(ctx, e, ev.OrderID, func(o *Order) (Effects, error) {
		changed := false
		if ev.TotalRefunded.Amount > o.Refunded.Amount {
			o.Refunded, changed = ev.TotalRefunded, true
		}
		prev := o.Status
		if ev.Full && o.Status == Cancelled {
			if err := o.to(Refunded, now); err != nil {
				return Effects{}, err
			}
			changed = true
		}
		if !changed {
			return Effects{}, ErrUnchanged
		}
		o.UpdatedAt = now
		return Effects{Events: statusEvent(o, prev, now)}, nil
	})
	if apperr.Is(err, apperr.KindNotFound) {
		s.log.WarnContext(ctx, "refund for an unknown order", "order", ev.OrderID, "payment", ev.PaymentID)
		return nil
	}
	return err
}

// checkPayable refuses an order that no longer takes money.
func checkPayable(o *Order, now time.Time) error {
	switch o.Status {
	case PendingPayment:
	case Cancelled, Refunded:
		return apperr.Conflict("order_cancelled", "order %s was cancelled", o.ID)
	default:
		return apperr.Conflict("already_paid", "order %s is paid already", o.ID)
	}
	if !now.Before(o.ReservationExpiresAt) {
		return apperr.Conflict("reservation_expired", "the stock held for order %s has expired; place the order again", o.ID)
	}
	return nil
}
