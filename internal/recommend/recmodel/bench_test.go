package recmodel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// synth is a synthetic shop: a category tree of 10 roots, 100 middles and
// 1000 leaves, products with zipf popularity, and shoppers with a
// favourite leaf, in sessions of views, cart adds and purchases.
type synth struct {
	products []Product
	byLeaf   [][]uint32 // leaf index -> products
	pop      *rand.Zipf
	leafPop  *rand.Zipf
	rng      *rand.Rand
}

// newSynth makes n products, deterministically.
func newSynth(n int) *synth {
	rng := rand.New(rand.NewPCG(42, uint64(n)))
	vocab := make([]string, 20000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	words := rand.NewZipf(rng, 1.1, 1, uint64(len(vocab)-1))
	s := &synth{products: make([]Product, n), byLeaf: make([][]uint32, 1000), rng: rng}
	var b strings.Builder
	for i := range s.products {
		leaf := rng.IntN(1000)
		mid, root := leaf/10, leaf/100
		b.Reset()
		for w := 0; w < 24; w++ {
			if w%2 == 0 { // half the words are the leaf's own
				b.WriteString(vocab[(leaf*17+rng.IntN(30))%len(vocab)])
			} else {
				b.WriteString(vocab[words.Uint64()])
			}
			b.WriteByte(' ')
		}
		s.products[i] = Product{Item: uint32(i), Categories: []uint32{uint32(root), uint32(10 + mid), uint32(1000 + leaf)},
			Brand: fmt.Sprintf("brand%d", leaf*3+rng.IntN(5)), Seller: uint32(rng.IntN(5000)),
			Price: int64(math.Exp(rng.NormFloat64() + 8)), Text: b.String(), Created: t0}
		s.byLeaf[leaf] = append(s.byLeaf[leaf], uint32(i))
	}
	s.pop = rand.NewZipf(rng, 1.05, 10, uint64(n-1))
	s.leafPop = rand.NewZipf(rng, 1.2, 2, 999)
	return s
}

// events makes n events of users shoppers over 30 days, in sessions.
func (s *synth) events(n, users int) []Event {
	rng := s.rng
	out := make([]Event, 0, n)
	at := t0
	step := int64(30*day) / int64(n)
	for len(out) < n {
		u := uint32(rng.IntN(users))
		fav := int(u*7919) % 1000
		sess := 1 + int(rng.ExpFloat64()*6)
		t := at
		for j := 0; j < sess && len(out) < n; j++ {
			var it uint32
			if rng.IntN(2) == 0 && len(s.byLeaf[fav]) > 0 {
				l := s.byLeaf[fav]
				it = l[min(int(rng.ExpFloat64()*float64(len(l))/8), len(l)-1)]
			} else {
				it = uint32(s.pop.Uint64())
			}
			k := View
			switch r := rng.IntN(1000); {
			case r < 70:
				k = Cart
			case r < 120:
				k = Purchase
			case r < 140:
				k = Wish
			case r < 145:
				k = Rate
			case r < 150:
				k = Return
			}
			out = append(out, Event{User: u, Item: it, Kind: k, Value: int8(1 + rng.IntN(5)), At: t})
			t += 60
			at += step
		}
	}
	return out
}

var (
	fixOnce  sync.Once
	fixSynth *synth
	fixModel *Model
	fixEv    []Event
)

// fixSize is the fixture's products and events: 1M, or REC_FIX (to profile).
var fixSize = func() int {
	if n, err := strconv.Atoi(os.Getenv("REC_FIX")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}()

// fixture is 1M products and 1M events, trained, built once per run.
func fixture(b *testing.B) (*synth, *Model, []Event) {
	fixOnce.Do(func() {
		fixSynth = newSynth(fixSize)
		fixEv = fixSynth.events(fixSize, fixSize/10)
		start := time.Now()
		fixModel = New(Options{})
		for _, p := range fixSynth.products {
			fixModel.SetProduct(p)
		}
		tp := time.Since(start)
		for _, e := range fixEv {
			fixModel.Add(e)
		}
		te := time.Since(start)
		if err := fixModel.Train(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.Logf("fixture: 1M products (%v), 1M events (%v), trained (%v)", tp.Round(time.Millisecond),
			(te - tp).Round(time.Millisecond), (time.Since(start) - te).Round(time.Millisecond))
	})
	return fixSynth, fixModel, fixEv
}

// BenchmarkAdd is Add's throughput on the 1M-product model (one event per op).
func BenchmarkAdd(b *testing.B) {
	s, m, _ := fixture(b)
	ev := s.events(max(b.N, 1000), 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := ev[i]
		e.At += 30 * day
		m.Add(e)
	}
}

// queryItems are popular-ish items to ask about.
func queryItems(s *synth) []uint32 {
	rng := rand.New(rand.NewPCG(7, 7))
	out := make([]uint32, 1024)
	for i := range out {
		if i%2 == 0 {
			out[i] = uint32(s.pop.Uint64())
		} else {
			out[i] = uint32(rng.IntN(len(s.products)))
		}
	}
	return out
}

func BenchmarkAlsoBought(b *testing.B) {
	s, m, _ := fixture(b)
	q := queryItems(s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.AlsoBought(q[i%len(q)], 12)
	}
}

func BenchmarkAlsoViewed(b *testing.B) {
	s, m, _ := fixture(b)
	q := queryItems(s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.AlsoViewed(q[i%len(q)], 12)
	}
}

func BenchmarkSimilar(b *testing.B) {
	s, m, _ := fixture(b)
	q := queryItems(s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Similar(q[i%len(q)], 12)
	}
}

func BenchmarkTrending(b *testing.B) {
	_, m, _ := fixture(b)
	now := t0 + 30*day
	b.Run("overall", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Trending(NoItem, now, 12)
		}
	})
	b.Run("category", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Trending(uint32(i%1110), now, 12) // roots, middles and leaves
		}
	})
	b.Run("popular", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.Popular(12)
		}
	})
}

func BenchmarkForYou(b *testing.B) {
	s, m, ev := fixture(b)
	now := t0 + 30*day
	b.Run("known", func(b *testing.B) { // users with history, trained
		for i := 0; i < b.N; i++ {
			m.ForYou(ev[(i*7919)%len(ev)].User, nil, now, 12)
		}
	})
	b.Run("session", func(b *testing.B) { // a guest with three views
		q := queryItems(s)
		for i := 0; i < b.N; i++ {
			j := i % (len(q) - 3)
			m.ForYou(uint32(5_000_000+i%1000), q[j:j+3], now, 12)
		}
	})
	b.Run("new", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			m.ForYou(uint32(6_000_000), nil, now, 12)
		}
	})
}

// BenchmarkTrain1M is a cold Train on 1M products and 1M events.
func BenchmarkTrain1M(b *testing.B) {
	_, m, _ := fixture(b)
	for i := 0; i < b.N; i++ {
		m.mu.Lock()
		m.fac, m.trained = nil, 0
		m.mu.Unlock()
		if err := m.Train(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// heap returns the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkBig is REC_BIG=1 only: 1M products and 10M events; it reports
// the model's live heap per product and per event, Add's throughput and a
// cold Train (one op is one Train). Run it once: -bench Big -benchtime 1x.
func BenchmarkBig(b *testing.B) {
	if os.Getenv("REC_BIG") == "" {
		b.Skip("REC_BIG=1 runs the 10M-event benchmark")
	}
	base := heap()
	s := newSynth(1_000_000)
	ev := s.events(10_000_000, 1_000_000)
	evBytes := uint64(cap(ev)) * uint64(unsafe.Sizeof(Event{}))
	m := New(Options{})
	start := time.Now()
	for _, p := range s.products {
		p.Text = strings.Clone(p.Text) // the model owns its text, as when fed from events
		p.Brand = strings.Clone(p.Brand)
		m.SetProduct(p)
	}
	setTime := time.Since(start)
	s.products, s.byLeaf = nil, nil // the model's copies only
	withProducts := heap() - evBytes
	start = time.Now()
	for _, e := range ev {
		m.Add(e)
	}
	addTime := time.Since(start)
	ev = nil
	withEvents := heap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.mu.Lock()
		m.fac, m.trained = nil, 0
		m.mu.Unlock()
		if err := m.Train(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	trained := heap()
	b.ReportMetric(float64(withProducts-base)/1e6, "B/product")
	b.ReportMetric(float64(withEvents-withProducts)/1e7, "B/event")
	b.ReportMetric(float64(trained-withEvents)/(1<<20), "MiB-factors")
	b.ReportMetric(float64(trained-base)/(1<<20), "MiB-total")
	b.ReportMetric(setTime.Seconds()*1e9/1e6, "ns/SetProduct")
	b.ReportMetric(addTime.Seconds()*1e9/1e7, "ns/Add")
	runtime.KeepAlive(m)
}
