package recmodel

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

const (
	day  = 24 * 3600
	hour = 3600
	t0   = int64(1_700_000_000)
)

// items returns the items of s, in order.
func items(s []Scored) []uint32 {
	out := make([]uint32, len(s))
	for i, x := range s {
		out[i] = x.Item
	}
	return out
}

// buy is one purchase event.
func buy(u, i uint32, at int64) Event { return Event{User: u, Item: i, Kind: Purchase, At: at} }

// view is one view event.
func view(u, i uint32, at int64) Event { return Event{User: u, Item: i, Kind: View, At: at} }

func TestAlsoBought(t *testing.T) {
	const a, b, c, best, d = 1, 2, 3, 4, 5
	tests := []struct {
		name   string
		events []Event
		item   uint32
		want   []uint32
	}{
		{"pairs of one shopper", []Event{buy(1, a, t0), buy(1, b, t0+60)}, a, []uint32{b}},
		{"symmetric", []Event{buy(1, a, t0), buy(1, b, t0+60)}, b, []uint32{a}},
		{"more shoppers rank first", []Event{
			buy(1, a, t0), buy(1, b, t0), buy(2, a, t0), buy(2, b, t0), buy(3, a, t0), buy(3, c, t0)}, a, []uint32{b, c}},
		{"a best-seller does not top every list", func() []Event {
			// best is bought with a by two shoppers, like c, but is bought by 40.
			ev := []Event{buy(1, a, t0), buy(1, best, t0), buy(2, a, t0), buy(2, best, t0),
				buy(3, a, t0), buy(3, c, t0), buy(4, a, t0), buy(4, c, t0)}
			for u := uint32(10); u < 48; u++ {
				ev = append(ev, buy(u, best, t0))
			}
			return ev
		}(), a, []uint32{c, best}},
		{"outside the 30-day window", []Event{buy(1, a, t0), buy(1, b, t0+31*day)}, a, nil},
		{"inside the 30-day window", []Event{buy(1, a, t0), buy(1, b, t0+29*day)}, a, []uint32{b}},
		{"views are not purchases", []Event{view(1, a, t0), buy(1, b, t0)}, a, nil},
		{"a returned item was not bought with", []Event{buy(1, a, t0), buy(1, b, t0), buy(1, d, t0),
			{User: 1, Item: b, Kind: Return, At: t0 + day}}, a, []uint32{d}},
		{"a return twice takes back once", []Event{buy(1, a, t0), buy(1, b, t0), buy(2, a, t0), buy(2, b, t0),
			{User: 1, Item: b, Kind: Return, At: t0 + day}, {User: 1, Item: b, Kind: Return, At: t0 + day}}, a, []uint32{b}},
		{"a return of what was not bought changes nothing", []Event{buy(1, a, t0), buy(1, b, t0),
			{User: 2, Item: b, Kind: Return, At: t0 + day}}, a, []uint32{b}},
		{"unknown item", nil, 99, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{})
			for _, e := range tt.events {
				m.Add(e)
			}
			got := m.AlsoBought(tt.item, 10)
			if !slices.Equal(items(got), tt.want) {
				t.Fatalf("AlsoBought(%d) = %v, want %v", tt.item, items(got), tt.want)
			}
			for _, s := range got {
				if s.Because != tt.item || s.Score <= 0 || s.Score > 1 {
					t.Errorf("scored %+v: want Because %d and a score in (0, 1]", s, tt.item)
				}
			}
		})
	}
}

func TestAlsoViewed(t *testing.T) {
	const a, b, c = 1, 2, 3
	tests := []struct {
		name   string
		events []Event
		want   []uint32
	}{
		{"one session", []Event{view(1, a, t0), view(1, b, t0+600)}, []uint32{b}},
		{"two sessions do not pair", []Event{view(1, a, t0), view(1, b, t0+3*hour)}, nil},
		{"repeated views count once", []Event{view(1, a, t0), view(1, b, t0+1), view(1, a, t0+2), view(1, b, t0+3),
			view(1, a, t0+4), view(2, a, t0), view(2, c, t0+1), view(3, a, t0), view(3, c, t0+1)}, []uint32{c, b}},
		{"purchases are not views", []Event{buy(1, a, t0), view(1, b, t0)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{})
			for _, e := range tt.events {
				m.Add(e)
			}
			if got := items(m.AlsoViewed(a, 10)); !slices.Equal(got, tt.want) {
				t.Fatalf("AlsoViewed(a) = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCoocBounded checks that a shopper viewing many items pairs each with
// at most Options.Pairs others, and that a row is pruned to its best.
func TestCoocBounded(t *testing.T) {
	m := New(Options{Pairs: 5, Neighbours: 10})
	for i := uint32(0); i < 1000; i++ {
		m.Add(view(1, i, t0+int64(i)))
	}
	for i := range m.viewed.rows {
		if len(m.viewed.rows[i]) > 10 {
			t.Fatalf("item %d has %d neighbours, want at most 2*Pairs", i, len(m.viewed.rows[i]))
		}
	}
	// a is bought with b by 10 shoppers, then with 500 others once each.
	const a, b = 5000, 5001
	for u := uint32(10); u < 20; u++ {
		m.Add(buy(u, a, t0))
		m.Add(buy(u, b, t0))
	}
	for u := uint32(100); u < 600; u++ {
		m.Add(buy(u, a, t0))
		m.Add(buy(u, 6000+u, t0))
	}
	if n := len(m.bought.rows[a]); n > 20 {
		t.Fatalf("a has %d neighbours, want at most 2*Neighbours", n)
	}
	if got := m.AlsoBought(a, 1); len(got) != 1 || got[0].Item != b {
		t.Fatalf("AlsoBought(a) = %v, want b first", got)
	}
}

func TestTrending(t *testing.T) {
	m := New(Options{HalfLife: day})
	// 1 is in category 10 (leaf 11), 2 in 10/12, 3 in 20/21.
	for _, p := range []Product{{Item: 1, Categories: []uint32{10, 11}}, {Item: 2, Categories: []uint32{10, 12}}, {Item: 3, Categories: []uint32{20, 21}}} {
		m.SetProduct(p)
	}
	for i := 0; i < 16; i++ {
		m.Add(view(uint32(i), 1, t0)) // 16 views, 5 half-lives before now
	}
	m.Add(buy(1, 2, t0+5*day)) // weight 5, now
	m.Add(view(1, 3, t0+5*day))
	m.Add(view(2, 3, t0+5*day))
	now := t0 + 5*day
	tests := []struct {
		name     string
		category uint32
		want     []uint32
	}{
		{"overall", NoItem, []uint32{2, 3, 1}},
		{"root category", 10, []uint32{2, 1}},
		{"leaf", 11, []uint32{1}},
		{"other root", 20, []uint32{3}},
		{"unknown category", 99, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Trending(tt.category, now, 10)
			if !slices.Equal(items(got), tt.want) {
				t.Fatalf("Trending(%d) = %v, want %v", tt.category, items(got), tt.want)
			}
		})
	}
	got := m.Trending(NoItem, now, 3)
	if d := math.Abs(float64(got[2].Score) - 16.0/32); d > 1e-4 {
		t.Errorf("16 views 5 half-lives ago score %v, want 0.5", got[2].Score)
	}
	if got := items(m.Popular(3)); !slices.Equal(got, []uint32{1, 2, 3}) {
		t.Errorf("Popular = %v, want [1 2 3]", got)
	}
	// A product moved to another category leaves the old one's lists.
	m.SetProduct(Product{Item: 1, Categories: []uint32{20, 21}})
	if got := items(m.Trending(10, now, 10)); !slices.Equal(got, []uint32{2}) {
		t.Errorf("after the move, Trending(10) = %v, want [2]", got)
	}
	if got := items(m.Trending(21, now, 10)); !slices.Equal(got, []uint32{3, 1}) {
		t.Errorf("after the move, Trending(21) = %v, want [3 1]", got)
	}
}

// TestTrendingExact checks the kept top lists against a brute-force
// ranking on random events over years (so the scores are rebased).
func TestTrendingExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := New(Options{HalfLife: 3600, TopList: 20})
	const nItems = 500
	cat := func(i uint32) []uint32 { return []uint32{100 + i%3, 200 + i%7} }
	for i := uint32(0); i < nItems; i++ {
		m.SetProduct(Product{Item: i, Categories: cat(i)})
	}
	pop := make([]float64, nItems)
	at := t0
	for n := 0; n < 20000; n++ {
		at += rng.Int64N(3600)
		it := uint32(min(rng.ExpFloat64()*50, nItems-1))
		e := Event{User: uint32(rng.IntN(100)), Item: it, Kind: Kind(1 + rng.IntN(4)), At: at}
		m.Add(e)
		pop[it] += weight(e)
	}
	// Brute force from the model's own full tables: the lists must hold the
	// best of each.
	for _, c := range []uint32{NoItem, 100, 101, 102, 200, 206} {
		got := m.Trending(c, at, 10)
		var all []Scored
		f := math.Exp2(-float64(at-m.trend.t0) / 3600)
		for i := uint32(0); i < nItems; i++ {
			if m.trend.score[i] > 0 && (c == NoItem || slices.Contains(cat(i), c)) {
				all = append(all, Scored{Item: i, Score: float32(m.trend.score[i] * f), Because: NoItem})
			}
		}
		if want := top(all, 10); !slices.Equal(got, want) {
			t.Errorf("Trending(%d) = %v, want %v", c, got, want)
		}
	}
	var all []Scored
	for i := uint32(0); i < nItems; i++ {
		if pop[i] > 0 {
			all = append(all, Scored{Item: i, Score: float32(pop[i]), Because: NoItem})
		}
	}
	if got, want := m.Popular(10), top(all, 10); !slices.Equal(got, want) {
		t.Errorf("Popular = %v, want %v", got, want)
	}
	if got, want := m.Popular(30), top(slices.Clone(all), 30); !slices.Equal(got, want) {
		t.Errorf("Popular(30), beyond a category's list = %v, want %v", got, want)
	}
	// Beyond the kept lists, the answers are the lists: bounded, never a scan.
	if got, want := m.Popular(150), top(slices.Clone(all), 100); !slices.Equal(got, want) {
		t.Errorf("Popular(150) beyond the overall list: %d items, want its 100", len(got))
	}
	if got := m.Trending(100, at, 50); len(got) != 20 {
		t.Errorf("Trending(category, 50) beyond its list: %d items, want its 20", len(got))
	}
}

// catalogue is a small hand-made catalogue: tents, stoves, and a dress.
var catalogue = []Product{
	{Item: 1, Categories: []uint32{1, 2}, Brand: "Alpine", Price: 19900, Text: "Trail Tent two person dome tent, waterproof"},
	{Item: 2, Categories: []uint32{1, 2}, Brand: "Alpine", Price: 24900, Text: "Summit Tent three person tents, waterproof fly"},
	{Item: 3, Categories: []uint32{1, 2}, Brand: "Nordic", Price: 9900, Text: "Backpacking tent ultralight"},
	{Item: 4, Categories: []uint32{1, 3}, Brand: "Alpine", Price: 4900, Text: "Camp Stove compact gas stove"},
	{Item: 5, Categories: []uint32{1, 3}, Brand: "Nordic", Price: 5900, Text: "Camping stoves twin burner gas"},
	{Item: 6, Categories: []uint32{7, 8}, Brand: "Belle", Price: 8900, Text: "Summer dress, cotton, floral"},
}

func TestSimilar(t *testing.T) {
	m := New(Options{})
	for _, p := range catalogue {
		m.SetProduct(p)
	}
	tests := []struct {
		name  string
		item  uint32
		first []uint32 // the leading items, in any order
		never []uint32
	}{
		{"tents", 1, []uint32{2, 3}, []uint32{1, 6}},
		{"stoves", 4, []uint32{5}, []uint32{4}},
		{"dress", 6, nil, []uint32{6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := items(m.Similar(tt.item, 10))
			if len(got) < len(tt.first) {
				t.Fatalf("Similar(%d) = %v, want %v first", tt.item, got, tt.first)
			}
			for _, w := range tt.first {
				if !slices.Contains(got[:len(tt.first)], w) {
					t.Errorf("Similar(%d) = %v, want %v first", tt.item, got, tt.first)
				}
			}
			for _, w := range tt.never {
				if slices.Contains(got, w) {
					t.Errorf("Similar(%d) = %v has %d", tt.item, got, w)
				}
			}
		})
	}
	// A product listed now has neighbours at once, and is one.
	m.SetProduct(Product{Item: 7, Categories: []uint32{1, 3}, Brand: "Nordic", Price: 6900, Text: "Windproof stove for camping"})
	if got := items(m.Similar(7, 2)); !slices.Contains(got, 5) || !slices.Contains(got, 4) {
		t.Errorf("Similar(new stove) = %v, want the stoves", got)
	}
	if got := items(m.Similar(5, 2)); !slices.Contains(got, 7) {
		t.Errorf("Similar(5) = %v, want the new stove", got)
	}
	// Changed content moves it.
	m.SetProduct(Product{Item: 7, Categories: []uint32{7, 8}, Brand: "Belle", Price: 8000, Text: "Linen summer dress"})
	if got := items(m.Similar(7, 1)); !slices.Equal(got, []uint32{6}) {
		t.Errorf("Similar(7 as a dress) = %v, want [6]", got)
	}
	if got := items(m.Similar(5, 10)); slices.Contains(got, 7) {
		t.Errorf("Similar(5) = %v still has the former stove", got)
	}
	if got := m.Similar(99, 10); got != nil {
		t.Errorf("Similar(unknown) = %v", got)
	}
}

func TestTokens(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Tents", "tent"}, {"boxes", "box"}, {"batteries", "battery"}, {"glasses", "glass"},
		{"grass", "grass"}, {"bus", "bus"}, {"shoes", "shoe"}, {"gas", "gas"}, {"the", ""}, {"x", ""},
	}
	for _, tt := range tests {
		got := tokens(tt.in)
		if tt.want == "" && len(got) != 0 || tt.want != "" && (len(got) != 1 || got[0] != tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// camping builds the story: shoppers who view tents and buy
// stoves, and others who buy dresses.
func camping(m *Model) {
	for _, p := range catalogue {
		m.SetProduct(p)
	}
	m.SetProduct(Product{Item: 8, Categories: []uint32{7, 8}, Brand: "Belle", Price: 7900, Text: "Evening dress silk"})
	for u := uint32(10); u < 30; u++ {
		at := t0 + int64(u)*hour
		m.Add(view(u, 1, at))
		m.Add(view(u, 2, at+60))
		m.Add(buy(u, 4, at+120))
		if u%2 == 0 {
			m.Add(buy(u, 5, at+180))
		}
	}
	for u := uint32(30); u < 50; u++ {
		at := t0 + int64(u)*hour
		m.Add(view(u, 6, at))
		m.Add(buy(u, 8, at+60))
		m.Add(buy(u, 6, at+60))
	}
}

func TestForYou(t *testing.T) {
	m := New(Options{Seed: 1, Workers: 1})
	camping(m)
	now := t0 + 60*hour
	// A shopper who views a tent and buys a stove.
	m.Add(view(1, 3, now-120))
	m.Add(buy(1, 4, now-60))
	check := func(name string, got []Scored, want []uint32, seeds []uint32) {
		t.Helper()
		for _, s := range got {
			if slices.Contains(seeds, s.Item) {
				t.Errorf("%s: %v proposes %d of the history", name, got, s.Item)
			}
			if s.Because != NoItem && !slices.Contains(seeds, s.Because) {
				t.Errorf("%s: %+v because of an item not in the history", name, s)
			}
		}
		if g := items(got); len(g) < len(want) || !slices.Equal(g[:len(want)], want) {
			for _, w := range want {
				if !slices.Contains(g[:min(len(g), len(want))], w) {
					t.Errorf("%s: %v, want %v first", name, g, want)
					break
				}
			}
		}
	}
	check("co-occurrence", m.ForYou(1, nil, now, 4), []uint32{5, 1, 2}, []uint32{3, 4})
	check("with a session", m.ForYou(1, []uint32{6}, now, 3), []uint32{8}, []uint32{3, 4, 6})
	check("guest session only", m.ForYou(999, []uint32{6}, now, 1), []uint32{8}, []uint32{6})
	if err := m.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("trained", m.ForYou(1, nil, now, 3), []uint32{5, 1, 2}, []uint32{3, 4})
	check("trained dress shopper", m.ForYou(30, nil, now, 1), []uint32{}, []uint32{6, 8})
	// Nothing known: trending.
	got := m.ForYou(12345, nil, now, 3)
	if want := items(m.Trending(NoItem, now, 3)); !slices.Equal(items(got), want) {
		t.Errorf("new shopper: %v, want trending %v", items(got), want)
	}
	for _, s := range got {
		if s.Because != NoItem {
			t.Errorf("new shopper: %+v has a reason", s)
		}
	}
	if got := m.ForYou(1, nil, now, 0); len(got) != 0 {
		t.Errorf("n = 0: %v", got)
	}
}

// TestTrain checks the factors on two groups of shoppers with disjoint
// tastes: a held-out item of a shopper's group outscores the other group's.
func TestTrain(t *testing.T) {
	m := New(Options{Seed: 3, Workers: 2, Factors: 8, Iterations: 10})
	// Group A: users 0..49 over items 0..19; group B: users 50..99 over 20..39.
	rng := rand.New(rand.NewPCG(5, 6))
	for u := uint32(0); u < 100; u++ {
		base := uint32(0)
		if u >= 50 {
			base = 20
		}
		for n := 0; n < 8; n++ {
			it := base + uint32(rng.IntN(20))
			if u == 0 && it == 7 {
				continue // held out
			}
			m.Add(Event{User: u, Item: it, Kind: Kind(1 + rng.IntN(4)), At: t0})
		}
	}
	if err := m.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := m.fac
	xu := f.user(0)
	if xu == nil {
		t.Fatal("user 0 has no factors")
	}
	in, out := f.score(xu, 7), f.score(xu, 27)
	if in <= out {
		t.Errorf("held-out item of the group scores %v, of the other group %v", in, out)
	}
	if f.user(500) != nil {
		t.Error("an unknown user has factors")
	}
	// A shopper new since Train is folded in from its weights.
	xn := f.foldIn([]itemWeight{{Item: 1, W: 5}, {Item: 2, W: 1}, {Item: 3, W: 3}, {Item: 25, W: -8}}, m.opts.Alpha, m.opts.Lambda)
	if xn == nil {
		t.Fatal("no fold-in")
	}
	if in, out := f.score(xn, 7), f.score(xn, 27); in <= out {
		t.Errorf("folded-in shopper: an item of its group scores %v, of the other %v", in, out)
	}
	if f.foldIn([]itemWeight{{Item: 1, W: -8}}, 2, 0.1) != nil || f.foldIn(nil, 2, 0.1) != nil {
		t.Error("a fold-in without a positive weight")
	}
	// Nothing changed: Train keeps the factors.
	if err := m.Train(context.Background()); err != nil || m.fac != f {
		t.Errorf("Train with nothing new refitted (err %v)", err)
	}
	m.Add(view(0, 3, t0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Train(ctx); err == nil || m.fac != f {
		t.Errorf("Train on a cancelled context = %v, and changed the factors: %v", err, m.fac != f)
	}
	if err := m.Train(context.Background()); err != nil || m.fac == f {
		t.Errorf("Train after a change kept the factors (err %v)", err)
	}
}

// TestNegative checks that a returned or disliked item is a confident
// zero: it is not a seed and its weight is negative.
func TestNegative(t *testing.T) {
	m := New(Options{})
	camping(m)
	m.Add(buy(1, 1, t0))
	m.Add(Event{User: 1, Item: 1, Kind: Return, At: t0 + day})
	m.Add(Event{User: 1, Item: 6, Kind: Rate, Value: 1, At: t0 + day})
	for _, s := range m.ForYou(1, nil, t0+day, 10) {
		if s.Because == 1 || s.Because == 6 {
			t.Errorf("%+v: because of a returned or disliked item", s)
		}
	}
	for _, w := range m.users[1].w {
		if w.W >= 0 {
			t.Errorf("weight of %d is %v, want negative", w.Item, w.W)
		}
	}
}

func TestHistory(t *testing.T) {
	m := New(Options{History: 3})
	for i, it := range []uint32{1, 2, 1, 3, 4} {
		m.Add(view(7, it, t0+int64(i)))
	}
	got := m.History(7)
	want := []uint32{4, 3, 1}
	if len(got) != 3 {
		t.Fatalf("History = %v", got)
	}
	for i, e := range got {
		if e.Item != want[i] || e.User != 7 {
			t.Errorf("History[%d] = %+v, want item %d", i, e, want[i])
		}
	}
	if m.History(99) != nil {
		t.Error("History of an unknown user")
	}
	if _, ok := m.Product(1); ok {
		t.Error("Product of an unknown product")
	}
}

// TestConcurrent runs every method at once, for the race detector.
func TestConcurrent(t *testing.T) {
	m := New(Options{Factors: 4, Iterations: 2})
	camping(m)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				u, it := uint32(g*100+i%7), uint32(i%9)
				m.Add(Event{User: u, Item: it, Kind: Kind(1 + i%6), Value: 4, At: t0 + int64(i)})
				m.SetProduct(Product{Item: 100 + uint32(i%5), Categories: []uint32{1, 2}, Text: "tent"})
				m.AlsoBought(it, 5)
				m.AlsoViewed(it, 5)
				m.Similar(it, 5)
				m.Trending(1, t0+int64(i), 5)
				m.Popular(5)
				m.ForYou(u, []uint32{1}, t0+int64(i), 5)
				m.History(u)
				if i%50 == 0 {
					if err := m.Train(context.Background()); err != nil {
						t.Error(err)
					}
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestPushBest checks the bounded heap against a full sort, ties included.
func TestPushBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for n := 0; n < 200; n++ {
		var all, h []Scored
		k := rng.IntN(12)
		for i := 0; i < rng.IntN(60); i++ {
			s := Scored{Item: uint32(rng.IntN(40)), Score: float32(rng.IntN(5))}
			all = append(all, s)
			h = pushBest(h, s, k)
		}
		if got, want := top(h, k), top(slices.Clone(all), k); !slices.Equal(got, want) {
			t.Fatalf("k %d: pushBest kept %v, want %v", k, got, want)
		}
	}
}

// TestSubstitute checks the Cholesky solve on a random positive definite
// system: the residual of the solution is tiny.
func TestSubstitute(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const k = 16
	y := make([]float32, 40*k)
	for i := range y {
		y[i] = float32(rng.NormFloat64())
	}
	a := gramian(y, k, 2)
	for i := 0; i < k; i++ {
		a[i*k+i] += 0.5
	}
	full := slices.Clone(a) // the upper triangle; mirror it
	for i := 0; i < k; i++ {
		for j := 0; j < i; j++ {
			full[i*k+j] = full[j*k+i]
		}
	}
	b := make([]float64, k)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	x := slices.Clone(b)
	u, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: a})
	if !ok {
		t.Fatal("not positive definite")
	}
	substitute(u.Data, x, k)
	for i := 0; i < k; i++ {
		var s float64
		for j := 0; j < k; j++ {
			s += full[i*k+j] * x[j]
		}
		if math.Abs(s-b[i]) > 1e-9 {
			t.Fatalf("row %d: Ax = %v, b = %v", i, s, b[i])
		}
	}
}

// TestCoocSymmetric checks on random purchases and views that, without
// pruning, every pair is counted alike both ways and ranks positive.
func TestCoocSymmetric(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	m := New(Options{Neighbours: 1000})
	at := t0
	for n := 0; n < 5000; n++ {
		at += rng.Int64N(2 * hour)
		k := View
		if rng.IntN(3) == 0 {
			k = Purchase
		}
		if rng.IntN(50) == 0 {
			k = Return
		}
		m.Add(Event{User: uint32(rng.IntN(40)), Item: uint32(rng.IntN(60)), Kind: k, At: at})
	}
	for _, c := range []*cooc{&m.bought, &m.viewed} {
		for a, row := range c.rows {
			for _, nb := range row {
				back := slices.IndexFunc(c.rows[nb.Item], func(x neighbour) bool { return x.Item == uint32(a) })
				if back < 0 || c.rows[nb.Item][back].C != nb.C {
					t.Fatalf("pair (%d, %d) counted %v one way, not the other", a, nb.Item, nb.C)
				}
			}
			for _, s := range c.neighbours(uint32(a), 100, 1) {
				if s.Score <= 0 || s.Item == uint32(a) {
					t.Fatalf("item %d: neighbour %+v", a, s)
				}
			}
		}
	}
}
