package order

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/unit"
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
// payment is still under way), publishing order.cancelled.v1, and returns
// how many it cancelled. Each order is one transaction whose conditions are
// checked again inside it, so a payment that lands meanwhile wins cleanly.
// The stock comes back through inventory's Return right after (and from the
// "order.stock" consumer, should that fail). A payment that succeeds after
// the expiry is refunded (see OnPaymentSucceeded).
//
// It also gives back the stock of placements that never became orders (the
// process died between reserving and writing the order, or the release
// after a failed write failed too), once they are PlacementTimeout old.
func (s *Service) ExpireReservations(ctx context.Context, now time.Time) (int, error) {
	const batch = 100
	if err := s.endStalePlacements(ctx, now, batch); err != nil {
		return 0, err
	}
	expired := 0
	for {
		ids, err := s.store.Expirable(ctx, now, s.grace, batch)
		if err != nil {
			return expired, fmt.Errorf("find expired orders: %w", err)
		}
		progress := false
		for _, oid := range ids {
			did := false
			var cancelledIDs []id.SellerOrder
			o, err := s.store.Update(ctx, oid, func(o *Order) (Effects, error) {
				did = false // the transaction may run again
				if !s.expirable(o, now) {
					return Effects{}, ErrUnchanged
				}
				prev := o.Status
				cancelled, err := o.cancel(ReasonExpired, now)
				if err != nil {
					return Effects{}, err
				}
				did, cancelledIDs = true, cancelled
				return Effects{Events: append([]Event{eventOf(TopicCancelled, CancelledEvent{
					OrderID: o.ID, CustomerID: o.CustomerID, SellerOrderIDs: cancelled, Whole: true, Reason: ReasonExpired,
				})}, statusEvent(o, prev, now)...)}, nil
			})
			if err != nil {
				return expired, fmt.Errorf("expire order %s: %w", oid, err)
			}
			if did {
				s.returnStock(ctx, o, cancelledIDs)
				expired++
				progress = true
			}
		}
		if len(ids) < batch || !progress {
			return expired, nil
		}
	}
}

// PlacementTimeout is how long after it started a placement that has not
// written its order is taken for dead: the expirer ends it and releases its
// stock. A placement still running then fails cleanly (Create answers
// "placement_expired") rather than write an order without stock.
const PlacementTimeout = 2 * time.Minute

// endStalePlacements ends the placements older than PlacementTimeout and
// releases their stock.
func (s *Service) endStalePlacements(ctx context.Context, now time.Time, batch int) error {
	for {
		ids, err := s.store.StalePlacements(ctx, now.Add(-PlacementTimeout), batch)
		if err != nil {
			return fmt.Errorf("find stale placements: %w", err)
		}
		for _, oid := range ids {
			// End the placement first: from then on Create refuses the
			// order, so releasing its stock cannot strand one.
			dropped, err := s.store.DropPlacement(ctx, oid)
			if err != nil {
				return fmt.Errorf("end placement %s: %w", oid, err)
			}
			if !dropped {
				continue
			}
			if err := s.deps.Stock.Release(ctx, oid); err != nil {
				s.log.WarnContext(ctx, "release the stock of an abandoned placement; inventory's sweeper will", "order", oid, "err", err)
			}
		}
		if len(ids) < batch {
			return nil
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

// Jobs are the module's background jobs: the expirer (orders whose
// reservation ran out, stale placements), every 15 seconds, in one process
// at a time.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{{Name: "order.expirer", Singleton: true, Run: func(ctx context.Context) { s.RunExpirer(ctx, 15*time.Second) }}}
}
