package recmodel

import (
	"context"
	"slices"
	"sync"
)

const NoItem = ^uint32(0)

type Kind uint8

const (
	View     Kind = 1 // a product page seen
	Cart     Kind = 2 // added to a cart
	Wish     Kind = 3 // added to a wishlist
	Purchase Kind = 4 // bought (order.paid)
	Rate     Kind = 5 // rated; Value is the stars, 1 to 5
	Return   Kind = 6 // returned: a negative signal
)

type Event struct {
	User  uint32 // a shopper: a user, or a guest's anonymous session
	Item  uint32 // a product
	Kind  Kind
	Value int8  // stars for Rate; 0 otherwise
	At    int64 // unix seconds
}

type Product struct {
	Item       uint32
	Categories []uint32 // the category and its ancestors, root first (leaf last)
	Brand      string
	Seller     uint32
	Price      int64  // minor units (the lowest variant price)
	Text       string // title, description and attribute values
	Created    int64  // unix seconds
}

type Scored struct {
	Item    uint32
	Score   float32
	Because uint32
}

type Options struct {
	// HalfLife is the trending half-life in seconds; 0 for three days.
	HalfLife float64
	// History is how many of a shopper's latest items are kept; 0 for 50.
	History int

	// BoughtWindow is how far back (seconds) a purchase pairs with the
	// shopper's earlier purchases; 0 for 30 days.
	BoughtWindow int64
	// ViewWindow is how far back (seconds) a view pairs with the shopper's
	// earlier views, about one session; 0 for two hours.
	ViewWindow int64
	// Pairs caps how many earlier items of the window an event pairs with
	// (the newest distinct ones); 0 for 20.
	Pairs int
	// Neighbours is how many co-occurring items are kept per item; a list
	// grows to twice this and is then pruned to its best; 0 for 50.
	Neighbours int
	// Shrink damps pairs seen few times: a pair's cosine is multiplied by
	// c/(c+Shrink) for a co-occurrence count c; 0 for 1, negative for none.
	Shrink float64
	// TopList is the length of the trending list kept per category; the
	// overall trending and popularity lists are 5 times longer; 0 for 200.
	// Trending and Popular answer at most that many.
	TopList int
	// UserItems caps the distinct items whose weights are kept per shopper
	// for the factor model (the oldest are dropped); 0 for 200.
	UserItems int

	// Factors is the number of latent factors of "for you"; 0 for 32.
	Factors int
	// Iterations is the number of ALS sweeps per Train; 0 for 8.
	Iterations int
	// Alpha scales a pair's weight into its confidence 1+Alpha*|w|; 0 for 10.
	Alpha float64
	// Lambda is the L2 regularisation of the factors; 0 for 1.
	Lambda float64
	// Workers is how many goroutines Train uses; 0 for GOMAXPROCS.
	Workers int
	// Seed seeds the factors' initial values; Train is deterministic for a
	// seed and one worker.
	Seed uint64
}

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.HalfLife <= 0 {
		o.HalfLife = 3 * 24 * 3600
	}
	if o.BoughtWindow <= 0 {
		o.BoughtWindow = 30 * 24 * 3600
	}
	if o.ViewWindow <= 0 {
		o.ViewWindow = 2 * 3600
	}
	def(&o.History, 50)
	def(&o.Pairs, 20)
	def(&o.Neighbours, 50)
	def(&o.TopList, 200)
	def(&o.UserItems, 200)
	def(&o.Factors, 32)
	def(&o.Iterations, 8)
	if o.Shrink == 0 {
		o.Shrink = 1
	} else if o.Shrink < 0 {
		o.Shrink = 0
	}
	if o.Alpha <= 0 {
		o.Alpha = 10
	}
	if o.Lambda <= 0 {
		o.Lambda = 1
	}
	return o
}

type Model struct {
	opts Options

	mu       sync.RWMutex
	products []*Product // by item; nil when unknown
	users    []*shopper // by user; nil when unknown
	bought   cooc
	viewed   cooc
	trend    trending
	content  content
	fac      *factors // the last trained factors, nil before
	version  uint64   // bumped by every change of a shopper's weights
	trained  uint64   // version the factors were trained on

	trainMu sync.Mutex // one Train at a time
}

func New(opts Options) *Model {
	opts = opts.withDefaults()
	m := &Model{opts: opts}
	m.bought.k, m.viewed.k = opts.Neighbours, opts.Neighbours
	m.trend.init(opts.HalfLife, opts.TopList)
	m.content.init()
	return m
}

func (m *Model) SetProduct(p Product) {
	if p.Item == NoItem {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := p
	cp.Categories = slices.Clone(p.Categories)
	m.grow(p.Item)
	old := m.products[p.Item]
	if old != nil {
		m.content.remove(old.Item)
	}
	m.products[p.Item] = &cp
	m.content.add(&cp)
	var oldCats []uint32
	if old != nil {
		oldCats = old.Categories
	}
	m.trend.recategorise(p.Item, oldCats, cp.Categories)
}

func (m *Model) Product(item uint32) (Product, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if int64(item) >= int64(len(m.products)) || m.products[item] == nil {
		return Product{}, false
	}
	p := *m.products[item]
	p.Categories = slices.Clone(p.Categories)
	return p, true
}

func (m *Model) grow(item uint32) {
	n := int(item) + 1
	if n <= len(m.products) {
		return
	}
	if n < 2*len(m.products) {
		n = 2 * len(m.products)
	}
	m.products = append(m.products, make([]*Product, n-len(m.products))...)
	m.bought.grow(n)
	m.viewed.grow(n)
	m.trend.grow(n)
}

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
		return -8 // more than a purchase: bought then returned is unwanted
	}
	return 0
}

func (m *Model) Add(e Event) {
	if e.Item == NoItem || e.User == NoItem {
		return
	}
	w := weight(e)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.grow(e.Item)
	u := m.shopper(e.User)
	if w > 0 {
		var cats []uint32
		if p := m.products[e.Item]; p != nil {
			cats = p.Categories
		}
		m.trend.add(e.Item, cats, w, e.At)
	}
	switch e.Kind {
	case Purchase:
		m.bought.pair(u, e, Purchase, m.opts.BoughtWindow, m.opts.Pairs)
	case View:
		m.viewed.pair(u, e, View, m.opts.ViewWindow, m.opts.Pairs)
	case Return:
		m.bought.unpair(u, e, m.opts.BoughtWindow)
	}
	if w != 0 {
		u.addWeight(e.Item, float32(w), m.opts.UserItems)
		m.version++
	}
	u.push(e, m.opts.History)
}

func (m *Model) AlsoBought(item uint32, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.bought.neighbours(item, n, m.opts.Shrink)
}

func (m *Model) AlsoViewed(item uint32, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.viewed.neighbours(item, n, m.opts.Shrink)
}

func (m *Model) Similar(item uint32, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.content.similar(item, n, scanBudget)
}

func (m *Model) Trending(category uint32, now int64, n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.trend.trending(category, now, n)
}

func (m *Model) Popular(n int) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.trend.popular(n)
}

func (m *Model) History(user uint32) []Event {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if int64(user) >= int64(len(m.users)) || m.users[user] == nil {
		return nil
	}
	h := m.users[user].hist
	seen := make(map[uint32]bool, len(h))
	var out []Event
	for i := len(h) - 1; i >= 0; i-- {
		if !seen[h[i].Item] {
			seen[h[i].Item] = true
			out = append(out, Event{User: user, Item: h[i].Item, Kind: h[i].Kind, Value: h[i].Value, At: h[i].At})
		}
	}
	return out
}

func (m *Model) Train(ctx context.Context) error {
	m.trainMu.Lock()
	defer m.trainMu.Unlock()
	return m.train(ctx)
}

func top(out []Scored, n int) []Scored {
	slices.SortFunc(out, func(a, b Scored) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		if a.Item < b.Item {
			return -1
		}
		if a.Item > b.Item {
			return 1
		}
		return 0
	})
	if n < 0 {
		n = 0
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

type Interner struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	keys []string
}

func NewInterner() *Interner { return &Interner{ids: map[string]uint32{}} }

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

func (in *Interner) Lookup(key string) (uint32, bool) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	v, ok := in.ids[key]
	return v, ok
}

func (in *Interner) Key(v uint32) string {
	in.mu.RLock()
	defer in.mu.RUnlock()
	if int(v) >= len(in.keys) {
		return ""
	}
	return in.keys[v]
}

func (in *Interner) Len() int {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return len(in.keys)
}
