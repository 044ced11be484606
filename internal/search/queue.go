package search

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/review"
)

// Queue is one search replica's durable queue of products whose documents
// are to be refreshed, and the signals every replica shares;
// *searchsql.Store satisfies it. With a Queue, events only add to it (in
// the transaction that records them as applied), and RunQueue refreshes
// the documents in batches: the event relay never waits for the index, and
// a burst of stock changes of one product costs one refresh.
type Queue interface {
	// ApplyOnce runs fn in one transaction of the queue's store that also
	// records that consumer applied eventID; an event the consumer applied
	// before is skipped.
	ApplyOnce(ctx context.Context, consumer string, eventID id.Event, fn func(w QueueWriter) error) error
	// Pending returns up to limit queued products, the longest waiting first.
	Pending(ctx context.Context, limit int) ([]Pending, error)
	// Done removes refreshed entries, except those queued again since.
	Done(ctx context.Context, done []Pending) error
}

// QueueWriter changes the queue and the signals inside ApplyOnce's
// transaction.
type QueueWriter interface {
	// Queue adds products to the replica's refresh queue.
	Queue(ctx context.Context, productIDs []id.Product, now time.Time) error
	// StockFlipped records whether sku is in stock and reports whether that
	// changed for the replica (true for a SKU not seen before). Results
	// show whether a product is in stock, so only a SKU going in or out of
	// stock refreshes its product. Stock events of a SKU arrive in order
	// (their aggregate is the SKU), so the state kept is the SKU's latest.
	StockFlipped(ctx context.Context, sku string, inStock bool) (bool, error)
	// AddSales adds units (negative to take back) to products' sales,
	// which do not go below zero.
	AddSales(ctx context.Context, units map[id.Product]int64, now time.Time) error
	// SetRating sets a product's rating as of the review module's sequence
	// seq, unless a later one was applied; it reports whether it changed.
	SetRating(ctx context.Context, productID id.Product, rating float64, count, seq int64, now time.Time) (bool, error)
	// SignalsChanged publishes TopicSignalsChanged for the products, so
	// every replica refreshes them.
	SignalsChanged(ctx context.Context, productIDs []id.Product) error
}

// Pending is one queued product.
type Pending struct {
	ProductID id.Product
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
	ids := make([]id.Product, len(items))
	for i, p := range items {
		ids[i] = p.ProductID
	}
	if err := s.Refresh(ctx, ids...); err != nil {
		return 0, err
	}
	return len(items), q.Done(ctx, items)
}

// enqueue is the per-replica event handler with a Queue: it queues the
// products, once per event, and wakes RunQueue.
func (s *Service) enqueue(ctx context.Context, e event.Event, productIDs ...id.Product) error {
	err := s.opts.Queue.ApplyOnce(ctx, s.Consumer(), e.ID, func(w QueueWriter) error {
		return w.Queue(ctx, productIDs, time.Now())
	})
	if err != nil {
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

// SignalsChanged is the payload of TopicSignalsChanged.
type SignalsChanged struct {
	ProductIDs []id.Product `json:"product_ids"`
}

// TopicSignalsChanged is published by the signals consumer when a
// product's sales or rating changed; every replica refreshes the products.
// The aggregate is the first product.
var TopicSignalsChanged = event.Topic[SignalsChanged]("search.signals_changed.v1")

// onPaid counts a paid order's units per product into their sales, so
// "popular" ranks by what sells.
func (s *Service) onPaid(ctx context.Context, e event.Event, paid order.PaidEvent) error {
	var lines []order.PaidLine
	for _, so := range paid.SellerOrders {
		lines = append(lines, so.Lines...)
	}
	return s.addSales(ctx, e, lines, 1)
}

// onRated applies a product's new rating from the review module.
func (s *Service) onRated(ctx context.Context, e event.Event, r review.ProductRated) error {
	return s.opts.Queue.ApplyOnce(ctx, SignalsConsumer, e.ID, func(w QueueWriter) error {
		changed, err := w.SetRating(ctx, r.ProductID, r.Average, int64(r.Count), r.Seq, time.Now())
		if err != nil || !changed {
			return err
		}
		return w.SignalsChanged(ctx, []id.Product{r.ProductID})
	})
}

// onCancelled takes a cancelled paid order's units back from their
// products' sales (Sold is empty for an order that was not paid).
func (s *Service) onCancelled(ctx context.Context, e event.Event, c order.CancelledEvent) error {
	return s.addSales(ctx, e, c.Sold, -1)
}

// addSales adds sign x each line's units to its product's sales and has
// every replica refresh the products.
func (s *Service) addSales(ctx context.Context, e event.Event, lines []order.PaidLine, sign int64) error {
	units := map[id.Product]int64{}
	for _, l := range lines {
		if l.ProductID != "" && l.Quantity > 0 {
			units[l.ProductID] += sign * l.Quantity
		}
	}
	if len(units) == 0 {
		return nil
	}
	return s.opts.Queue.ApplyOnce(ctx, SignalsConsumer, e.ID, func(w QueueWriter) error {
		if err := w.AddSales(ctx, units, time.Now()); err != nil {
			return err
		}
		return w.SignalsChanged(ctx, slices.Sorted(maps.Keys(units)))
	})
}
