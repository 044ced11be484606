package searchbleve

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bazaar-market/bazaar/internal/search"
)

// Two phases: a query ranked by relevance with filters or several words
// (or relaxed to all but one of its words) first finds what matches
// without scores, where Bleve intersects posting lists as bitmaps, then
// scores only those documents. Scoring while intersecting made Bleve step
// scored disjunctions through every document of a large category (or of
// the commonest word) to find the few, or none, that also match the rest:
// 150 ms for "sneakers" in a clothing category of 90,000 products at a
// million, 100 ms for "quill house black cookbook".
//
// Relaxed queries (all but one word) are matched from one bitmap per word
// instead of Bleve's minimum-match disjunction, which visits every
// document having any of the words.

// matchDocs runs q unscored and returns the global numbers of its
// documents.
func matchDocs(ctx context.Context, snap index.IndexReader, x *Index, q query.Query) (*roaring.Bitmap, error) {
	s, err := q.Searcher(ctx, snap, x.bi.Mapping(), bsearch.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: snap}
	bm := roaring.New()
	buf := make([]uint32, 0, 4096)
	var n uint64
	d, err := s.Next(sctx)
	for ; err == nil && d != nil; d, err = s.Next(sctx) {
		if n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		n++
		g := d.IndexInternalID.Value()
		if g > math.MaxUint32 {
			return nil, fmt.Errorf("document number %d does not fit a bitmap", g)
		}
		buf = append(buf, uint32(g))
		if len(buf) == cap(buf) {
			bm.AddMany(buf)
			buf = buf[:0]
		}
		sctx.DocumentMatchPool.Put(d)
	}
	if err != nil {
		return nil, err
	}
	bm.AddMany(buf)
	return bm, nil
}

// wordsDocs returns the documents matching every clause of a plan, or all
// but at most one when relaxed, from one bitmap per clause (kept in the
// result cache when cached: the relaxed search that follows a strict one
// with few results, and other queries with the same words, reuse them).
// Bleve's conjunction of the clauses' disjunctions stepped through the
// rarest word's documents advancing every other word's postings: 70 ms for
// "urban thread yellow t-shirt" at a million products.
//
// With onlyCached, it returns nil unless every bitmap is in the cache or
// made from posting bitmaps.
//
// rarest is the document count of the rarest word.
func (x *Index) wordsDocs(ctx context.Context, snap *scorch.IndexSnapshot, clauses []search.Clause, v vocab, relaxed, cached, onlyCached bool) (docs *roaring.Bitmap, rarest uint64, err error) {
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
			// A clause of plain words is the union of posting bitmaps,
			// cheap to make; others are walked through Bleve's searcher.
			if leaves, ok := x.clauseLeaves(c, v); ok {
				if bm, err = leavesDocs(snap, leaves); err != nil {
					return nil, 0, err
				}
			} else if onlyCached {
				return nil, 0, nil
			} else {
				if bm, err = matchDocs(ctx, snap, x, clauseQuery(c, v)); err != nil {
					return nil, 0, err
				}
			}
			x.cache.putClause(snap, key, bm)
		}
		bms[i] = bm
	}
	rarest = bms[0].GetCardinality()
	for _, bm := range bms[1:] {
		rarest = min(rarest, bm.GetCardinality())
	}
	if !relaxed {
		return roaring.FastAnd(bms...), rarest, nil
	}
	return relaxedDocs(bms), rarest, nil
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

// scoreList ranks the documents of list (ascending, each matching s) by
// s's scores, moving s straight to each: a conjunction with the list
// would also call s.Next after every match, and for a conjunction of words
// that walks to its next match through every word's postings, the cost
// phase one saved.
//
// With walk, it steps through s's matches in order instead and keeps those
// in list: cheaper when list holds most of them.
func scoreList(ctx context.Context, s bsearch.Searcher, snap index.IndexReader, loc *locator, list []uint64, rk *ranker, walk bool) error {
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: snap}
	if walk {
		var n uint64
		pos := 0
		d, err := s.Next(sctx)
		for ; err == nil && d != nil && pos < len(list); d, err = s.Next(sctx) {
			if n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			n++
			g := d.IndexInternalID.Value()
			for pos < len(list) && list[pos] < g {
				pos++
			}
			if pos < len(list) && list[pos] == g {
				sc, i := loc.find(g)
				rk.offer(d.Score, sc, i, g)
			}
			sctx.DocumentMatchPool.Put(d)
		}
		return err
	}
	for n, g := range list {
		if n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		d, err := s.Advance(sctx, index.NewIndexInternalID(nil, g))
		if err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		if d.IndexInternalID.Value() == g {
			sc, i := loc.find(g)
			rk.offer(d.Score, sc, i, g)
		}
		sctx.DocumentMatchPool.Put(d)
	}
	return nil
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
	it := bm.Iterator()
	for it.HasNext() {
		out = append(out, uint64(it.Next()))
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
