package order

import (
	"context"
	"fmt"
	"time"
)

// expirable reports whether an order's reservation has run out at now: it
// awaits payment, its reservation expired, and no payment attempt is open
// (or one is, but the grace period after the expiry is over too).
func (s *Service) expirable(o *Order, now time.Time) bool {
	if o.Status != PendingPayment || now.Before(o.ReservationExpiresAt) {
		return false
	}
	return !isOpen(o.PaymentStatus) || !now.Before(o.ReservationExpiresAt.Add(s.grace))
}

// ExpireReservations cancels every order awaiting payment whose reservation
// ran out at or before now (see Options.PaymentGrace for orders whose
// payment is still under way), releasing its stock in the same transaction
// and publishing order.cancelled.v1, and returns how many it cancelled. Each
// order is one transaction whose conditions are checked again inside it, so
// a payment that lands meanwhile wins cleanly. A payment that succeeds after
// the expiry is refunded (see OnPaymentSucceeded).
func (s *Service) ExpireReservations(ctx context.Context, now time.Time) (int, error) {
	const batch = 100
	expired := 0
	for {
		ids, err := s.store.Expirable(ctx, now, s.grace, batch)
		if err != nil {
			return expired, fmt.Errorf("find expired orders: %w", err)
		}
		progress := false
		for _, id := range ids {
			did := false
			_, err := s.store.Update(ctx, id, func(o *Order) (Effects, error) {
				did = false // the transaction may run again
				if !s.expirable(o, now) {
					return Effects{}, ErrUnchanged
				}
				prev := o.Status
				cancelled, err := o.cancel(ReasonExpired, now)
				if err != nil {
					return Effects{}, err
				}
				did = true
				return Effects{
					Steps: []TxStep{s.release(o.ID, now)},
					Events: append([]Event{{Topic: TopicCancelled, Payload: CancelledEvent{
						OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: cancelled, Whole: true, Reason: ReasonExpired,
					}}}, statusEvent(o, prev, now)...),
				}, nil
			})
			if err != nil {
				return expired, fmt.Errorf("expire order %s: %w", id, err)
			}
			if did {
				expired++
				progress = true
			}
		}
		if len(ids) < batch || !progress {
			return expired, nil
		}
	}
}

// RunExpirer calls ExpireReservations every interval until ctx ends.
func (s *Service) RunExpirer(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.ExpireReservations(ctx, s.clock())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "order expirer", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "cancelled orders whose reservation expired", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
