package searchbleve

import (
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Columns: Bleve counts facets and sorts by decoding each matching
// document's doc values (snappy-compressed chunks, strings, map lookups),
// which costs hundreds of nanoseconds per document and field; at a million
// products a broad query spends most of its time there. Segments are
// immutable, so this index decodes each segment's facet and sort values
// once into plain arrays (about 60 bytes a document) and reads those
// instead: counting a facet or comparing a sort key is an array access.
//
// Arrays are built when a segment is first seen (new segments from live
// updates are small), and a background loop builds them for segments that
// merges create, before a query needs them.

// segCols holds one segment's values, by local document number.
type segCols struct {
	cat       []uint32 // category_id ordinal
	brand     []uint32 // brand ordinal (0: none)
	bucket    []uint8  // price bucket + 1 (0: none)
	rating    []uint8  // tenths of a star
	priceMin  []int64
	priceMax  []int64
	sales     []int64
	created   []int64
	ratingN   []int64
	rank      []int64  // rating_rank
	tie       []uint64 // stable order between equal keys: the product ID's hash
	attrStart []uint32 // attrs of doc i: attrOrd[attrStart[i]:attrStart[i+1]]
	attrOrd   []uint32
	pStart    []uint32 // variant prices of doc i: prices[pStart[i]:pStart[i+1]]
	prices    []int64
}

// dict numbers strings (category IDs, brands, attribute terms) for the
// arrays. Ordinals are never reused, so arrays stay valid as it grows.
type dict struct {
	mu   sync.RWMutex
	ord  map[string]uint32
	strs []string
}

func newDict() *dict { return &dict{ord: map[string]uint32{"": 0}, strs: []string{""}} }

func (d *dict) id(s string) uint32 {
	d.mu.RLock()
	o, ok := d.ord[s]
	d.mu.RUnlock()
	if ok {
		return o
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if o, ok := d.ord[s]; ok {
		return o
	}
	o = uint32(len(d.strs))
	d.ord[s] = o
	d.strs = append(d.strs, s)
	return o
}

func (d *dict) len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.strs)
}

// lookup returns the ordinal of s, if it has one.
func (d *dict) lookup(s string) (uint32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	o, ok := d.ord[s]
	return o, ok
}

// snapshot copies the strings, for resolving many ordinals at once.
func (d *dict) snapshot() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.strs
}

// columns caches segCols per segment.
type columns struct {
	cats, brands, attrs *dict

	mu   sync.Mutex
	segs map[uint64]*segEntry // by segment ID
}

type segEntry struct {
	once sync.Once
	cols *segCols
	err  error
}

func newColumns() *columns {
	return &columns{cats: newDict(), brands: newDict(), attrs: newDict(), segs: make(map[uint64]*segEntry)}
}

var colFields = []string{"category_id", "brand", "price_bucket", "rating", "price_min", "price_max", "sales", "created", "rating_count", "rating_rank", "tie", "attrs", "price_values"}

// forSnapshot returns the columns of every segment of snap, building those
// it lacks, and forgets segments no longer in snap.
func (c *columns) forSnapshot(snap *scorch.IndexSnapshot) ([]*segCols, []uint64, error) {
	segs := snap.Segments()
	out := make([]*segCols, len(segs))
	offsets := make([]uint64, len(segs))
	var running uint64
	entries := make([]*segEntry, len(segs))
	c.mu.Lock()
	for i, s := range segs {
		e := c.segs[s.Id()]
		if e == nil {
			e = &segEntry{}
			c.segs[s.Id()] = e
		}
		entries[i] = e
	}
	c.mu.Unlock()
	for i, s := range segs {
		offsets[i] = running
		running += s.Segment().Count()
		e := entries[i]
		e.once.Do(func() { e.cols, e.err = c.build(s.Segment()) })
		if e.err != nil {
			return nil, nil, e.err
		}
		out[i] = e.cols
	}
	return out, offsets, nil
}

// forget drops the columns of segments not in snap.
func (c *columns) forget(snap *scorch.IndexSnapshot) {
	live := make(map[uint64]bool)
	for _, s := range snap.Segments() {
		live[s.Id()] = true
	}
	c.mu.Lock()
	for id := range c.segs {
		if !live[id] {
			delete(c.segs, id)
		}
	}
	c.mu.Unlock()
}

var priceBucketOrd = func() map[string]uint8 {
	m := map[string]uint8{}
	for i, b := range priceBuckets() {
		m[b] = uint8(i + 1)
	}
	return m
}()

func (c *columns) build(seg segment.Segment) (*segCols, error) {
	n := int(seg.Count())
	sc := &segCols{
		cat: make([]uint32, n), brand: make([]uint32, n), bucket: make([]uint8, n), rating: make([]uint8, n),
		priceMin: make([]int64, n), priceMax: make([]int64, n), sales: make([]int64, n), created: make([]int64, n),
		ratingN: make([]int64, n), rank: make([]int64, n), tie: make([]uint64, n), attrStart: make([]uint32, n+1), pStart: make([]uint32, n+1),
	}
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return sc, nil
	}
	var state segment.DocVisitState
	var err error
	num := func(b []byte) int64 {
		v, _ := strconv.ParseInt(string(b), 10, 64)
		return v
	}
	for i := 0; i < n; i++ {
		var ords []uint32
		sc.pStart[i] = uint32(len(sc.prices))
		state, err = dv.VisitDocValues(uint64(i), colFields, func(field string, term []byte) {
			switch field {
			case "category_id":
				sc.cat[i] = c.cats.id(string(term))
			case "brand":
				sc.brand[i] = c.brands.id(string(term))
			case "price_bucket":
				sc.bucket[i] = priceBucketOrd[string(term)]
			case "rating":
				sc.rating[i] = uint8(num(term))
			case "price_min":
				sc.priceMin[i] = num(term)
			case "price_max":
				sc.priceMax[i] = num(term)
			case "sales":
				sc.sales[i] = num(term)
			case "created":
				sc.created[i] = num(term)
			case "rating_count":
				sc.ratingN[i] = num(term)
			case "rating_rank":
				sc.rank[i] = num(term)
			case "tie":
				sc.tie[i], _ = strconv.ParseUint(string(term), 16, 64)
			case "attrs":
				ords = append(ords, c.attrs.id(string(term)))
			case "price_values":
				sc.prices = append(sc.prices, num(term))
			}
		}, state)
		if err != nil {
			return nil, err
		}
		sc.attrStart[i] = uint32(len(sc.attrOrd))
		sc.attrOrd = append(sc.attrOrd, ords...)
	}
	sc.attrStart[n] = uint32(len(sc.attrOrd))
	sc.pStart[n] = uint32(len(sc.prices))
	return sc, nil
}

// locator finds a document's segment and local number from its global number;
// documents come in increasing order, so it remembers the last segment.
type locator struct {
	cols    []*segCols
	offsets []uint64
	last    int
}

func (l *locator) find(g uint64) (*segCols, int) {
	i := l.last
	if i >= len(l.offsets) || g < l.offsets[i] || i+1 < len(l.offsets) && g >= l.offsets[i+1] {
		lo, hi := 0, len(l.offsets)
		for lo+1 < hi {
			mid := (lo + hi) / 2
			if l.offsets[mid] <= g {
				lo = mid
			} else {
				hi = mid
			}
		}
		i = lo
		l.last = i
	}
	return l.cols[i], int(g - l.offsets[i])
}
