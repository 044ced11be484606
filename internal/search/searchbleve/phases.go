package searchbleve

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bazaar-market/bazaar/internal/search"
)

// Two phases: a text query first finds what matches without scores, from
// the posting bitmaps of its words (tree.go), then the filters and facets
// are applied to those documents and only what passed is scored. Scoring
// while intersecting made Bleve step scored disjunctions through every
// document of a large category (or of the commonest word) to find the few,
// or none, that also match the rest: 150 ms for "sneakers" in a clothing
// category of 90,000 products at a million, 100 ms for "quill house black
// cookbook".
//
// Relaxed queries (all but one word) are matched from one bitmap per word
// instead of Bleve's minimum-match disjunction, which visits every
// document having any of the words.

// wordsDocs returns the documents matching every clause of a plan, or all
// but at most one when relaxed, from one bitmap per clause (kept in the
// result cache when cached: the relaxed search that follows a strict one
// with few results, and other queries with the same words, reuse them).
// nodes are the clauses' trees. The bitmap returned is read only.
func (x *Index) wordsDocs(snap *scorch.IndexSnapshot, clauses []search.Clause, nodes []*qnode, relaxed, cached bool) (*roaring.Bitmap, error) {
	bms := make([]*roaring.Bitmap, len(clauses))
	for i, c := range clauses {
		key := ""
		if cached {
			if b, err := json.Marshal(c); err == nil {
				key = string(b)
			}
		}
		bm := x.cache.clause(snap, key)
		if bm == nil {
			var err error
			if bm, err = nodes[i].globalDocs(snap); err != nil {
				return nil, err
			}
			x.cache.putClause(snap, key, bm)
		}
		bms[i] = bm
	}
	switch {
	case len(bms) == 1:
		return bms[0], nil
	case relaxed:
		return relaxedDocs(bms), nil
	}
	return roaring.FastAnd(bms...), nil
}

// relaxedDocs returns the documents of all bitmaps but at most one.
func relaxedDocs(bms []*roaring.Bitmap) *roaring.Bitmap {
	// before[i] matches clauses 0..i-1, after[i] clauses i+1..n-1.
	n := len(bms)
	before := make([]*roaring.Bitmap, n)
	after := make([]*roaring.Bitmap, n)
	for i := range n {
		if i == 0 {
			before[i] = nil // everything
		} else if before[i-1] == nil {
			before[i] = bms[0]
		} else {
			before[i] = roaring.And(before[i-1], bms[i-1])
		}
	}
	for i := n - 1; i >= 0; i-- {
		if i == n-1 {
			after[i] = nil
		} else if after[i+1] == nil {
			after[i] = bms[n-1]
		} else {
			after[i] = roaring.And(after[i+1], bms[i+1])
		}
	}
	out := roaring.New()
	for i := range n {
		switch {
		case before[i] == nil:
			out.Or(after[i])
		case after[i] == nil:
			out.Or(before[i])
		default:
			out.Or(roaring.And(before[i], after[i]))
		}
	}
	return out
}

// listSearcher is a Bleve searcher over a sorted list of global document
// numbers, scoring nothing: in a conjunction it limits what the other
// searchers are advanced to.
type listSearcher struct {
	docs []uint64
	pos  int
}

var _ bsearch.Searcher = (*listSearcher)(nil)

func bitmapDocs(bm *roaring.Bitmap) []uint64 {
	out := make([]uint64, 0, bm.GetCardinality())
	buf := make([]uint32, 4096)
	it := bm.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, d := range buf[:n] {
			out = append(out, uint64(d))
		}
	}
	return out
}

func (l *listSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	if l.pos >= len(l.docs) {
		return nil, nil
	}
	d := ctx.DocumentMatchPool.Get()
	d.IndexInternalID = index.NewIndexInternalID(d.IndexInternalID, l.docs[l.pos])
	l.pos++
	return d, nil
}

func (l *listSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	target := id.Value()
	if l.pos < len(l.docs) && l.docs[l.pos] < target {
		rest := l.docs[l.pos:]
		l.pos += sort.Search(len(rest), func(i int) bool { return rest[i] >= target })
	}
	return l.Next(ctx)
}

func (l *listSearcher) Close() error               { return nil }
func (l *listSearcher) Weight() float64            { return 0 }
func (l *listSearcher) SetQueryNorm(float64)       {}
func (l *listSearcher) Count() uint64              { return uint64(len(l.docs)) }
func (l *listSearcher) Min() int                   { return 0 }
func (l *listSearcher) Size() int                  { return 64 }
func (l *listSearcher) DocumentMatchPoolSize() int { return 1 }

// within is a conjunction of s and the documents of list.
func within(ctx context.Context, snap index.IndexReader, s bsearch.Searcher, list []uint64, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	return searcher.NewConjunctionSearcher(ctx, snap, []bsearch.Searcher{s, &listSearcher{docs: list}}, opts)
}
