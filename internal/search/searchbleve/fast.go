package searchbleve

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bazaar-market/bazaar/internal/search"
)

// fastSearch runs r with Bleve's matching, scoring and top-N collection but
// counts facets and compares sort keys from the columns (see columns.go).
// ok is false when the index is not a scorch index (then Search uses
// Bleve's own facets and sorts).
func (x *Index) fastSearch(ctx context.Context, r search.Request) (resp search.Response, ok bool, err error) {
	adv, err := x.bi.Advanced()
	if err != nil {
		return search.Response{}, false, nil
	}
	sc, isScorch := adv.(*scorch.Scorch)
	if !isScorch {
		return search.Response{}, false, nil
	}
	reader, err := sc.Reader()
	if err != nil {
		return search.Response{}, true, err
	}
	defer reader.Close()
	snap, isSnap := reader.(*scorch.IndexSnapshot)
	if !isSnap {
		return search.Response{}, false, nil
	}
	cols, offsets, err := x.cols.forSnapshot(snap)
	if err != nil {
		return search.Response{}, true, err
	}

	// Limit 0 asks for counts only (Total and facets): no scores, and a
	// sort on the (constant) score, which the collector skips.
	countOnly := r.Limit == 0
	score := ""
	if r.Sort != search.SortRelevance || r.Plan.Empty() || countOnly {
		score = "none"
	}
	ctx = context.WithValue(ctx, bsearch.GetScoringModelCallbackKey,
		bsearch.GetScoringModelCallbackFn(func() string { return index.DefaultScoringModel }))
	words, err := snap.FieldDictContains("words")
	if err != nil {
		return search.Response{}, true, err
	}
	known := func(w string) bool {
		ok, err := words.Contains([]byte(w))
		return err == nil && ok
	}
	s, err := x.query(r, vocab{stop: x.isStop, known: known}).Searcher(ctx, snap, x.bi.Mapping(), bsearch.SearcherOptions{Score: score})
	if err != nil {
		return search.Response{}, true, err
	}
	defer s.Close()

	var cnt *counter
	if f := r.Facets; f.Categories || f.Brands > 0 || len(f.Prices) > 0 || len(f.Ratings) > 0 || len(f.Attributes) > 0 {
		cnt = newCounter(x.cols, f)
	}
	searcher := &countingSearcher{Searcher: s, loc: locator{cols: cols, offsets: offsets}, cnt: cnt}
	order := sortOrder(r.Sort, &locator{cols: cols, offsets: offsets})
	if countOnly {
		order = bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
	}
	var coll *collector.TopNCollector
	if r.After != "" {
		after, err := decodeAfter(r.After, len(order))
		if err != nil {
			return search.Response{}, true, err
		}
		coll = collector.NewTopNCollectorAfter(r.Limit, order, after)
	} else {
		coll = collector.NewTopNCollector(r.Limit, 0, order)
	}
	if err := coll.Collect(ctx, searcher, snap); err != nil {
		return search.Response{}, true, err
	}
	hits := coll.Results()
	resp = search.Response{Total: coll.Total(), Docs: make([]search.Doc, 0, len(hits))}
	for _, h := range hits {
		id, err := snap.ExternalID(h.IndexInternalID)
		if err != nil {
			return search.Response{}, true, err
		}
		doc, err := snap.Document(id)
		if err != nil {
			return search.Response{}, true, err
		}
		var raw string
		if doc != nil {
			doc.VisitFields(func(f index.Field) {
				if f.Name() == "_src" {
					raw = string(f.Value())
				}
			})
		}
		d, err := docOf(&bsearch.DocumentMatch{ID: id, Fields: map[string]any{"_src": raw}})
		if err != nil {
			return search.Response{}, true, err
		}
		resp.Docs = append(resp.Docs, d)
	}
	if len(hits) == r.Limit && len(hits) > 0 {
		resp.After = encodeAfter(afterValues(order, hits[len(hits)-1]))
	}
	if cnt != nil {
		cnt.fill(&resp, r.Facets)
	}
	return resp, true, nil
}

// afterValues are a hit's sort values as NewTopNCollectorAfter reads them:
// the score sort's value is the score itself.
func afterValues(order bsearch.SortOrder, h *bsearch.DocumentMatch) []string {
	out := make([]string, len(order))
	for i, so := range order {
		if so.RequiresScoring() {
			out[i] = strconv.FormatFloat(h.Score, 'g', -1, 64)
		} else {
			out[i] = h.Sort[i]
		}
	}
	return out
}

// countingSearcher counts the facets of every document its searcher
// returns.
type countingSearcher struct {
	bsearch.Searcher
	loc locator
	cnt *counter
}

func (s *countingSearcher) Next(ctx *bsearch.SearchContext) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Next(ctx)
	if d != nil && s.cnt != nil {
		sc, i := s.loc.find(d.IndexInternalID)
		s.cnt.add(sc, i)
	}
	return d, err
}

func (s *countingSearcher) Advance(ctx *bsearch.SearchContext, id index.IndexInternalID) (*bsearch.DocumentMatch, error) {
	d, err := s.Searcher.Advance(ctx, id)
	if d != nil && s.cnt != nil {
		sc, i := s.loc.find(d.IndexInternalID)
		s.cnt.add(sc, i)
	}
	return d, err
}

// counter counts facet values by ordinal.
type counter struct {
	cols                     *columns
	cats, brands, attrs      []int32
	buckets                  [16]int32
	ratings                  [51]int32
	doCats, doBrands, doAttr bool
	doBuckets, doRatings     bool
}

func newCounter(c *columns, f search.FacetRequest) *counter {
	cnt := &counter{cols: c, doCats: f.Categories, doBrands: f.Brands > 0, doAttr: len(f.Attributes) > 0,
		doBuckets: len(f.Prices) > 0, doRatings: len(f.Ratings) > 0}
	if cnt.doCats {
		cnt.cats = make([]int32, c.cats.len())
	}
	if cnt.doBrands {
		cnt.brands = make([]int32, c.brands.len())
	}
	if cnt.doAttr {
		cnt.attrs = make([]int32, c.attrs.len())
	}
	return cnt
}

func inc(counts *[]int32, o uint32) {
	if int(o) >= len(*counts) {
		*counts = append(*counts, make([]int32, int(o)+1-len(*counts))...)
	}
	(*counts)[o]++
}

func (c *counter) add(sc *segCols, i int) {
	if c.doCats {
		inc(&c.cats, sc.cat[i])
	}
	if c.doBrands && sc.brand[i] != 0 {
		inc(&c.brands, sc.brand[i])
	}
	if c.doBuckets {
		c.buckets[sc.bucket[i]&15]++
	}
	if c.doRatings {
		c.ratings[min(sc.rating[i], 50)]++
	}
	if c.doAttr {
		for _, o := range sc.attrOrd[sc.attrStart[i]:sc.attrStart[i+1]] {
			inc(&c.attrs, o)
		}
	}
}

func (c *counter) fill(out *search.Response, f search.FacetRequest) {
	if c.doCats {
		out.Categories = make(map[string]int)
		strs := c.cols.cats.snapshot()
		for o, n := range c.cats {
			if n > 0 && o > 0 {
				out.Categories[strs[o]] = int(n)
			}
		}
	}
	top := func(counts []int32, strs []string, keep func(string) (string, bool), n int) []search.TermCount {
		var out []search.TermCount
		for o, k := range counts {
			if k == 0 || o == 0 {
				continue
			}
			if t, ok := keep(strs[o]); ok {
				out = append(out, search.TermCount{Term: t, Count: int(k)})
			}
		}
		slices.SortFunc(out, func(a, b search.TermCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
		})
		return out[:min(len(out), n)]
	}
	if c.doBrands {
		out.Brands = top(c.brands, c.cols.brands.snapshot(), func(s string) (string, bool) { return s, true }, f.Brands)
	}
	if c.doBuckets {
		out.Prices = make(map[string]int)
		for i, name := range priceBuckets() {
			if n := c.buckets[i+1]; n > 0 {
				out.Prices[name] = int(n)
			}
		}
	}
	if c.doRatings {
		out.Ratings = make(map[float64]int)
		for _, floor := range f.Ratings {
			lo := int(floor * 10)
			for r := max(lo, 0); r <= 50; r++ {
				out.Ratings[floor] += int(c.ratings[r])
			}
		}
	}
	if c.doAttr {
		strs := c.cols.attrs.snapshot()
		out.Attributes = make(map[string][]search.TermCount)
		for _, name := range f.Attributes {
			vals := top(c.attrs, strs, func(s string) (string, bool) { return strings.CutPrefix(s, name+"=") }, max(f.AttrSize, 1))
			if len(vals) > 0 {
				out.Attributes[name] = vals
			}
		}
	}
}

// Column sort keys.
const (
	keyPriceMin = iota
	keyPriceMax
	keySales
	keyCreated
	keyRating
	keyRatingN
	keyTie
)

// colSort is a Bleve sort whose value comes from the columns: all of a
// sort's keys (and the tie-breaker) in one fixed-width string, descending
// keys inverted, so the collector makes one call per document.
type colSort struct {
	keys []colKey
	rev  bool
	loc  *locator
}

type colKey struct {
	key  int
	desc bool
}

func (c *colSort) Value(d *bsearch.DocumentMatch) string {
	sc, i := c.loc.find(d.IndexInternalID)
	b := make([]byte, 0, 16*len(c.keys))
	for _, k := range c.keys {
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
		case keyTie:
			v = sc.tie[i]
		}
		if k.desc {
			v = ^v
		}
		b = appendHex16(b, v)
	}
	return string(b)
}

func hex16(v uint64) string { return string(appendHex16(nil, v)) }

func appendHex16(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, digits[(v>>uint(shift))&15])
	}
	return b
}

func (c *colSort) UpdateVisitor(field string, term []byte) {}
func (c *colSort) DecodeValue(v string) string             { return v }
func (c *colSort) Descending() bool                        { return c.rev }
func (c *colSort) RequiresDocID() bool                     { return false }
func (c *colSort) RequiresScoring() bool                   { return false }
func (c *colSort) RequiresFields() []string                { return nil }
func (c *colSort) Reverse()                                { c.rev = !c.rev }
func (c *colSort) Copy() bsearch.SearchSort {
	cp := *c
	return &cp
}

// sortOrder is the order of a sort, ties broken by the product ID's hash so
// that cursors stay valid across segment merges.
func sortOrder(s search.Sort, loc *locator) bsearch.SortOrder {
	keys := func(ks ...colKey) bsearch.SearchSort {
		return &colSort{keys: append(ks, colKey{key: keyTie}), loc: loc}
	}
	switch s {
	case search.SortPriceAsc:
		return bsearch.SortOrder{keys(colKey{keyPriceMin, false})}
	case search.SortPriceDesc:
		return bsearch.SortOrder{keys(colKey{keyPriceMax, true})}
	case search.SortNewest:
		return bsearch.SortOrder{keys(colKey{keyCreated, true})}
	case search.SortRating:
		return bsearch.SortOrder{keys(colKey{keyRating, true}, colKey{keyRatingN, true})}
	case search.SortPopular:
		return bsearch.SortOrder{keys(colKey{keySales, true})}
	}
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}, keys(colKey{keySales, true})}
}

func priceBuckets() []string {
	out := make([]string, len(search.PriceBuckets))
	for i, b := range search.PriceBuckets {
		out[i] = b.Name
	}
	return out
}
