package payment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// RefundRequest asks to refund a payment.
type RefundRequest struct {
	Amount *money.Money `json:"amount,omitempty"` // in the payment's currency; nil refunds all that is left
	Reason string       `json:"reason"`
	// SellerOrderID charges the refund to one seller order of the
	// payment's order: its seller bears it as for a return (the
	// commission is given back in proportion). Without it the refund is
	// the platform's goodwill, its own expense.
	SellerOrderID id.SellerOrder `json:"seller_order_id,omitempty"`
}

// Parts tells the payment module which seller orders an order has, to
// check the seller order a goodwill refund is charged to. The composition
// root adapts the order module to it.
type Parts interface {
	// SellerOrders lists an order's seller orders.
	SellerOrders(ctx context.Context, orderID id.Order) ([]id.SellerOrder, error)
}

// MaxReason is the longest refund reason accepted.
const MaxReason = 500

// Refund refunds part or all of a captured payment; only admins and support
// may. Without an amount it refunds everything left. It is a goodwill
// refund (origin "goodwill"), charged to in.SellerOrderID when given (which
// must be a seller order of the payment's order: Invalid otherwise) and
// the platform's expense when not. Errors: Conflict
// "payment_not_captured" or "payment_fully_refunded", Unprocessable
// "refund_exceeds_captured" or "currency_mismatch", Unprocessable
// "refund_failed" when the gateway refuses, Unavailable
// "gateway_unavailable" when it cannot be reached (the refund stays pending
// and the reconciler completes it).
func (s *Service) Refund(ctx context.Context, paymentID id.Payment, in RefundRequest) (Payment, error) {
	who, err := auth.Require(ctx, auth.Admin, auth.Support)
	if err != nil {
		return Payment{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	var f apperr.Fields
	f.Check(reason != "", "reason", "is required")
	f.Check(utf8.RuneCountInString(reason) <= MaxReason, "reason", fmt.Sprintf("must be at most %d characters", MaxReason))
	if in.Amount != nil {
		f.Check(in.Amount.Amount > 0, "amount.amount", "must be positive")
		f.Check(money.ValidCurrency(in.Amount.Currency), "amount.currency", "must be a three-letter ISO 4217 code such as USD")
	}
	if err := f.Err(); err != nil {
		return Payment{}, err
	}
	if in.SellerOrderID != "" {
		if err := s.checkPart(ctx, paymentID, in.SellerOrderID); err != nil {
			return Payment{}, err
		}
	}
	p, r, err := s.addRefund(ctx, paymentID, in.Amount, Refund{Reason: reason, By: string(who.UserID), Origin: OriginGoodwill, SellerOrderID: in.SellerOrderID})
	if err != nil {
		return Payment{}, err
	}
	return s.completeRefund(ctx, p, r)
}

// checkPart refuses a seller order that is not one of the payment's order.
func (s *Service) checkPart(ctx context.Context, paymentID id.Payment, so id.SellerOrder) error {
	bad := apperr.Invalid("validation_failed", "the request has invalid fields",
		apperr.FieldError{Field: "seller_order_id", Message: "is not a seller order of this payment's order"})
	if s.parts == nil {
		return bad
	}
	p, err := s.store.Payment(ctx, paymentID)
	if err != nil {
		return err
	}
	parts, err := s.parts.SellerOrders(ctx, p.OrderID)
	if err != nil && !apperr.Is(err, apperr.KindNotFound) {
		return fmt.Errorf("read the seller orders of order %s: %w", p.OrderID, err)
	}
	if !slices.Contains(parts, so) {
		return bad
	}
	return nil
}

// addRefund records r as a pending refund of amount (nil: all that is
// left), with a new ID.
func (s *Service) addRefund(ctx context.Context, paymentID id.Payment, amount *money.Money, r Refund) (Payment, Refund, error) {
	r.ID = id.Make[id.Refund]()
	p, err := s.store.Update(ctx, paymentID, func(p *Payment) ([]Event, error) {
		r.Amount = p.Refundable()
		if amount != nil {
			r.Amount = *amount
		}
		return nil, p.AddRefund(r, s.now())
	})
	if err != nil {
		return Payment{}, Refund{}, err
	}
	for _, x := range p.Refunds {
		if x.ID == r.ID {
			return p, x, nil
		}
	}
	return Payment{}, Refund{}, fmt.Errorf("refund %s of payment %s was not stored", r.ID, paymentID)
}

// completeRefund sends a pending refund to the gateway (again: its key makes
// it the same refund) and records the answer.
func (s *Service) completeRefund(ctx context.Context, p Payment, r Refund) (Payment, error) {
	gw, err := s.gatewayOf(p)
	if err != nil {
		return Payment{}, err
	}
	gr, err := gw.Refund(ctx, RefundParams{
		IntentID: p.GatewayIntentID, Amount: r.Amount, IdempotencyKey: r.IdempotencyKey(), PaymentID: string(p.ID), RefundID: string(r.ID),
	})
	switch {
	case definite(err):
		code := apperr.CodeOf(err)
		if _, uerr := s.store.Update(ctx, p.ID, func(q *Payment) ([]Event, error) {
			return q.ApplyRefund(r.ID, GatewayRefund{Status: RefundFailed, FailureCode: code}, s.now())
		}); uerr != nil {
			return Payment{}, fmt.Errorf("record refused refund %s: %w", r.ID, uerr)
		}
		return Payment{}, &apperr.Error{Kind: apperr.KindUnprocessable, Code: "refund_failed",
			Message: "the payment gateway refused the refund", Err: err}
	case err != nil:
		s.log.WarnContext(ctx, "refund call failed; the refund stays pending", "payment", p.ID, "refund", r.ID, "err", err)
		return Payment{}, &apperr.Error{Kind: apperr.KindUnavailable, Code: "gateway_unavailable",
			Message: "the payment gateway did not answer; the refund will be retried", Err: err}
	}
	q, err := s.store.Update(ctx, p.ID, func(q *Payment) ([]Event, error) {
		evs, err := q.ApplyRefund(r.ID, gr, s.now())
		if apperr.Is(err, apperr.KindConflict) {
			s.log.ErrorContext(ctx, "ignoring a refund answer that does not fit the payment", "payment", p.ID, "refund", r.ID, "err", err)
			return nil, ErrUnchanged
		}
		return evs, err
	})
	if err != nil {
		return Payment{}, fmt.Errorf("record refund %s: %w", r.ID, err)
	}
	return q, nil
}

// RefundOrder refunds everything captured and not yet refunded for an order
// (used when an order is cancelled). It checks no authorisation: the caller
// decided the order is to be refunded. It is idempotent: a second call finds
// nothing left and only pushes refunds still pending. A payment that is
// still open is not touched; if it succeeds later, call RefundOrder again.
func (s *Service) RefundOrder(ctx context.Context, orderID id.Order, reason string) error {
	if strings.TrimSpace(reason) == "" {
		reason = "order cancelled"
	}
	by := "system"
	if who, ok := auth.From(ctx); ok {
		by = string(who.UserID)
	}
	ps, err := s.store.OrderPayments(ctx, orderID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if !p.Status.Captured() {
			continue
		}
		if p.Refundable().Amount > 0 {
			_, _, err := s.addRefund(ctx, p.ID, nil, Refund{Reason: reason, By: by, Origin: OriginCancellation})
			if err != nil && apperr.CodeOf(err) != "payment_fully_refunded" {
				return fmt.Errorf("refund payment %s of order %s: %w", p.ID, orderID, err)
			}
		}
		q, err := s.store.Payment(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, r := range q.Refunds {
			if r.Status != RefundPending {
				continue
			}
			if q, err = s.completeRefund(ctx, q, r); err != nil {
				return fmt.Errorf("refund payment %s of order %s: %w", p.ID, orderID, err)
			}
		}
	}
	return nil
}
