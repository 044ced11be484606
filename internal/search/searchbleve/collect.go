package searchbleve

import (
	"container/heap"
	"context"
	"fmt"
	"strconv"

	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bazaar-market/bazaar/internal/search"
)

// collect runs a searcher to the end: it counts every match (Total), counts
// facets from the columns, and keeps the best n matches by numeric keys.
// It replaces Bleve's top-N collector, which builds a string sort value
// per matching document and compares strings: at a million products a
// broad query matches hundreds of thousands of documents, and those
// strings were most of the collector's time.
//
// Documents must pass every column filter; for the filters that count
// their own facet, a document failing only that filter is counted there
// (and one passing all is counted in every filter's facet).
// keep, when not nil, gets the global numbers of the documents that pass.
func collect(ctx context.Context, s bsearch.Searcher, snap index.IndexReader, loc *locator, filters []*colFilter, cnt *counter, rk *ranker, keep *[]uint64) (uint64, error) {
	sctx := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       snap,
	}
	var total, seen uint64
	d, err := s.Next(sctx)
	for ; err == nil && d != nil; d, err = s.Next(sctx) {
		if seen&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		seen++
		g := d.IndexInternalID.Value()
		sc, i := loc.find(g)
		if len(filters) > 0 && !passes(filters, sc, i) {
			sctx.DocumentMatchPool.Put(d)
			continue
		}
		total++
		if cnt != nil {
			cnt.add(sc, i)
		}
		if rk != nil {
			rk.offer(d.Score, sc, i, g)
		}
		if keep != nil {
			*keep = append(*keep, g)
		}
		sctx.DocumentMatchPool.Put(d)
	}
	return total, err
}

// collectList is collect over a list of global document numbers
// (ascending), without a searcher's per-document matches.
func collectList(ctx context.Context, list []uint64, loc *locator, filters []*colFilter, cnt *counter, rk *ranker, keep *[]uint64) (uint64, error) {
	var total uint64
	for n, g := range list {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		sc, i := loc.find(g)
		if len(filters) > 0 && !passes(filters, sc, i) {
			continue
		}
		total++
		if cnt != nil {
			cnt.add(sc, i)
		}
		if rk != nil {
			rk.offer(0, sc, i, g)
		}
		if keep != nil {
			*keep = append(*keep, g)
		}
	}
	return total, nil
}

// passes reports whether document i passes every filter, counting the
// filters' own facets.
func passes(filters []*colFilter, sc *segCols, i int) bool {
	failed := -1
	for j, f := range filters {
		if !f.pass(sc, i) {
			if failed >= 0 {
				return false
			}
			failed = j
		}
	}
	if failed >= 0 {
		if c := filters[failed].cnt; c != nil {
			c.add(sc, i)
		}
		return false
	}
	for _, f := range filters {
		if f.cnt != nil {
			f.cnt.add(sc, i)
		}
	}
	return true
}

// rankHit is a match with its sort keys.
type rankHit struct {
	score float64
	keys  [maxKeys]uint64
	doc   uint64 // global document number
}

const maxKeys = 3

// ranker keeps the first n matches of an order: by score (descending) when
// byScore, then by keys ascending (descending keys are stored inverted),
// the last key being the product ID's hash so that the order is total and
// stable across segment merges.
type ranker struct {
	byScore bool
	keys    []colKey
	n       int
	after   *rankHit
	h       rankHeap
}

func newRanker(s orderSpec, n int) *ranker {
	r := &ranker{byScore: s.byScore, keys: s.keys, n: n}
	r.h.r = r
	return r
}

// before reports whether a comes before b in the order.
func (r *ranker) before(a, b *rankHit) bool {
	if r.byScore && a.score != b.score {
		return a.score > b.score
	}
	for k := range r.keys {
		if a.keys[k] != b.keys[k] {
			return a.keys[k] < b.keys[k]
		}
	}
	return a.doc < b.doc
}

func (r *ranker) offer(score float64, sc *segCols, i int, doc uint64) {
	if !r.byScore {
		score = 0
	}
	full := len(r.h.hits) >= r.n
	if full && r.n == 0 {
		return
	}
	// Most documents lose on the score alone: no keys to read.
	if r.byScore {
		if full && score < r.h.hits[0].score || r.after != nil && score > r.after.score {
			return
		}
	}
	h := rankHit{score: score, doc: doc}
	for k, ck := range r.keys {
		h.keys[k] = sc.key(ck, i)
	}
	if r.after != nil && !r.before(r.after, &h) {
		return
	}
	if !full {
		heap.Push(&r.h, h)
		return
	}
	if !r.before(&h, &r.h.hits[0]) {
		return
	}
	r.h.hits[0] = h
	heap.Fix(&r.h, 0)
}

// results are the kept matches, best first.
func (r *ranker) results() []rankHit {
	out := make([]rankHit, len(r.h.hits))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&r.h).(rankHit)
	}
	return out
}

// cursor encodes a hit's position for the next page (score, then keys).
func (r *ranker) cursor(h rankHit) []string {
	var out []string
	if r.byScore {
		out = append(out, strconv.FormatFloat(h.score, 'g', -1, 64))
	}
	b := make([]byte, 0, 16*len(r.keys))
	for k := range r.keys {
		b = appendHex16(b, h.keys[k])
	}
	return append(out, string(b))
}

// afterLen is how many values a cursor of this order has.
func (r *ranker) afterLen() int {
	if r.byScore {
		return 2
	}
	return 1
}

// setAfter reads a cursor made by cursor.
func (r *ranker) setAfter(vals []string) error {
	if want := r.afterLen(); len(vals) != want {
		return fmt.Errorf("cursor has %d values, want %d", len(vals), want)
	}
	var a rankHit
	if r.byScore {
		f, err := strconv.ParseFloat(vals[0], 64)
		if err != nil {
			return fmt.Errorf("cursor score: %w", err)
		}
		a.score = f
		vals = vals[1:]
	}
	if len(vals[0]) != 16*len(r.keys) {
		return fmt.Errorf("cursor keys have %d characters, want %d", len(vals[0]), 16*len(r.keys))
	}
	for k := range r.keys {
		v, err := strconv.ParseUint(vals[0][16*k:16*k+16], 16, 64)
		if err != nil {
			return fmt.Errorf("cursor key: %w", err)
		}
		a.keys[k] = v
	}
	// The document number is not part of a cursor: after a merge it means
	// another document. The last key (the product's hash) already orders
	// every product; the largest number puts the cursor after its own
	// product.
	a.doc = ^uint64(0)
	r.after = &a
	return nil
}

// rankHeap is a heap whose top is the worst kept hit.
type rankHeap struct {
	r    *ranker
	hits []rankHit
}

func (h *rankHeap) Len() int           { return len(h.hits) }
func (h *rankHeap) Less(i, j int) bool { return h.r.before(&h.hits[j], &h.hits[i]) }
func (h *rankHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *rankHeap) Push(x any)         { h.hits = append(h.hits, x.(rankHit)) }
func (h *rankHeap) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

// key is a column key of local document i, inverted when descending.
func (sc *segCols) key(k colKey, i int) uint64 {
	var v uint64
	switch k.key {
	case keyPriceMin:
		v = uint64(sc.priceMin[i])
	case keyPriceMax:
		v = uint64(sc.priceMax[i])
	case keySales:
		v = uint64(sc.sales[i])
	case keyCreated:
		v = uint64(sc.created[i])
	case keyRating:
		v = uint64(sc.rating[i])
	case keyRatingN:
		v = uint64(sc.ratingN[i])
	case keyRatingRank:
		v = uint64(sc.rank[i])
	case keyTie:
		v = sc.tie[i]
	}
	if k.desc {
		v = ^v
	}
	return v
}

// orderSpec is a sort: by score first or not, then column keys.
type orderSpec struct {
	byScore bool
	keys    []colKey
}

func orderOf(s search.Sort) orderSpec {
	tie := colKey{key: keyTie}
	switch s {
	case search.SortPriceAsc:
		return orderSpec{keys: []colKey{{keyPriceMin, false}, tie}}
	case search.SortPriceDesc:
		return orderSpec{keys: []colKey{{keyPriceMax, true}, tie}}
	case search.SortNewest:
		return orderSpec{keys: []colKey{{keyCreated, true}, tie}}
	case search.SortRating:
		return orderSpec{keys: []colKey{{keyRatingRank, true}, {keyRatingN, true}, tie}}
	case search.SortPopular:
		return orderSpec{keys: []colKey{{keySales, true}, tie}}
	}
	return orderSpec{byScore: true, keys: []colKey{{keySales, true}, tie}}
}

// colKey is one column of a sort.
type colKey struct {
	key  int
	desc bool
}
