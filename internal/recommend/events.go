package recommend

import (
	"context"
	"sync"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Consumer names.
const (
	// SignalsConsumer turns other modules' events into signal rows: every
	// process shares it, so each event is stored once.
	SignalsConsumer = "recommend"
	// ReplicaConsumer is the prefix of the per-process consumer that keeps
	// the products and stores in memory in step: "recommend@" + the replica
	// name (Options.Replica).
	ReplicaConsumer = "recommend@"
)

// Consumer is the name of this process's consumer.
func (s *Service) Consumer() string { return ReplicaConsumer + s.opts.Replica }

// Subscribe stores the signals other modules' events carry (purchases,
// cart and wishlist adds, ratings, returns), each event once, and keeps
// the products, categories and stores in memory in step with the catalog
// and the accounts.
func (s *Service) Subscribe(sub event.Subscriber) {
	event.On(sub, SignalsConsumer, order.TopicPaid, func(ctx context.Context, e event.Event, p order.PaidEvent) error {
		if p.Replacement {
			return nil // exchanged units, not a choice
		}
		var sigs []Signal
		for _, so := range p.SellerOrders {
			for _, l := range so.Lines {
				sigs = append(sigs, Signal{Subject: UserSubject(p.CustomerID), ProductID: l.ProductID, Kind: recmodel.Purchase, At: p.PaidAt})
			}
		}
		return s.store.ApplyOnce(ctx, SignalsConsumer, e.ID, sigs)
	})
	event.On(sub, SignalsConsumer, cart.TopicLineAdded, func(ctx context.Context, e event.Event, p cart.LineAdded) error {
		subject := SessionSubject(string(p.CartID)) // a guest cart stands for its session
		if p.UserID != "" {
			subject = UserSubject(p.UserID)
		}
		return s.store.ApplyOnce(ctx, SignalsConsumer, e.ID, []Signal{{Subject: subject, ProductID: p.ProductID, Kind: recmodel.Cart, At: p.At}})
	})
	event.On(sub, SignalsConsumer, cart.TopicWishlistAdded, func(ctx context.Context, e event.Event, p cart.WishlistAdded) error {
		return s.store.ApplyOnce(ctx, SignalsConsumer, e.ID, []Signal{{Subject: UserSubject(p.UserID), ProductID: p.ProductID, Kind: recmodel.Wish, At: p.At}})
	})
	event.On(sub, SignalsConsumer, review.TopicRated, func(ctx context.Context, e event.Event, p review.ProductRated) error {
		if p.CustomerID == "" || p.Rating < 1 || p.Rating > 5 {
			return nil // a deletion, hiding or import: no one's own rating
		}
		return s.store.ApplyOnce(ctx, SignalsConsumer, e.ID, []Signal{{Subject: UserSubject(p.CustomerID), ProductID: p.ProductID,
			Kind: recmodel.Rate, Value: int8(p.Rating), At: e.Time}})
	})
	event.On(sub, SignalsConsumer, supportevent.TopicReturnRequested, func(ctx context.Context, e event.Event, p supportevent.Return) error {
		var sigs []Signal
		for _, l := range p.Lines {
			sigs = append(sigs, Signal{Subject: UserSubject(p.CustomerID), ProductID: l.ProductID, Kind: recmodel.Return, At: p.At})
		}
		return s.store.ApplyOnce(ctx, SignalsConsumer, e.ID, sigs)
	})

	me := s.Consumer()
	product := func(ctx context.Context, e event.Event, p catalog.ProductEvent) error {
		s.setProduct(docOfEvent(p))
		return nil
	}
	event.On(sub, me, catalog.TopicProductCreated, product)
	event.On(sub, me, catalog.TopicProductUpdated, product)
	event.On(sub, me, catalog.TopicProductArchived, product)
	event.On(sub, me, catalog.TopicCategoryChanged, func(ctx context.Context, e event.Event, _ catalog.CategoryEvent) error {
		_, err := s.loadCategories(ctx)
		return err
	})
	seller := func(active bool) func(ctx context.Context, e event.Event, p account.SellerStatusChanged) error {
		return func(ctx context.Context, e event.Event, p account.SellerStatusChanged) error {
			s.stores.set(p.SellerID, active)
			return nil
		}
	}
	event.On(sub, me, account.TopicSellerSuspended, seller(false))
	event.On(sub, me, account.TopicSellerReinstated, seller(true))
}

// stores caches whether each store is active.
type stores struct {
	mu     sync.RWMutex
	active map[id.Seller]bool
}

func (c *stores) get(sel id.Seller) (active, known bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	active, known = c.active[sel]
	return active, known
}

func (c *stores) set(sel id.Seller, active bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active == nil {
		c.active = map[id.Seller]bool{}
	}
	c.active[sel] = active
}

// sellerActive reports whether a store is active (not suspended), asking
// the accounts the first time.
func (s *Service) sellerActive(ctx context.Context, sel id.Seller) (bool, error) {
	if s.sellers == nil {
		return true, nil
	}
	if active, known := s.stores.get(sel); known {
		return active, nil
	}
	st, err := s.sellers.Seller(ctx, sel)
	if err != nil && !apperr.Is(err, apperr.KindNotFound) {
		return false, err
	}
	active := err == nil && st.Status == account.SellerActive // an admin caller sees suspended stores
	s.stores.set(sel, active)
	return active, nil
}
