package search

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/review"
)

// Consumer names.
const (
	// ReplicaConsumer is the prefix of the per-replica consumer: every
	// replica keeps its own index, so each sees every catalog, stock and
	// store event, as "search@" + its replica name (Options.Replica).
	ReplicaConsumer = "search@"
	// SignalsConsumer counts sales and ratings into the signals all
	// replicas share: replicas share it, so each event counts once.
	SignalsConsumer = "search.signals"
)

// Consumer is the name of this replica's consumer.
func (s *Service) Consumer() string {
	r := s.opts.Replica
	if r == "" {
		r = "default"
	}
	return ReplicaConsumer + r
}

// Subscribe keeps the index in step with the catalog, the inventory, the
// stores, the orders (sales) and the reviews (ratings). Every refresh
// re-reads the product from its sources and upserts (or deletes) its
// document, so redeliveries and reordering across aggregates are harmless.
func (s *Service) Subscribe(sub event.Subscriber) {
	me := s.Consumer()
	if s.opts.Queue != nil {
		// Product and stock changes are many: queue them (RunQueue).
		product := func(ctx context.Context, e event.Event, _ catalog.ProductEvent) error {
			return s.enqueue(ctx, e, id.Product(e.Aggregate))
		}
		event.On(sub, me, catalog.TopicProductCreated, product)
		event.On(sub, me, catalog.TopicProductUpdated, product)
		event.On(sub, me, catalog.TopicProductArchived, product)
		event.On(sub, me, inventory.TopicStockChanged, func(ctx context.Context, e event.Event, sc inventory.StockChanged) error {
			if sc.ProductID == "" {
				return nil
			}
			// Units come and go with every order; the document changes
			// when the SKU goes in or out of stock.
			queued := false
			err := s.opts.Queue.ApplyOnce(ctx, me, e.ID, func(w QueueWriter) error {
				flipped, err := w.StockFlipped(ctx, sc.SKU, sc.Available > 0)
				if err != nil || !flipped {
					return err
				}
				queued = true
				return w.Queue(ctx, []id.Product{sc.ProductID}, time.Now())
			})
			if queued && err == nil {
				s.wake()
			}
			return err
		})
		event.On(sub, me, TopicSignalsChanged, func(ctx context.Context, e event.Event, sc SignalsChanged) error {
			return s.enqueue(ctx, e, sc.ProductIDs...)
		})
		event.On(sub, SignalsConsumer, order.TopicPaid, s.onPaid)
		event.On(sub, SignalsConsumer, order.TopicCancelled, s.onCancelled)
		event.On(sub, SignalsConsumer, review.TopicRated, s.onRated)
	} else {
		product := func(ctx context.Context, e event.Event, _ catalog.ProductEvent) error {
			return s.Refresh(ctx, id.Product(e.Aggregate))
		}
		event.On(sub, me, catalog.TopicProductCreated, product)
		event.On(sub, me, catalog.TopicProductUpdated, product)
		event.On(sub, me, catalog.TopicProductArchived, product)
		event.On(sub, me, inventory.TopicStockChanged, func(ctx context.Context, e event.Event, sc inventory.StockChanged) error {
			if sc.ProductID == "" {
				return nil
			}
			return s.Refresh(ctx, sc.ProductID)
		})
	}
	event.On(sub, me, catalog.TopicCategoryChanged, s.onCategory)
	seller := func(ctx context.Context, e event.Event, sc account.SellerStatusChanged) error {
		s.docs.forgetSeller(sc.SellerID)
		return s.refreshWhere(ctx, catalog.Filter{SellerID: sc.SellerID})
	}
	event.On(sub, me, account.TopicSellerSuspended, seller)
	event.On(sub, me, account.TopicSellerReinstated, seller)
}

// onCategory re-indexes the products under a category that was renamed or
// moved (their category path changed).
func (s *Service) onCategory(ctx context.Context, e event.Event, ce catalog.CategoryEvent) error {
	s.docs.forgetTree()
	if ce.Action != "updated" || len(ce.SubtreeIDs) == 0 {
		return nil
	}
	return s.refreshWhere(ctx, catalog.Filter{CategoryIDs: ce.SubtreeIDs})
}

// refreshWhere re-indexes every product matching f, of any status.
func (s *Service) refreshWhere(ctx context.Context, f catalog.Filter) error {
	f.Sort, f.Limit, f.After = catalog.SortNewest, pageSize, nil
	for {
		ps, err := s.docs.cat.Products(ctx, f)
		if err != nil {
			return fmt.Errorf("list products to re-index: %w", err)
		}
		if err := s.apply(ctx, ps); err != nil {
			return err
		}
		if len(ps) < f.Limit {
			return nil
		}
		c := catalog.CursorFor(catalog.SortNewest, ps[len(ps)-1])
		f.After = &c
	}
}

// Refresh re-reads products from the catalog and updates their documents:
// active products are (re)indexed, others removed.
func (s *Service) Refresh(ctx context.Context, productIDs ...id.Product) error {
	var ps []catalog.Product
	var gone []id.Product
	for _, pid := range productIDs {
		p, err := s.docs.cat.Product(ctx, string(pid))
		if apperr.Is(err, apperr.KindNotFound) {
			gone = append(gone, pid)
			continue
		}
		if err != nil {
			return fmt.Errorf("read product %s: %w", pid, err)
		}
		ps = append(ps, p)
	}
	if len(gone) > 0 {
		h, err := s.acquire()
		if err != nil {
			return err
		}
		err = h.idx.Delete(ctx, gone)
		h.busy.Done()
		if err != nil {
			return err
		}
		s.recent.add(gone...)
		s.fresh.remove(gone)
		s.changed.Store(true)
	}
	return s.apply(ctx, ps)
}

// apply writes the documents of ps to the current index and remembers them
// for a rebuild in progress.
func (s *Service) apply(ctx context.Context, ps []catalog.Product) error {
	if len(ps) == 0 {
		return nil
	}
	put, del, err := s.docs.docs(ctx, ps)
	if err != nil {
		return err
	}
	h, err := s.acquire()
	if err != nil {
		return err
	}
	defer h.busy.Done()
	if err := writeDocs(ctx, h.idx, put, del); err != nil {
		return err
	}
	ids := make([]id.Product, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	s.recent.add(ids...)
	s.fresh.remove(del)
	s.fresh.add(put)
	s.changed.Store(true)
	return nil
}

func writeDocs(ctx context.Context, idx Index, put []Doc, del []id.Product) error {
	if len(put) > 0 {
		if err := idx.Put(ctx, put); err != nil {
			return fmt.Errorf("index products: %w", err)
		}
	}
	if len(del) > 0 {
		if err := idx.Delete(ctx, del); err != nil {
			return fmt.Errorf("remove products from the index: %w", err)
		}
	}
	return nil
}

// recentLog remembers which products were refreshed when, so a rebuilt
// index can catch up with the changes made while it was being built.
type recentLog struct {
	mu      sync.Mutex
	entries []recentEntry
	lost    time.Time // entries before this were dropped
}

type recentEntry struct {
	at time.Time
	id string
}

const recentMax = 500_000

func (l *recentLog) add(ids ...id.Product) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		l.entries = append(l.entries, recentEntry{now, string(id)})
	}
	if over := len(l.entries) - recentMax; over > 0 {
		l.lost = l.entries[over-1].at
		l.entries = append(l.entries[:0], l.entries[over:]...)
	}
	// forget what no rebuild can need any more
	if len(l.entries) > 1000 && now.Sub(l.entries[0].at) > 24*time.Hour {
		i := 0
		for i < len(l.entries) && now.Sub(l.entries[i].at) > 24*time.Hour {
			i++
		}
		l.lost = l.entries[i-1].at
		l.entries = append(l.entries[:0], l.entries[i:]...)
	}
}

// since returns the distinct products refreshed at or after t, and whether
// the log still covers all of them.
func (l *recentLog) since(t time.Time) ([]id.Product, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := make(map[id.Product]bool)
	var out []id.Product
	for i := len(l.entries) - 1; i >= 0 && !l.entries[i].at.Before(t); i-- {
		if pid := l.entries[i].id; !seen[id.Product(pid)] {
			seen[id.Product(pid)] = true
			out = append(out, id.Product(pid))
		}
	}
	return out, l.lost.Before(t)
}
