package payment

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// RefundOrderPart refunds amount of an order's captured payment for one part
// of the order (the order module passes a cancelled seller order's ID and
// total), at most once per part: the refund's ID is derived from the payment
// and the part, so calling again only pushes that refund on to the gateway
// while it is still pending. The amount is capped at what is left to
// refund; with nothing captured (or nothing left) there is nothing to do. It
// checks no authorisation: the caller decided the part is to be refunded.
func (s *Service) RefundOrderPart(ctx context.Context, orderID id.Order, part string, amount money.Money, reason string) error {
	var f apperr.Fields
	f.Check(strings.TrimSpace(part) != "", "part", "is required")
	f.Check(amount.Amount > 0, "amount.amount", "must be positive")
	if err := f.Err(); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		reason = "order part cancelled"
	}
	by := "system"
	if who, ok := auth.From(ctx); ok {
		by = string(who.UserID)
	}
	// The support module names a return's refund "return:<return>"; the
	// order module a cancelled seller order by its ID.
	origin, so := OriginCancellation, id.SellerOrder(part)
	if strings.HasPrefix(part, "return:") {
		origin, so = OriginReturn, ""
	}
	ps, err := s.store.OrderPayments(ctx, orderID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if !p.Status.Captured() {
			continue
		}
		rid := PartRefundID(p.ID, part)
		q, err := s.store.Update(ctx, p.ID, func(q *Payment) ([]Event, error) {
			for _, r := range q.Refunds {
				if r.ID == id.Refund(rid) {
					return nil, ErrUnchanged
				}
			}
			left := q.Refundable()
			if left.Amount == 0 {
				return nil, ErrUnchanged
			}
			a := amount
			a.Amount = min(a.Amount, left.Amount)
			return nil, q.AddRefund(Refund{ID: id.Refund(rid), Amount: a, Reason: reason, By: by, Origin: origin, SellerOrderID: so}, s.now())
		})
		if err != nil {
			return fmt.Errorf("refund %s of order %s: %w", part, orderID, err)
		}
		for _, r := range q.Refunds {
			if r.ID == id.Refund(rid) && r.Status == RefundPending {
				if _, err := s.completeRefund(ctx, q, r); err != nil {
					return fmt.Errorf("refund %s of order %s: %w", part, orderID, err)
				}
			}
		}
		return nil // one captured payment per order
	}
	return nil
}

// PartRefundID is the ID of the refund RefundOrderPart makes for part of
// payment paymentID: "rfd_" and 26 Crockford base32 digits of a hash of both.
func PartRefundID(paymentID id.Payment, part string) string {
	const digits = "0123456789abcdefghjkmnpqrstvwxyz"
	sum := sha256.Sum256([]byte("part-refund\x00" + paymentID + "\x00" + id.Payment(part)))
	var b strings.Builder
	b.WriteString("rfd_")
	var acc uint64
	bits := 0
	for _, c := range sum {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 && b.Len() < 4+26 {
			bits -= 5
			b.WriteByte(digits[(acc>>uint(bits))&31])
		}
	}
	return b.String()
}
