package recommend

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// cand is a product a model proposes, with why.
type cand struct {
	recmodel.Scored
	reason Reason
}

// checkLimit validates a list's kind and limit and returns the limit.
func checkLimit(kind string, kinds []string, limit int) (int, error) {
	var f apperr.Fields
	f.Check(slices.Contains(kinds, kind), "kind", "must be one of "+strings.Join(kinds, ", "))
	f.Check(limit >= 0 && limit <= MaxLimit, "limit", "must be an integer from 1 to "+strconv.Itoa(MaxLimit))
	if err := f.Err(); err != nil {
		return 0, err
	}
	if limit == 0 {
		limit = DefaultLimit
	}
	return limit, nil
}

// overFetch is how many candidates to ask a model for to fill limit after
// filtering.
func overFetch(limit int) int { return 4*limit + 20 }

// ForProduct answers a list about one product: also bought, also viewed or
// similar. An unknown product is NotFound.
func (s *Service) ForProduct(ctx context.Context, q ProductQuery) (List, error) {
	limit, err := checkLimit(q.Kind, ProductKinds, q.Limit)
	if err != nil {
		return List{}, err
	}
	p, err := s.product(ctx, q.Product)
	if err != nil {
		return List{}, err
	}
	item := s.items.ID(string(p.id))
	n := overFetch(limit)
	var scored []recmodel.Scored
	code, text := ReasonBoughtWith, "Bought together with "
	switch q.Kind {
	case AlsoBought:
		scored = s.model.AlsoBought(item, n)
	case AlsoViewed:
		scored = s.model.AlsoViewed(item, n)
		code, text = ReasonViewedWith, "Viewed together with "
	case Similar:
		scored = s.model.Similar(item, n)
		code, text = ReasonSimilarTo, "Similar to "
	}
	cands := make([]cand, len(scored))
	for i, sc := range scored {
		cands[i] = cand{Scored: sc, reason: Reason{Code: code, Text: text + p.title, ProductID: p.id}}
	}
	sh := s.shopper(q.User, q.Session)
	exclude := sh.bought()
	exclude[p.id] = true
	items, err := s.pick(ctx, cands, exclude, limit)
	return List{Kind: q.Kind, Items: items}, err
}

// ForShopper answers a list for a shopper: for you, trending or the cart's.
func (s *Service) ForShopper(ctx context.Context, q ShopperQuery) (List, error) {
	limit, err := checkLimit(q.Kind, ShopperKinds, q.Limit)
	if err != nil {
		return List{}, err
	}
	if q.Kind == Cart && len(q.Products) > MaxCart {
		return List{}, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "product", Message: fmt.Sprintf("at most %d products", MaxCart)})
	}
	sh := s.shopper(q.User, q.Session)
	exclude := sh.bought()
	var cands []cand
	switch q.Kind {
	case ForYou:
		cands = s.forYou(sh, limit, exclude)
	case Trending:
		if cands, err = s.trending(q.Category, limit); err != nil {
			return List{}, err
		}
	case Cart:
		cands = s.cart(q.Products, limit, exclude)
	}
	items, err := s.pick(ctx, cands, exclude, limit)
	return List{Kind: q.Kind, Items: items}, err
}

// shopper is a signed-in user and/or a guest session, as the models know
// them (recmodel.NoItem for one they do not).
type shopper struct {
	s             *Service
	user, session uint32
}

// shopper looks up a shopper's dense ids.
func (s *Service) shopper(user id.User, session string) shopper {
	sh := shopper{s: s, user: recmodel.NoItem, session: recmodel.NoItem}
	if user != "" {
		if v, ok := s.users.Lookup(UserSubject(user)); ok {
			sh.user = v
		}
	}
	if session != "" {
		if v, ok := s.users.Lookup(SessionSubject(session)); ok {
			sh.session = v
		}
	}
	return sh
}

// history is the shopper's latest signals, newest first: the user's, then
// the session's.
func (sh shopper) history() []recmodel.Event {
	var h []recmodel.Event
	for _, u := range []uint32{sh.user, sh.session} {
		if u != recmodel.NoItem {
			h = append(h, sh.s.model.History(u)...)
		}
	}
	return h
}

// bought is the set of products the shopper bought lately.
func (sh shopper) bought() map[id.Product]bool {
	out := map[id.Product]bool{}
	for _, e := range sh.history() {
		if e.Kind == recmodel.Purchase {
			out[id.Product(sh.s.items.Key(e.Item))] = true
		}
	}
	return out
}

// forYou proposes products from the shopper's history and session; a
// shopper without either gets trending, then popular products. The
// products of its history are excluded (added to exclude).
func (s *Service) forYou(sh shopper, limit int, exclude map[id.Product]bool) []cand {
	now := s.opts.Now().Unix()
	n := overFetch(limit)
	var scored []recmodel.Scored
	how := map[uint32]recmodel.Kind{} // what the shopper did with each item of its history
	for _, e := range sh.history() {
		if e.Kind == recmodel.Purchase || how[e.Item] == 0 {
			how[e.Item] = e.Kind
		}
		exclude[id.Product(s.items.Key(e.Item))] = true
	}
	switch {
	case sh.user != recmodel.NoItem:
		var session []uint32
		if sh.session != recmodel.NoItem {
			for _, e := range s.model.History(sh.session) {
				session = append(session, e.Item)
			}
		}
		scored = s.model.ForYou(sh.user, session, now, n)
	case sh.session != recmodel.NoItem:
		scored = s.model.ForYou(sh.session, nil, now, n)
	}
	var cands []cand
	for _, sc := range scored {
		if sc.Because == recmodel.NoItem {
			continue // trending, added below with its reason
		}
		because, ok := s.content.get(s.items.Key(sc.Because))
		if !ok {
			continue
		}
		r := Reason{Code: ReasonViewed, Text: "Because you viewed " + because.title, ProductID: because.id}
		if how[sc.Because] == recmodel.Purchase {
			r = Reason{Code: ReasonBought, Text: "Because you bought " + because.title, ProductID: because.id}
		}
		cands = append(cands, cand{Scored: sc, reason: r})
	}
	if len(cands) < n {
		trend, _ := s.trending("", limit)
		cands = append(cands, trend...)
	}
	return cands
}

// trending proposes the products most popular lately in a category (an ID
// or slug; "" for all), then the most popular of all time. An unknown
// category is NotFound.
func (s *Service) trending(category string, limit int) ([]cand, error) {
	now := s.opts.Now().Unix()
	n := overFetch(limit)
	dense := recmodel.NoItem
	var in map[id.Category]bool // the category's subtree; nil for every category
	reason := Reason{Code: ReasonTrending, Text: "Trending"}
	if category != "" {
		c, ok := s.content.category(category)
		if !ok {
			return nil, apperr.New(apperr.KindNotFound, "category_not_found", "category %q not found", category)
		}
		reason = Reason{Code: ReasonTrending, Text: "Trending in " + c.Name, CategoryID: c.ID}
		v, known := s.cats.Lookup(string(c.ID))
		if !known {
			return nil, nil // no product in it yet
		}
		dense = v
		s.content.mu.RLock()
		in = map[id.Category]bool{}
		for _, sub := range s.content.tree.Subtree(c.ID) {
			in[sub] = true
		}
		s.content.mu.RUnlock()
	}
	var cands []cand
	for _, sc := range s.model.Trending(dense, now, n) {
		cands = append(cands, cand{Scored: sc, reason: reason})
	}
	if len(cands) < n {
		for _, sc := range s.model.Popular(4 * n) {
			if in != nil {
				p, ok := s.content.get(s.items.Key(sc.Item))
				if !ok || !in[p.category] {
					continue
				}
			}
			sc.Score = 0 // after every trending product
			cands = append(cands, cand{Scored: sc, reason: Reason{Code: ReasonPopular, Text: "Popular", CategoryID: reason.CategoryID}})
		}
	}
	return cands, nil
}

// cart proposes what is bought or viewed with the cart's products, then
// what is like them. The cart's products are excluded (added to exclude).
func (s *Service) cart(products []id.Product, limit int, exclude map[id.Product]bool) []cand {
	n := overFetch(limit)
	best := map[uint32]cand{}
	offer := func(c cand) {
		if b, ok := best[c.Item]; !ok || c.Score > b.Score {
			best[c.Item] = c
		}
	}
	var seeds []*product
	for _, pid := range products {
		exclude[pid] = true
		if p, ok := s.content.get(string(pid)); ok { // an ID or a slug
			exclude[p.id] = true
			seeds = append(seeds, p)
		}
	}
	for _, p := range seeds {
		item, ok := s.items.Lookup(string(p.id))
		if !ok {
			continue
		}
		for _, sc := range s.model.AlsoBought(item, n) {
			offer(cand{Scored: sc, reason: Reason{Code: ReasonBoughtWith, Text: "Bought together with " + p.title, ProductID: p.id}})
		}
		for _, sc := range s.model.AlsoViewed(item, n) {
			sc.Score *= 0.5 // a purchase says more than a view
			offer(cand{Scored: sc, reason: Reason{Code: ReasonViewedWith, Text: "Viewed together with " + p.title, ProductID: p.id}})
		}
	}
	cands := sortCands(best)
	if len(cands) < n {
		similar := map[uint32]cand{}
		for _, p := range seeds {
			item, _ := s.items.Lookup(string(p.id))
			for _, sc := range s.model.Similar(item, limit) {
				if _, ok := best[sc.Item]; !ok {
					sc.Score = -1 / (1 + sc.Score) // after every co-occurring product
					similar[sc.Item] = cand{Scored: sc, reason: Reason{Code: ReasonSimilarTo, Text: "Similar to " + p.title, ProductID: p.id}}
				}
			}
		}
		cands = append(cands, sortCands(similar)...)
	}
	return cands
}

// sortCands lists candidates best first (ties by item).
func sortCands(m map[uint32]cand) []cand {
	out := make([]cand, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b cand) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return int(a.Item) - int(b.Item)
	})
	return out
}

// pick turns candidates into up to limit items: it drops repeats, what is
// excluded and what cannot be bought (not active, out of stock on every
// variant, seller suspended), and spreads the list across sellers and
// brands (at most a third of it from one while others are available).
func (s *Service) pick(ctx context.Context, cands []cand, exclude map[id.Product]bool, limit int) ([]Item, error) {
	type ok struct {
		p *product
		c cand
	}
	// Take candidates in rounds of 3*limit that pass the cheap checks, then
	// read their stock in one call; go on while too few are in stock. Each
	// round is appended to live and filtered in place: the slices are
	// allocated once per list (a list's garbage is what sets how often the
	// collector scans the models' heap).
	live := make([]ok, 0, 3*limit)
	skus := make([]string, 0, 6*limit)
	seen := make(map[uint32]bool, min(len(cands), 6*limit))
	for next := 0; next < len(cands) && len(live) < 3*limit; {
		from := len(live)
		skus = skus[:0]
		for ; next < len(cands) && len(live)-from < 3*limit; next++ {
			c := cands[next]
			if seen[c.Item] {
				continue
			}
			seen[c.Item] = true
			p, found := s.content.get(s.items.Key(c.Item))
			if !found || exclude[p.id] || p.status != catalog.Active || len(p.skus) == 0 {
				continue
			}
			active, err := s.sellerActive(ctx, p.seller)
			if err != nil {
				return nil, err
			}
			if !active {
				continue
			}
			live = append(live, ok{p, c})
			skus = append(skus, p.skus...)
		}
		if s.stock != nil && len(skus) > 0 {
			avail, err := s.stock.Available(ctx, skus)
			if err != nil {
				return nil, fmt.Errorf("read stock: %w", err)
			}
			round := slices.DeleteFunc(live[from:], func(o ok) bool {
				for _, sku := range o.p.skus {
					if avail[sku] > 0 {
						return false
					}
				}
				return true
			})
			live = live[:from+len(round)]
		}
	}
	most := (limit + 2) / 3
	bySeller, byBrand := map[id.Seller]int{}, map[string]int{}
	items := make([]Item, 0, limit)
	var rest []ok
	take := func(o ok) {
		bySeller[o.p.seller]++
		if b := strings.ToLower(o.p.brand); b != "" {
			byBrand[b]++
		}
		items = append(items, itemOf(o.p, o.c))
	}
	for _, o := range live {
		if len(items) == limit {
			break
		}
		b := strings.ToLower(o.p.brand)
		if bySeller[o.p.seller] >= most || b != "" && byBrand[b] >= most {
			rest = append(rest, o)
			continue
		}
		take(o)
	}
	for _, o := range rest { // no other seller or brand is left
		if len(items) == limit {
			break
		}
		take(o)
	}
	return s.fresh(ctx, items)
}

// fresh reads the chosen items' details from the catalog in one batch
// (Options.Refs): the title, slug, image and lowest price as they are now,
// and drops any product gone inactive since the module heard of it.
func (s *Service) fresh(ctx context.Context, items []Item) ([]Item, error) {
	if s.opts.Refs == nil || len(items) == 0 {
		return items, nil
	}
	ids := make([]id.Product, len(items))
	for i, it := range items {
		ids[i] = it.ProductID
	}
	refs, err := s.opts.Refs.ProductRefs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read the products of a list: %w", err)
	}
	out := items[:0]
	for _, it := range items {
		r, ok := refs[it.ProductID]
		if !ok || !r.Active {
			continue
		}
		it.Title, it.Slug, it.Image, it.PriceMin = r.Title, r.Slug, r.Image, r.MinPrice
		if it.PriceMax.Currency != r.MinPrice.Currency || it.PriceMax.Amount < r.MinPrice.Amount {
			it.PriceMax = r.MinPrice
		}
		out = append(out, it)
	}
	return out, nil
}

// itemOf is the item of a product proposed as c.
func itemOf(p *product, c cand) Item {
	return Item{ProductID: p.id, Slug: p.slug, Title: p.title, Brand: p.brand, Image: p.image, PriceMin: p.priceMin,
		PriceMax: p.priceMax, SellerID: p.seller, CategoryID: p.category, Reason: c.reason, Score: c.Score}
}
