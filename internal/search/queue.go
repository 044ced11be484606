package search

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/review"
)

// Queue is a durable queue of products whose documents are to be
// refreshed; *searchsql.Store satisfies it. With a Queue, the catalog's and
// the inventory's events only add to it (in the transaction that records
// them as applied), and RunQueue refreshes the documents in batches: the
// event relay never waits for the index, and a burst of stock changes of
// one product costs one refresh.
type Queue interface {
	QueueTx(ctx context.Context, tx *sql.Tx, productIDs []string, now time.Time) error
	// Pending returns up to limit queued products, the longest waiting first.
	Pending(ctx context.Context, limit int) ([]Pending, error)
	// Done removes refreshed entries, except those queued again since.
	Done(ctx context.Context, done []Pending) error
}

// StockGate tells stock changes that matter to search from those that do
// not: results show whether a product is in stock, so only a SKU going in
// or out of stock refreshes its product. *searchsql.Store satisfies it.
// Stock events of a SKU arrive in order (their aggregate is the SKU), so
// the state it keeps is the SKU's latest.
type StockGate interface {
	// StockFlippedTx records whether sku is in stock and reports whether
	// that changed (true for a SKU not seen before).
	StockFlippedTx(ctx context.Context, tx *sql.Tx, sku string, inStock bool) (bool, error)
}

// Pending is one queued product.
type Pending struct {
	ProductID string
	QueuedAt  int64 // as stored; Done matches it
}

// queueBatch is how many queued products one refresh takes.
const queueBatch = 500

// RunQueue refreshes queued products until ctx ends: at once when kicked
// by an event, and every queueEvery otherwise. Without a Queue it returns
// at once.
func (s *Service) RunQueue(ctx context.Context) {
	q := s.opts.Queue
	if q == nil {
		return
	}
	t := time.NewTicker(queueEvery)
	defer t.Stop()
	for {
		n, err := s.drainQueue(ctx, q)
		if err != nil && ctx.Err() == nil {
			s.log.Error("search: refresh queued products", "err", err)
		}
		if n == queueBatch && err == nil {
			continue // more waiting
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-t.C:
		}
	}
}

// queueEvery is how often RunQueue looks for work it was not told about
// (a kick before the event's transaction committed, another process).
const queueEvery = 250 * time.Millisecond

// DrainQueue refreshes every queued product now (tests, shutdown).
func (s *Service) DrainQueue(ctx context.Context) error {
	if s.opts.Queue == nil {
		return nil
	}
	for {
		n, err := s.drainQueue(ctx, s.opts.Queue)
		if err != nil || n < queueBatch {
			return err
		}
	}
}

func (s *Service) drainQueue(ctx context.Context, q Queue) (int, error) {
	items, err := q.Pending(ctx, queueBatch)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	ids := make([]string, len(items))
	for i, p := range items {
		ids[i] = p.ProductID
	}
	if err := s.Refresh(ctx, ids...); err != nil {
		return 0, err
	}
	return len(items), q.Done(ctx, items)
}

// enqueue is the event handler with a Queue: it records the products in
// the event's transaction and wakes RunQueue.
func (s *Service) enqueue(ctx context.Context, tx *sql.Tx, productIDs ...string) error {
	if err := s.opts.Queue.QueueTx(ctx, tx, productIDs, time.Now()); err != nil {
		return err
	}
	s.wake()
	return nil
}

// wake tells RunQueue there is work.
func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// SalesRecorder is implemented by a Queue that also counts sales into the
// popularity signal (*searchsql.Store does): with it, order.paid.v1 adds
// each product's units to its sales and queues it, and order.cancelled.v1
// takes back what a paid order had added, exactly once per event.
type SalesRecorder interface {
	// AddSalesTx adds units (negative to take back) to products' sales,
	// which do not go below zero.
	AddSalesTx(ctx context.Context, tx *sql.Tx, units map[string]int64, now time.Time) error
}

// onPaid counts a paid order's units per product into their sales and
// queues the products, so "popular" ranks by what sells.
func (s *Service) onPaid(rec SalesRecorder) func(ctx context.Context, tx *sql.Tx, e event.Event) error {
	return func(ctx context.Context, tx *sql.Tx, e event.Event) error {
		var paid order.PaidEvent
		if err := e.Decode(&paid); err != nil {
			return err
		}
		var lines []order.PaidLine
		for _, so := range paid.SellerOrders {
			lines = append(lines, so.Lines...)
		}
		return s.addSales(ctx, tx, rec, lines, 1)
	}
}

// RatingRecorder is implemented by a Queue that also keeps the products'
// ratings (*searchsql.Store does): with it, review.rated.v1 sets a
// product's rating and queues it, ignoring an event older than the rating
// it has.
type RatingRecorder interface {
	SetRatingTx(ctx context.Context, tx *sql.Tx, productID string, rating float64, count, seq int64, now time.Time) (bool, error)
}

// onRated applies a product's new rating from the review module.
func (s *Service) onRated(rec RatingRecorder) func(ctx context.Context, tx *sql.Tx, e event.Event) error {
	return func(ctx context.Context, tx *sql.Tx, e event.Event) error {
		var r review.ProductRated
		if err := e.Decode(&r); err != nil {
			return err
		}
		changed, err := rec.SetRatingTx(ctx, tx, r.ProductID, r.Average, int64(r.Count), r.Seq, time.Now())
		if err != nil || !changed {
			return err
		}
		return s.enqueue(ctx, tx, r.ProductID)
	}
}

// onCancelled takes a cancelled paid order's units back from their
// products' sales (Sold is empty for an order that was not paid).
func (s *Service) onCancelled(rec SalesRecorder) func(ctx context.Context, tx *sql.Tx, e event.Event) error {
	return func(ctx context.Context, tx *sql.Tx, e event.Event) error {
		var c order.CancelledEvent
		if err := e.Decode(&c); err != nil {
			return err
		}
		return s.addSales(ctx, tx, rec, c.Sold, -1)
	}
}

// addSales adds sign x each line's units to its product's sales and queues
// the products.
func (s *Service) addSales(ctx context.Context, tx *sql.Tx, rec SalesRecorder, lines []order.PaidLine, sign int64) error {
	units := map[string]int64{}
	for _, l := range lines {
		if l.ProductID != "" && l.Quantity > 0 {
			units[l.ProductID] += sign * l.Quantity
		}
	}
	if len(units) == 0 {
		return nil
	}
	if err := rec.AddSalesTx(ctx, tx, units, time.Now()); err != nil {
		return err
	}
	return s.enqueue(ctx, tx, slices.Sorted(maps.Keys(units))...)
}
