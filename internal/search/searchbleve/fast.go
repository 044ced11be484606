package searchbleve

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bsearch "github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/bazaar-market/bazaar/internal/search"
)

// fastSearch runs r with Bleve's matching, scoring and top-N collection but
// counts facets and compares sort keys from the columns (see columns.go).
// ok is false when the index is not a scorch index (then Search uses
// Bleve's own facets and sorts).
func (x *Index) fastSearch(ctx context.Context, r search.Request) (resp search.Response, ok bool, err error) {
	return x.fastSearchCached(ctx, r, x.cache.enabled())
}

// fastSearchCached is fastSearch, reading and filling the result cache
// (cache.go) when cached.
func (x *Index) fastSearchCached(ctx context.Context, r search.Request, cached bool) (resp search.Response, ok bool, err error) {
	if x.stale {
		return search.Response{}, false, nil
	}
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
	key := ""
	if cached {
		key = answerKey(r)
		if resp, ok := x.cache.answer(snap, key); ok {
			return resp, true, nil
		}
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
	fp := x.planFilters(r)
	v := vocab{stop: x.isStop, known: known}

	var cnt *counter
	if f := fp.facets; f.Categories || f.Brands > 0 || len(f.Prices) > 0 || len(f.Ratings) > 0 || len(f.Attributes) > 0 {
		cnt = newCounter(x.cols, f)
	}
	// cur ranks the page asked for; rk ranks what the pass ranks: the page,
	// or the start of the ranking for the cache.
	var rk, cur *ranker
	rkey := ""
	if !countOnly {
		cur = newRanker(orderOf(r.Sort), r.Limit)
		if r.After != "" {
			vals, err := decodeAfter(r.After, cur.afterLen())
			if err != nil {
				return search.Response{}, true, err
			}
			if err := cur.setAfter(vals); err != nil {
				return search.Response{}, true, errBadCursor
			}
		}
		rk = cur
		if cached {
			rkey = rankingKey(r)
			counts := cnt != nil || len(fp.recount) > 0 || slices.ContainsFunc(fp.cols, func(f *colFilter) bool { return f.cnt != nil })
			if g := x.cache.ranking(snap, rkey); g != nil && !counts {
				if hits, ok := g.page(cur, r.Limit); ok {
					resp, err := x.pageOf(snap, cur, hits, g.total, r)
					if err == nil {
						x.cache.putAnswer(snap, key, resp)
					}
					return resp, true, err
				}
			}
			rk = newRanker(orderOf(r.Sort), max(r.Limit, rankWindow))
		}
	}
	loc := &locator{cols: cols, offsets: offsets}
	ranked := score == ""
	multi := len(r.Plan.Clauses) > 1
	relaxed := r.Relax && multi
	bleveFilters := filters(fp.bleve)
	var total uint64
	var oneTerms []oneWordTerm
	oneWord := false
	if ranked && !multi && len(bleveFilters) == 0 && len(fp.cols) == 0 {
		oneTerms, oneWord = x.oneWordTerms(fp.bleve, v)
	}
	switch {
	case oneWord:
		// One plain word (oneword.go).
		if total, err = x.oneWord(ctx, snap, cols, offsets, oneTerms, cnt, rk); err != nil {
			return search.Response{}, true, err
		}
	case fp.bleve.Plan.Empty():
		// Browse: the documents of the term filters from their posting
		// bitmaps (a category, a seller, in stock...), else one unscored
		// pass of Bleve over the filters.
		if ft, ok, err := x.filterTree(snap, fp.bleve); err != nil {
			return search.Response{}, true, err
		} else if ok && ft != nil {
			docs, err := ft.globalDocs(snap)
			if err != nil {
				return search.Response{}, true, err
			}
			if total, err = collectList(ctx, bitmapDocs(docs), loc, fp.cols, cnt, rk, nil); err != nil {
				return search.Response{}, true, err
			}
			break
		}
		s, err := x.query(fp.bleve, v).Searcher(ctx, snap, x.bi.Mapping(), bsearch.SearcherOptions{Score: "none"})
		if err != nil {
			return search.Response{}, true, err
		}
		defer s.Close()
		if total, err = collect(ctx, s, snap, loc, fp.cols, cnt, rk, nil); err != nil {
			return search.Response{}, true, err
		}
	default:
		// Text: the documents from the query's posting lists (tree.go),
		// intersected with the filters' (term filters: categories, seller,
		// stock, ...), then the column filters and facets, then the scores
		// of what matched. Range filters are applied by Bleve: to the
		// documents of several words, or, with one word, in Bleve's
		// unscored query, which intersects posting bitmaps (stepping a
		// list of a broad word's documents through the filters costs more).
		var ft *qnode
		ftOK := len(bleveFilters) == 0
		if !ftOK {
			if ft, ftOK, err = x.filterTree(snap, fp.bleve); err != nil {
				return search.Response{}, true, err
			}
		}
		fromTree := multi || ftOK
		var top *qnode
		var clauses []*qnode
		if ranked || fromTree {
			top, clauses, err = x.queryTree(snap, fp.bleve.Plan, relaxed, v)
			if errors.Is(err, errTooManyLeaves) {
				return search.Response{}, false, nil
			}
			if err != nil {
				return search.Response{}, true, err
			}
		}
		var match bsearch.Searcher
		if fromTree {
			docs, err := x.wordsDocs(snap, fp.bleve.Plan.Clauses, clauses, relaxed, cached)
			if err != nil {
				return search.Response{}, true, err
			}
			if ft != nil {
				fd, err := ft.globalDocs(snap)
				if err != nil {
					return search.Response{}, true, err
				}
				docs = roaring.And(docs, fd)
			}
			match = &listSearcher{docs: bitmapDocs(docs)}
			if !ftOK {
				fs, err := all(bleveFilters).Searcher(ctx, snap, x.bi.Mapping(), bsearch.SearcherOptions{Score: "none"})
				if err != nil {
					return search.Response{}, true, err
				}
				if match, err = within(ctx, snap, fs, match.(*listSearcher).docs, bsearch.SearcherOptions{Score: "none"}); err != nil {
					fs.Close()
					return search.Response{}, true, err
				}
			}
		} else if match, err = x.query(fp.bleve, v).Searcher(ctx, snap, x.bi.Mapping(), bsearch.SearcherOptions{Score: "none"}); err != nil {
			return search.Response{}, true, err
		}
		defer match.Close()
		var matched []uint64
		keep := &matched
		firstRk := rk
		if ranked {
			firstRk = nil
		} else {
			keep = nil
		}
		if l, ok := match.(*listSearcher); ok {
			if ranked && len(fp.cols) == 0 {
				matched, keep = l.docs, nil // all of them
			}
			total, err = collectList(ctx, l.docs, loc, fp.cols, cnt, firstRk, keep)
		} else {
			total, err = collect(ctx, match, snap, loc, fp.cols, cnt, firstRk, keep)
		}
		if err != nil {
			return search.Response{}, true, err
		}
		if ranked && rk != nil && len(matched) > 0 {
			if err := top.score(ctx, snap, loc, matched, rk); err != nil {
				return search.Response{}, true, err
			}
		}
	}
	resp = search.Response{Total: total, Disjunctive: r.Disjunctive}
	if rk != nil {
		hits := rk.results()
		if rk != cur {
			g := &ranking{hits: hits, total: total, complete: uint64(len(hits)) >= total}
			x.cache.putRanking(snap, rkey, g)
			var ok bool
			if hits, ok = g.page(cur, r.Limit); !ok {
				// The cursor is past the start kept: rank after it.
				return x.fastSearchCached(ctx, r, false)
			}
		}
		page, err := x.pageOf(snap, cur, hits, total, r)
		if err != nil {
			return search.Response{}, true, err
		}
		resp.Docs, resp.After = page.Docs, page.After
	}
	if cnt != nil {
		cnt.fill(&resp, fp.facets)
	}
	for _, f := range fp.cols {
		if f.cnt != nil {
			f.cnt.fill(&resp, r.Facets)
		}
	}
	for i, rc := range fp.recount {
		other, ok, err := x.fastSearch(ctx, rc)
		if !ok && err == nil {
			err = fmt.Errorf("the index changed under a search")
		}
		if err != nil {
			return search.Response{}, true, err
		}
		mergeFacets(&resp, other, fp.merge[i])
	}
	x.cache.putAnswer(snap, key, resp)
	return resp, true, nil
}

// pageOf loads the documents of hits, with the cursor after the last.
func (x *Index) pageOf(snap *scorch.IndexSnapshot, cur *ranker, hits []rankHit, total uint64, r search.Request) (search.Response, error) {
	resp := search.Response{Total: total, Disjunctive: r.Disjunctive, Docs: make([]search.Doc, 0, len(hits))}
	for _, h := range hits {
		d, err := x.loadDoc(snap, h.doc)
		if err != nil {
			return search.Response{}, err
		}
		resp.Docs = append(resp.Docs, d)
	}
	if len(hits) == r.Limit && len(hits) > 0 {
		resp.After = encodeAfter(cur.cursor(hits[len(hits)-1]))
	}
	return resp, nil
}

// loadDoc reads the stored document of global document number doc.
func (x *Index) loadDoc(snap *scorch.IndexSnapshot, doc uint64) (search.Doc, error) {
	id, err := snap.ExternalID(index.NewIndexInternalID(nil, doc))
	if err != nil {
		return search.Doc{}, err
	}
	stored, err := snap.Document(id)
	if err != nil {
		return search.Doc{}, err
	}
	var raw string
	if stored != nil {
		stored.VisitFields(func(f index.Field) {
			if f.Name() == "_src" {
				raw = string(f.Value())
			}
		})
	}
	return docOf(&bsearch.DocumentMatch{ID: id, Fields: map[string]any{"_src": raw}})
}

// counter counts facet values by ordinal.
type counter struct {
	cols                     *columns
	cats, brands, attrs      []int32
	buckets                  [16]int32
	ratings                  [51]int32
	doCats, doBrands, doAttr bool
	doBuckets, doRatings     bool
	attrNames                []string // the attributes counted
}

func newCounter(c *columns, f search.FacetRequest) *counter {
	cnt := &counter{cols: c, doCats: f.Categories, doBrands: f.Brands > 0, doAttr: len(f.Attributes) > 0,
		doBuckets: len(f.Prices) > 0, doRatings: len(f.Ratings) > 0, attrNames: f.Attributes}
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

// mergeFacets copies the facets f asked for from other into out.
func mergeFacets(out *search.Response, other search.Response, f search.FacetRequest) {
	if f.Brands > 0 {
		out.Brands = other.Brands
	}
	if len(f.Prices) > 0 {
		out.Prices = other.Prices
	}
	if len(f.Ratings) > 0 {
		out.Ratings = other.Ratings
	}
	for _, name := range f.Attributes {
		if vals := other.Attributes[name]; len(vals) > 0 {
			if out.Attributes == nil {
				out.Attributes = make(map[string][]search.TermCount)
			}
			out.Attributes[name] = vals
		}
	}
}

// fill writes the counts into out; attribute counts are added to those
// already there (filters count their own attribute).
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
			n := 0
			for r := max(lo, 0); r <= 50; r++ {
				n += int(c.ratings[r])
			}
			if n > 0 {
				out.Ratings[floor] = n
			}
		}
	}
	if c.doAttr {
		strs := c.cols.attrs.snapshot()
		if out.Attributes == nil {
			out.Attributes = make(map[string][]search.TermCount)
		}
		for _, name := range c.attrNames {
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
	keyRatingRank
	keyTie
)

func hex16(v uint64) string { return string(appendHex16(nil, v)) }

func appendHex16(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, digits[(v>>uint(shift))&15])
	}
	return b
}

func priceBuckets() []string {
	out := make([]string, len(search.PriceBuckets))
	for i, b := range search.PriceBuckets {
		out[i] = b.Name
	}
	return out
}
