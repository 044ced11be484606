// Package recgen makes synthetic shopper behaviour with hidden tastes over a
// product list, and measures the recommendation models (recmodel) against
// it offline: trained on the first weeks, asked about the shoppers of the
// last ones.
//
// Each shopper likes a few kinds of product, some brands and a price band;
// it comes back in sessions of views, mostly of what it likes (the popular
// items more often: a Zipf law), some of anything, and now and then adds to
// its cart and buys, often with something that goes with it (a tent with a
// sleeping bag: kinds bundled within a department, fixed by the seed). A
// few items of each kind are hot for a fortnight. The same Config always
// gives the same events, week by week, so a run over ten million events
// never holds more than a week of them.
package recgen

import (
	"cmp"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
)

// Config says what to generate.
type Config struct {
	Products []Product
	Shoppers int    // 0: as many as products, at least 2,000 and at most 500,000
	Weeks    int    // weeks of activity, 0 for 4
	HeldOut  int    // the last weeks held out of training, 0 for 1
	Seed     uint64 // the same seed gives the same shoppers and events
	// Start is when the first week starts; zero for 2026-01-01 UTC, the day
	// cataloggen's catalog ends.
	Start time.Time
	// Sessions is how many sessions a shopper has a week on average; 0 for 1.2.
	Sessions float64
	// Workers make each week's events in parallel; 0 for GOMAXPROCS.
	Workers int
}

// Week is seven days in seconds.
const Week = 7 * 24 * 3600

// Generator makes the shopper behaviour of one Config.
type Generator struct {
	cfg      Config
	start    int64
	kinds    []kind
	kindCum  []float64 // cumulative kind weights, for picking a kind
	items    *recmodel.Interner
	cats     *recmodel.Interner
	catPaths [][]uint32
	itemKind []int32
	hotLists [][]uint32 // per week and kind
}

// kind is one kind of product, with its items in order of popularity.
type kind struct {
	key        string
	items      []uint32      // every item, most popular first
	bands      [3][]uint32   // cheap, middle, dear thirds by price, most popular first
	brands     []string      // most common first
	byBrand    [][3][]uint32 // per brand and band, most popular first
	brandAll   [][]uint32    // per brand, most popular first
	complement []int         // kinds bought with this one
	dept       []int         // the kinds of its department, itself included
}

// New prepares a generator.
func New(cfg Config) *Generator {
	if cfg.Shoppers == 0 {
		cfg.Shoppers = min(max(len(cfg.Products), 2000), 500_000)
	}
	if cfg.Weeks == 0 {
		cfg.Weeks = 4
	}
	if cfg.HeldOut == 0 {
		cfg.HeldOut = 1
	}
	cfg.HeldOut = min(cfg.HeldOut, cfg.Weeks-1)
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if cfg.Sessions == 0 {
		cfg.Sessions = 1.2
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	g := &Generator{cfg: cfg, start: cfg.Start.Unix(), items: recmodel.NewInterner(), cats: recmodel.NewInterner()}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x6b696e64))
	byKey := map[string]int{}
	groups := map[string][]int{}
	depts := map[string][]int{}
	g.catPaths = make([][]uint32, len(cfg.Products))
	for i, p := range cfg.Products {
		g.items.ID(p.ID)
		path := make([]uint32, len(p.Categories))
		for j := range p.Categories {
			path[j] = g.cats.ID(joinPath(p.Categories[:j+1]))
		}
		g.catPaths[i] = path
		key := p.kindKey()
		k, ok := byKey[key]
		if !ok {
			k = len(g.kinds)
			byKey[key] = k
			g.kinds = append(g.kinds, kind{key: key})
			groups[p.groupKey()] = append(groups[p.groupKey()], k)
			depts[p.department()] = append(depts[p.department()], k)
		}
		g.kinds[k].items = append(g.kinds[k].items, uint32(i))
		g.itemKind = append(g.itemKind, int32(k))
	}
	var total float64
	for k := range g.kinds {
		kd := &g.kinds[k]
		// Popularity: a seeded order of the kind's items.
		r.Shuffle(len(kd.items), func(i, j int) { kd.items[i], kd.items[j] = kd.items[j], kd.items[i] })
		byPrice := slices.Clone(kd.items)
		slices.SortStableFunc(byPrice, func(a, b uint32) int { return cmp.Compare(cfg.Products[a].Price, cfg.Products[b].Price) })
		band := make(map[uint32]int, len(byPrice))
		for i, it := range byPrice {
			band[it] = i * 3 / len(byPrice)
		}
		count := map[string]int{}
		for _, it := range kd.items {
			count[cfg.Products[it].Brand]++
		}
		for b := range count {
			kd.brands = append(kd.brands, b)
		}
		slices.SortFunc(kd.brands, func(a, b string) int {
			return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b))
		})
		brandIndex := map[string]int{}
		for i, b := range kd.brands {
			brandIndex[b] = i
		}
		kd.byBrand = make([][3][]uint32, len(kd.brands))
		kd.brandAll = make([][]uint32, len(kd.brands))
		for _, it := range kd.items {
			b := band[it]
			kd.bands[b] = append(kd.bands[b], it)
			bi := brandIndex[cfg.Products[it].Brand]
			kd.byBrand[bi][b] = append(kd.byBrand[bi][b], it)
			kd.brandAll[bi] = append(kd.brandAll[bi], it)
		}
		total += float64(len(kd.items))
		g.kindCum = append(g.kindCum, total)
	}
	// Bundles: each kind goes with one to three others of its group (or of
	// its department when the group has no other).
	for k := range g.kinds {
		p := cfg.Products[g.kinds[k].items[0]]
		mates := without(groups[p.groupKey()], k)
		if len(mates) == 0 {
			mates = without(depts[p.department()], k)
		}
		r.Shuffle(len(mates), func(i, j int) { mates[i], mates[j] = mates[j], mates[i] })
		g.kinds[k].complement = mates[:min(len(mates), 1+r.IntN(3))]
		g.kinds[k].dept = depts[p.department()]
	}
	// Hot items: a few of each kind go hot each week, for two weeks.
	fresh := make([][]uint32, (cfg.Weeks+1)*len(g.kinds))
	for i := range fresh {
		kd := &g.kinds[i%len(g.kinds)]
		for range min(3, len(kd.items)) {
			fresh[i] = append(fresh[i], kd.items[r.IntN(len(kd.items))])
		}
	}
	g.hotLists = make([][]uint32, cfg.Weeks*len(g.kinds))
	for i := range g.hotLists {
		g.hotLists[i] = slices.Concat(fresh[i], fresh[i+len(g.kinds)])
	}
	return g
}

func without(ks []int, k int) []int {
	var out []int
	for _, x := range ks {
		if x != k {
			out = append(out, x)
		}
	}
	return out
}

func joinPath(path []string) string {
	out := ""
	for i, p := range path {
		if i > 0 {
			out += "/"
		}
		out += p
	}
	return out
}

// Config returns the generator's config, with its defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// Items gives the products' IDs dense ids: product i of the config is item i.
func (g *Generator) Items() *recmodel.Interner { return g.items }

// Categories gives the category paths ("Sports & Outdoors/Camping") dense ids.
func (g *Generator) Categories() *recmodel.Interner { return g.cats }

// ShopperKey is shopper u's name ("shopper-000042").
func ShopperKey(u uint32) string {
	s := strconv.FormatUint(uint64(u), 10)
	for len(s) < 6 {
		s = "0" + s
	}
	return "shopper-" + s
}

// Split is when the held-out weeks start, in unix seconds: training is
// every event before it.
func (g *Generator) Split() int64 {
	return g.start + int64(g.cfg.Weeks-g.cfg.HeldOut)*Week
}

// End is when the last week ends, in unix seconds.
func (g *Generator) End() int64 { return g.start + int64(g.cfg.Weeks)*Week }

// ModelProduct is product i as recmodel knows it.
func (g *Generator) ModelProduct(i int) recmodel.Product {
	p := g.cfg.Products[i]
	return recmodel.Product{Item: uint32(i), Categories: g.catPaths[i], Brand: p.Brand, Seller: uint32(hash("seller", p.Seller)),
		Price: p.Price, Text: p.Text, Created: p.Created}
}

// Complements returns the kinds bundled with product i's kind, each as the
// index of its most popular product (for tests and reports).
func (g *Generator) Complements(i int) []int {
	var out []int
	k := g.kindOf(uint32(i))
	for _, c := range g.kinds[k].complement {
		out = append(out, int(g.kinds[c].items[0]))
	}
	return out
}

// SameKind reports whether products a and b are the same kind of thing.
func (g *Generator) SameKind(a, b int) bool {
	return g.cfg.Products[a].kindKey() == g.cfg.Products[b].kindKey()
}

func (g *Generator) kindOf(item uint32) int { return int(g.itemKind[item]) }

// Events returns every event, in time order, week by week.
func (g *Generator) Events() iter.Seq[recmodel.Event] {
	return func(yield func(recmodel.Event) bool) {
		for w := range g.cfg.Weeks {
			for _, e := range g.Week(w) {
				if !yield(e) {
					return
				}
			}
		}
	}
}

// Week returns week w's events (0 is the first), in time order.
func (g *Generator) Week(w int) []recmodel.Event {
	if len(g.kinds) == 0 {
		return nil
	}
	n := g.cfg.Shoppers
	chunks := make([][]recmodel.Event, g.cfg.Workers*4)
	per := (n + len(chunks) - 1) / len(chunks)
	parallel(len(chunks), g.cfg.Workers, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			var out []recmodel.Event
			for u := c * per; u < min((c+1)*per, n); u++ {
				out = g.shopperWeek(out, uint32(u), w)
			}
			chunks[c] = out
		}
	})
	all := slices.Concat(chunks...)
	// Ordered on every field, so events that tie are the same event and
	// the unstable sort is deterministic.
	slices.SortFunc(all, func(a, b recmodel.Event) int {
		return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.User, b.User), cmp.Compare(a.Item, b.Item),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Value, b.Value))
	})
	return all
}

// taste is a shopper's hidden preferences.
type taste struct {
	kinds    []int     // favourite kinds
	weights  []float64 // cumulative
	band     int       // preferred price third, -1 for any
	activity float64   // sessions a week
	loyalty  float64   // how often it sticks to its favourite brand
}

// tasteOf draws shopper u's taste: the same on every call.
func (g *Generator) tasteOf(u uint32) taste {
	r := rand.New(rand.NewPCG(g.cfg.Seed^0x7a57e, uint64(u)))
	var t taste
	n := 1 + zipf(r, 4, 1.2)
	var sum float64
	for i := range n {
		k := g.randomKind(r)
		// Tastes hang together: most of a shopper's other kinds are of
		// its first kind's department (a camper likes tents and stoves).
		if i > 0 && r.Float64() < 0.7 {
			if dept := g.kinds[t.kinds[0]].dept; len(dept) > 1 {
				k = dept[r.IntN(len(dept))]
			}
		}
		if slices.Contains(t.kinds, k) {
			continue
		}
		t.kinds = append(t.kinds, k)
		sum += r.ExpFloat64()
		t.weights = append(t.weights, sum)
	}
	t.band = r.IntN(4) - 1
	t.activity = g.cfg.Sessions * math.Exp(0.8*r.NormFloat64()-0.32)
	t.loyalty = 0.4 + 0.5*r.Float64()
	return t
}

// randomKind picks a kind, the bigger ones more often.
func (g *Generator) randomKind(r *rand.Rand) int {
	x := r.Float64() * g.kindCum[len(g.kindCum)-1]
	k, _ := slices.BinarySearch(g.kindCum, x)
	return min(k, len(g.kinds)-1)
}

// favourite picks one of t's kinds by its weight.
func (t taste) favourite(r *rand.Rand) int {
	x := r.Float64() * t.weights[len(t.weights)-1]
	i, _ := slices.BinarySearch(t.weights, x)
	return t.kinds[min(i, len(t.kinds)-1)]
}

// brandOf is shopper u's favourite brand of kind k, -1 for none: the same
// on every call.
func (g *Generator) brandOf(u uint32, k int) int {
	h := mix(g.cfg.Seed ^ mix(uint64(u)<<24^uint64(k)))
	if h%5 == 0 || len(g.kinds[k].brands) == 0 {
		return -1
	}
	return zipfOf(float64(h>>11)/(1<<53), len(g.kinds[k].brands), 0.8)
}

// pick chooses an item of kind k for shopper u in week w.
func (g *Generator) pick(r *rand.Rand, u uint32, t taste, k, w int) uint32 {
	kd := &g.kinds[k]
	if r.Float64() < 0.12 { // hot lately
		if hot := g.hot(k, w); len(hot) > 0 {
			return hot[r.IntN(len(hot))]
		}
	}
	list := kd.items
	band := t.band
	if band >= 0 && r.Float64() < 0.8 && len(kd.bands[band]) > 0 {
		list = kd.bands[band]
		if b := g.brandOf(u, k); b >= 0 && r.Float64() < t.loyalty && len(kd.byBrand[b][band]) > 0 {
			list = kd.byBrand[b][band]
		}
	} else if b := g.brandOf(u, k); b >= 0 && r.Float64() < t.loyalty {
		list = kd.brandAll[b]
	}
	return list[zipf(r, len(list), 1.05)]
}

// hot returns the items of kind k that are hot in week w: those that went
// hot this week or last.
func (g *Generator) hot(k, w int) []uint32 { return g.hotLists[w*len(g.kinds)+k] }

// shopperWeek appends shopper u's events of week w.
func (g *Generator) shopperWeek(out []recmodel.Event, u uint32, w int) []recmodel.Event {
	t := g.tasteOf(u)
	r := rand.New(rand.NewPCG(g.cfg.Seed^uint64(w+1)<<40, uint64(u)))
	sessions := poisson(r, t.activity)
	weekStart := g.start + int64(w)*Week
	for range sessions {
		at := weekStart + r.Int64N(Week-6*3600)
		out = g.session(out, r, u, t, w, at)
	}
	return out
}

// session appends one session of shopper u starting at at.
func (g *Generator) session(out []recmodel.Event, r *rand.Rand, u uint32, t taste, w int, at int64) []recmodel.Event {
	focus := t.favourite(r)
	if r.Float64() < 0.15 { // browsing something else
		focus = g.randomKind(r)
	}
	last := g.start + int64(w+1)*Week - 1 // a week's events stay in it
	add := func(item uint32, k recmodel.Kind, v int8) {
		out = append(out, recmodel.Event{User: u, Item: item, Kind: k, Value: v, At: min(at, last)})
		at += 20 + r.Int64N(160)
	}
	nViews := 1 + min(geometric(r, 0.28), 14)
	var viewed []uint32
	for range nViews {
		k := focus
		switch x := r.Float64(); {
		case x < 0.08 && len(g.kinds[focus].complement) > 0:
			k = g.kinds[focus].complement[r.IntN(len(g.kinds[focus].complement))]
		case x < 0.16:
			k = t.favourite(r)
		case x < 0.2:
			k = g.randomKind(r)
		}
		it := g.pick(r, u, t, k, w)
		viewed = append(viewed, it)
		add(it, recmodel.View, 0)
	}
	if r.Float64() >= 0.3 {
		return out
	}
	it := viewed[r.IntN(len(viewed))]
	if r.Float64() < 0.5 {
		it = viewed[len(viewed)-1]
	}
	add(it, recmodel.Cart, 0)
	if r.Float64() >= 0.6 {
		return out
	}
	// Bundles: what goes with it, found and added before checking out.
	k := g.kindOf(it)
	basket := []uint32{it}
	if comp := g.kinds[k].complement; len(comp) > 0 && r.Float64() < 0.6 {
		c := comp[0]
		if r.Float64() < 0.4 {
			c = comp[r.IntN(len(comp))]
		}
		b := g.pick(r, u, t, c, w)
		add(b, recmodel.View, 0)
		add(b, recmodel.Cart, 0)
		basket = append(basket, b)
	}
	for _, b := range basket {
		add(b, recmodel.Purchase, 0)
	}
	for _, b := range basket {
		switch x := r.Float64(); {
		case x < 0.1:
			at += 3600 * (1 + r.Int64N(4))
			add(b, recmodel.Rate, int8(4+r.IntN(2)))
		case x < 0.13:
			at += 3600 * (1 + r.Int64N(4))
			add(b, recmodel.Rate, int8(1+r.IntN(2)))
		case x < 0.15:
			at += 3600 * (1 + r.Int64N(4))
			add(b, recmodel.Return, 0)
		}
	}
	return out
}

// zipf picks an index in [0, n) with probability falling as 1/(i+1)^s.
func zipf(r *rand.Rand, n int, s float64) int { return zipfOf(r.Float64(), n, s) }

// zipfOf is zipf's inverse transform of u, uniform in [0, 1).
func zipfOf(u float64, n int, s float64) int {
	if n <= 1 {
		return 0
	}
	if s == 1 {
		s = 0.999
	}
	a := 1 - s
	x := math.Pow(u*(math.Pow(float64(n)+1, a)-1)+1, 1/a) - 1
	return min(int(x), n-1)
}

// poisson draws from a Poisson distribution of mean m (small m).
func poisson(r *rand.Rand, m float64) int {
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l || k > 50 {
			return k
		}
		k++
	}
}

// geometric draws the number of failures before a success of probability p.
func geometric(r *rand.Rand, p float64) int {
	return int(math.Log(1-r.Float64()) / math.Log(1-p))
}

func hash(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// mix is SplitMix64's finaliser: a well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func itoa(i int) string { return strconv.Itoa(i) }

// parallel runs f over [0, n) in chunks on workers goroutines.
func parallel(n, workers int, f func(lo, hi int)) {
	workers = max(workers, 1)
	if n == 0 {
		return
	}
	per := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += per {
		wg.Go(func() { f(lo, min(lo+per, n)) })
	}
	wg.Wait()
}
