// Package recmodel holds the recommendation models in memory, over dense
// integer ids: item-to-item co-occurrence ("also bought", "also viewed"),
// content similarity ("similar"), time-decayed popularity ("trending",
// overall and per category), a popularity baseline, and "for you".
//
// It knows nothing of the database, the events or HTTP: the recommend
// module feeds it (SetProduct, Add), asks it (AlsoBought, ...), filters what
// it answers and explains it. The offline evaluation (recgen) feeds it the
// same way. Every method is safe for concurrent use.
package recmodel

import (
	"context"
	"math"
	"slices"
	"sync"
)

// NoItem is the Item of "none" (Scored.Because when nothing explains it,
// Trending's category for "every category").
const NoItem = ^uint32(0)

// Kind is the kind of a signal.
type Kind uint8

// The kinds of signal, with the weight each gives a (user, item) pair.
const (
	View     Kind = 1 // a product page seen
	Cart     Kind = 2 // added to a cart
	Wish     Kind = 3 // added to a wishlist
	Purchase Kind = 4 // bought (order.paid)
	Rate     Kind = 5 // rated; Value is the stars, 1 to 5
	Return   Kind = 6 // returned: a negative signal
)

// Event is one signal in dense form.
type Event struct {
	User  uint32 // a shopper: a user, or a guest's anonymous session
	Item  uint32 // a product
	Kind  Kind
	Value int8  // stars for Rate; 0 otherwise
	At    int64 // unix seconds
}

// Product is what the models know of a product.
type Product struct {
	Item       uint32
	Categories []uint32 // the category and its ancestors, root first (leaf last)
	Brand      string
	Seller     uint32
	Price      int64  // minor units (the lowest variant price)
	Text       string // title, description and attribute values
	Created    int64  // unix seconds
}

// Scored is an item a model proposes, best first, with what explains it:
// Because is the item of the shopper's history (or the item asked about)
// that led to it, NoItem for trending and popularity.
type Scored struct {
	Item    uint32
	Score   float32
	Because uint32
}

// Options tunes a Model.
type Options struct {
	// HalfLife is the trending half-life in seconds; 0 for three days.
	HalfLife float64
	// History is how many of a shopper's latest items are kept; 0 for 50.
	History int
}

// Model is every model over one set of dense ids.
type Model struct {
	opts Options

	mu       sync.RWMutex
	products map[uint32]*Product
	hist     map[uint32][]Event // per user, oldest first, capped at opts.History
	bought   map[uint32]map[uint32]float32
	viewed   map[uint32]map[uint32]float32
	nBought  map[uint32]float32
	nViewed  map[uint32]float32
	trend    map[uint32]float64 // decayed score, as of trendAt
	trendAt  int64
	popular  map[uint32]float64
}

// New returns an empty model.
func New(opts Options) *Model {
	if opts.HalfLife == 0 {
		opts.HalfLife = 3 * 24 * 3600
	}
	if opts.History == 0 {
		opts.History = 50
	}
	return &Model{opts: opts, products: map[uint32]*Product{}, hist: map[uint32][]Event{},
		bought: map[uint32]map[uint32]float32{}, viewed: map[uint32]map[uint32]float32{},
		nBought: map[uint32]float32{}, nViewed: map[uint32]float32{}, trend: map[uint32]float64{}, popular: map[uint32]float64{}}
}

// SetProduct adds or replaces what the model knows of a product.
func (m *Model) SetProduct(p Product) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := p
	cp.Categories = slices.Clone(p.Categories)
	m.products[p.Item] = &cp
}

// Product returns what the model knows of item.
func (m *Model) Product(item uint32) (Product, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.products[item]
	if !ok {
		return Product{}, false
	}
	return *p, true
}

// weight is how much a kind of signal says of a shopper's interest.
func weight(e Event) float64 {
	switch e.Kind {
	case View:
		return 1
	case Cart, Wish:
		return 3
	case Purchase:
		return 5
	case Rate:
		return float64(e.Value) - 3
	case Return:
		return -5
	}
	return 0
}

// Add learns from one signal, at once.
func (m *Model) Add(e Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := weight(e)
	if w > 0 {
		m.decayTo(e.At)
		m.trend[e.Item] += w * math.Exp2(float64(e.At-m.trendAt)/m.opts.HalfLife)
		m.popular[e.Item] += w
	}
	h := m.hist[e.User]
	switch e.Kind {
	case Purchase:
		m.pair(m.bought, m.nBought, h, e, Purchase)
	case View:
		m.pair(m.viewed, m.nViewed, h, e, View)
	}
	h = append(h, e)
	if len(h) > m.opts.History {
		h = slices.Delete(h, 0, len(h)-m.opts.History)
	}
	m.hist[e.User] = h
}

// pair counts e's item together with the items of the same kind in h.
func (m *Model) pair(co map[uint32]map[uint32]float32, n map[uint32]float32, h []Event, e Event, k Kind) {
	seen := map[uint32]bool{e.Item: true}
	for _, x := range h {
		if x.Kind != k || seen[x.Item] {
			continue
		}
		seen[x.Item] = true
		for _, ab := range [2][2]uint32{{x.Item, e.Item}, {e.Item, x.Item}} {
			row := co[ab[0]]
			if row == nil {
				row = map[uint32]float32{}
				co[ab[0]] = row
			}
			row[ab[1]]++
		}
	}
	n[e.Item]++
}

// decayTo moves the trending scores' reference time forward to at when it
// is far behind, so the scale factors stay finite.
func (m *Model) decayTo(at int64) {
	if float64(at-m.trendAt) < 8*m.opts.HalfLife {
		return
	}
	f := math.Exp2(-float64(at-m.trendAt) / m.opts.HalfLife)
	for k, v := range m.trend {
		m.trend[k] = v * f
	}
	m.trendAt = at
}

// AlsoBought returns up to n items bought by the shoppers who bought item.
func (m *Model) AlsoBought(item uint32, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.neighbours(m.bought, m.nBought, item, n)
}

// AlsoViewed returns up to n items viewed by the shoppers who viewed item.
func (m *Model) AlsoViewed(item uint32, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.neighbours(m.viewed, m.nViewed, item, n)
}

// neighbours ranks item's co-occurring items by cosine similarity.
func (m *Model) neighbours(co map[uint32]map[uint32]float32, n map[uint32]float32, item uint32, limit int) []Scored {
	var out []Scored
	for j, c := range co[item] {
		out = append(out, Scored{Item: j, Score: c / float32(math.Sqrt(float64(n[item]*n[j]))), Because: item})
	}
	return top(out, limit)
}

// Similar returns up to n items like item by their content.
func (m *Model) Similar(item uint32, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.products[item]
	if !ok || len(p.Categories) == 0 {
		return nil
	}
	leaf := p.Categories[len(p.Categories)-1]
	var out []Scored
	for _, q := range m.products {
		if q.Item == item || len(q.Categories) == 0 || q.Categories[len(q.Categories)-1] != leaf {
			continue
		}
		s := 1 / (1 + float32(math.Abs(math.Log(float64(q.Price+1)/float64(p.Price+1)))))
		if q.Brand == p.Brand {
			s += 0.5
		}
		out = append(out, Scored{Item: q.Item, Score: s, Because: item})
	}
	return top(out, n)
}

// Trending returns up to n items most popular lately, in category (NoItem
// for all), as of now (unix seconds).
func (m *Model) Trending(category uint32, now int64, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	f := math.Exp2(-float64(now-m.trendAt) / m.opts.HalfLife)
	var out []Scored
	for it, v := range m.trend {
		if category != NoItem {
			p, ok := m.products[it]
			if !ok || !slices.Contains(p.Categories, category) {
				continue
			}
		}
		out = append(out, Scored{Item: it, Score: float32(v * f), Because: NoItem})
	}
	return top(out, n)
}

// Popular returns up to n items with the most signal of all time: the
// baseline every other model is measured against.
func (m *Model) Popular(n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Scored
	for it, v := range m.popular {
		out = append(out, Scored{Item: it, Score: float32(v), Because: NoItem})
	}
	return top(out, n)
}

// History returns user's latest items, newest first, without repeats.
func (m *Model) History(user uint32) []Event {
	m.mu.RLock()
	defer m.mu.RUnlock()
	h := m.hist[user]
	seen := map[uint32]bool{}
	var out []Event
	for i := len(h) - 1; i >= 0; i-- {
		if !seen[h[i].Item] {
			seen[h[i].Item] = true
			out = append(out, h[i])
		}
	}
	return out
}

// ForYou returns up to n items for user, mixed with session (the items of
// the shopper's latest views, newest first, which may not be in its history
// yet), as of now. A shopper with no history gets trending.
func (m *Model) ForYou(user uint32, session []uint32, now int64, n int) []Scored {
	seeds := slices.Clone(session)
	for _, e := range m.History(user) {
		if weight(e) > 0 {
			seeds = append(seeds, e.Item)
		}
	}
	if len(seeds) == 0 {
		return m.Trending(NoItem, now, n)
	}
	best := map[uint32]Scored{}
	for rank, s := range seeds {
		decay := float32(1 / (1 + 0.2*float64(rank)))
		for _, c := range slices.Concat(m.AlsoBought(s, 20), m.AlsoViewed(s, 20)) {
			c.Score *= decay
			if b, ok := best[c.Item]; !ok || c.Score > b.Score {
				best[c.Item] = c
			}
		}
	}
	out := make([]Scored, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	return top(out, n)
}

// Train refits the learned models from what Add has seen. The counting
// models learn as signals arrive and need no training.
func (m *Model) Train(ctx context.Context) error { return ctx.Err() }

// top sorts out best first (ties by item) and keeps n.
func top(out []Scored, n int) []Scored {
	slices.SortFunc(out, func(a, b Scored) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return int(a.Item) - int(b.Item)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// Interner gives strings (product, user, category ids) dense ids, in the
// order first seen.
type Interner struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	keys []string
}

// NewInterner returns an empty interner.
func NewInterner() *Interner { return &Interner{ids: map[string]uint32{}} }

// ID returns key's dense id, giving it the next one if new.
func (in *Interner) ID(key string) uint32 {
	in.mu.RLock()
	v, ok := in.ids[key]
	in.mu.RUnlock()
	if ok {
		return v
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.ids[key]; ok {
		return v
	}
	v = uint32(len(in.keys))
	in.ids[key] = v
	in.keys = append(in.keys, key)
	return v
}

// Lookup returns key's dense id, if it has one.
func (in *Interner) Lookup(key string) (uint32, bool) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	v, ok := in.ids[key]
	return v, ok
}

// Key returns the string of dense id v ("" if none).
func (in *Interner) Key(v uint32) string {
	in.mu.RLock()
	defer in.mu.RUnlock()
	if int(v) >= len(in.keys) {
		return ""
	}
	return in.keys[v]
}

// Len is the number of ids given.
func (in *Interner) Len() int {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return len(in.keys)
}
