package searchbleve

import (
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/search"
)

// testIndex indexes a generated catalog in several batches (several
// segments), with some updates and deletes.
func testIndex(t *testing.T) (*Index, *catalog.Tree) {
	t.Helper()
	g := cataloggen.New(cataloggen.Config{Products: 3000, Seed: 3})
	tree := catalog.NewTree(g.Categories())
	si, err := Open(filepath.Join(t.TempDir(), "idx"), false)
	if err != nil {
		t.Fatal(err)
	}
	x := si.(*Index)
	t.Cleanup(func() { x.Close() })
	doc := func(i int) search.Doc {
		gp := g.Product(i, []id.Seller{"sel_a", "sel_b"}, nil)
		p := gp.Product
		d := search.Doc{ID: p.ID, Slug: p.Slug, Title: p.Title, Description: p.Description, Brand: p.Brand, SellerID: p.SellerID,
			CategoryID: p.CategoryID, CategoryIDs: tree.Ancestors(p.CategoryID), PriceMin: p.PriceMin.Amount, PriceMax: p.PriceMax.Amount,
			Currency: "USD", Rating: gp.Signal.Rating, RatingCount: gp.Signal.RatingCount, Sales: gp.Signal.Sales, CreatedAt: p.CreatedAt,
			Available: int64(i % 3), Attributes: map[string][]string{}}
		for k, v := range p.Attributes {
			d.Attributes[k] = []string{v}
		}
		for _, v := range p.Variants {
			d.Prices = append(d.Prices, v.Price.Amount)
		}
		return d
	}
	ctx := context.Background()
	for from := 0; from < 3000; from += 500 {
		var docs []search.Doc
		for i := from; i < from+500; i++ {
			docs = append(docs, doc(i))
		}
		if err := x.Put(ctx, docs); err != nil {
			t.Fatal(err)
		}
	}
	// Updates and deletes leave deleted documents in old segments.
	var upd []search.Doc
	var del []id.Product
	for i := 0; i < 3000; i += 97 {
		d := doc(i)
		d.Sales += 1000
		upd = append(upd, d)
		del = append(del, doc(i+1).ID)
	}
	if err := x.Put(ctx, upd); err != nil {
		t.Fatal(err)
	}
	if err := x.Delete(ctx, del); err != nil {
		t.Fatal(err)
	}
	return x, tree
}

// allFacets asks for every facet.
var allFacets = search.FacetRequest{Categories: true, Brands: 10, Prices: search.PriceBuckets, Ratings: search.RatingFloors,
	Attributes: []string{"color", "material"}, AttrSize: 5}

// categoryNamed returns the ID of the category called name.
func categoryNamed(t *testing.T, tree *catalog.Tree, name string) id.Category {
	t.Helper()
	for _, c := range tree.List() {
		if c.Name == name {
			return c.ID
		}
	}
	t.Fatalf("no category %q", name)
	return ""
}

// TestColumnsMatchBleve checks that searching with the columns gives what
// Bleve's own facets and sorts give.
func TestColumnsMatchBleve(t *testing.T) {
	x, tree := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	shoes := categoryNamed(t, tree, "Shoes")
	facets := allFacets
	four := 4.0
	lo, hi := int64(2000), int64(9000)
	reqs := []search.Request{
		{Sort: search.SortPopular},
		{Sort: search.SortPriceAsc},
		{Sort: search.SortPriceDesc},
		{Sort: search.SortNewest},
		{Sort: search.SortRating},
		{Plan: search.Analyze("running shoes", syn), Sort: search.SortRelevance},
		{Plan: search.Analyze("blakc", syn), Sort: search.SortRelevance},
		{Plan: search.Analyze("cotton", syn), Sort: search.SortPriceAsc, InStock: true},
		{CategoryIDs: []id.Category{shoes}, Sort: search.SortPopular},
		{CategoryIDs: []id.Category{shoes}, Sort: search.SortNewest, InStock: true, SellerID: "sel_a", Attrs: map[string][]string{"color": {"black"}}},
		{Plan: search.Analyze("stride red", syn), Sort: search.SortRelevance, Relax: true},
		{Sort: search.SortNewest, RatingMin: &four, PriceMin: &lo, PriceMax: &hi, Attrs: map[string][]string{"color": {"black", "red"}}},
		// Text with term filters (documents from posting bitmaps) and
		// with range filters (Bleve), ranked and sorted.
		{Plan: search.Analyze("shoes", syn), Sort: search.SortRelevance, CategoryIDs: []id.Category{shoes}, InStock: true},
		{Plan: search.Analyze("shoes", syn), Sort: search.SortPriceAsc, CategoryIDs: []id.Category{shoes}, InStock: true},
		{Plan: search.Analyze("shose", syn), Sort: search.SortRelevance, SellerID: "sel_b", Attrs: map[string][]string{"color": {"black", "red"}}},
		{Plan: search.Analyze("black sne", syn), Sort: search.SortRelevance, InStock: true, BrandKeys: []string{"stride", "aero"}},
		{Plan: search.Analyze("cotton", syn), Sort: search.SortNewest, InStock: true, PriceMin: &lo, PriceMax: &hi},
		{Plan: search.Analyze("running shoes", syn), Sort: search.SortPriceDesc, RatingMin: &four, CategoryIDs: []id.Category{shoes}},
	}
	for i, r := range reqs {
		r.Facets, r.Limit = facets, 25
		fast, ok, err := x.fastSearch(context.Background(), r)
		if !ok || err != nil {
			t.Fatalf("request %d: fastSearch = %v, %v", i, ok, err)
		}
		slow, err := x.bleveSearch(context.Background(), r)
		if err != nil {
			t.Fatalf("request %d: bleveSearch: %v", i, err)
		}
		if fast.Total == 0 {
			t.Errorf("request %d found nothing", i)
		}
		fast.After, slow.After = "", ""
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Errorf("request %d (%+v): columns differ from Bleve (-bleve +columns):\n%s", i, r, diff)
		}
	}
}

// TestPaging checks that following cursors visits every match once, in
// order, for every sort (relevance cursors carry the score).
func TestPaging(t *testing.T) {
	x, _ := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	for _, s := range search.Sorts {
		r := search.Request{Plan: search.Analyze("shoes", syn), Sort: s, Limit: 1000}
		all, _, err := x.fastSearch(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		var paged []string
		r.Limit = 37
		for page := 0; page < 100; page++ {
			resp, err := x.Search(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range resp.Docs {
				paged = append(paged, string(d.ID))
			}
			if resp.After == "" {
				break
			}
			r.After = resp.After
		}
		var want []string
		for _, d := range all.Docs {
			want = append(want, string(d.ID))
		}
		if diff := cmp.Diff(want, paged); diff != "" || len(want) < 100 {
			t.Errorf("sort %s: %d paged, %d in one page; diff:\n%s", s, len(paged), len(want), diff)
		}
	}
	_ = fmt.Sprint
}

// TestDisjunctiveInOnePass checks the facets counted in one pass (filters
// from the columns) against one Bleve search per filtered facet, and the
// results against Bleve's with the filters in the query.
func TestDisjunctiveInOnePass(t *testing.T) {
	x, tree := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	shoes := categoryNamed(t, tree, "Shoes")
	brands, err := x.Terms("brand")
	if err != nil || len(brands) < 3 {
		t.Fatalf("brands: %v, %v", brands, err)
	}
	b1, b2 := catalog.BrandKey(brands[0].Term), catalog.BrandKey(brands[2].Term)
	facets := allFacets
	three, lo, hi := 3.0, int64(1500), int64(20000)
	reqs := []search.Request{
		// Text ranked by relevance: every filter from the columns.
		{Plan: search.Analyze("shoes", syn), BrandKeys: []string{b1, b2}, PriceMin: &lo, PriceMax: &hi},
		{Plan: search.Analyze("cotton", syn), RatingMin: &three, Attrs: map[string][]string{"color": {"black", "red"}}, InStock: true},
		// Sorted, in a category: counted filters from the columns.
		{CategoryIDs: []id.Category{shoes}, Sort: search.SortPriceAsc, BrandKeys: []string{b1}, PriceMax: &hi,
			Attrs: map[string][]string{"color": {"black", "white"}}},
		// Browse: no text, category or seller to drive, so recounts.
		{Sort: search.SortPopular, BrandKeys: []string{b1}, RatingMin: &three},
		{Sort: search.SortNewest, PriceMin: &lo, Attrs: map[string][]string{"color": {"blue"}}},
	}
	ctx := context.Background()
	for i, r := range reqs {
		if r.Sort == "" {
			r.Sort = search.SortRelevance
		}
		r.Facets, r.Limit, r.Disjunctive = facets, 25, true
		fast, ok, err := x.fastSearch(ctx, r)
		if !ok || err != nil {
			t.Fatalf("request %d: fastSearch = %v, %v", i, ok, err)
		}
		if !fast.Disjunctive {
			t.Errorf("request %d: not counted disjunctively", i)
		}
		want, err := x.bleveSearch(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if want.Total == 0 {
			t.Errorf("request %d found nothing", i)
		}
		// One Bleve count per filtered facet, without its filter.
		recount := func(edit func(q *search.Request), f search.FacetRequest) search.Response {
			q := r
			q.Attrs = maps.Clone(r.Attrs)
			edit(&q)
			q.Limit, q.Facets = 0, f
			resp, err := x.bleveSearch(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		if len(r.BrandKeys) > 0 {
			want.Brands = recount(func(q *search.Request) { q.BrandKeys = nil }, search.FacetRequest{Brands: 10}).Brands
		}
		if r.PriceMin != nil || r.PriceMax != nil {
			want.Prices = recount(func(q *search.Request) { q.PriceMin, q.PriceMax = nil, nil }, search.FacetRequest{Prices: search.PriceBuckets}).Prices
		}
		if r.RatingMin != nil {
			want.Ratings = recount(func(q *search.Request) { q.RatingMin = nil }, search.FacetRequest{Ratings: search.RatingFloors}).Ratings
		}
		for name := range r.Attrs {
			got := recount(func(q *search.Request) { delete(q.Attrs, name) }, search.FacetRequest{Attributes: []string{name}, AttrSize: 5}).Attributes[name]
			if want.Attributes == nil {
				want.Attributes = map[string][]search.TermCount{}
			}
			want.Attributes[name] = got
		}
		fast.After, want.After, want.Disjunctive = "", "", true
		if r.Sort == search.SortRelevance {
			// Bleve's filter clauses add to the score (a price term's
			// rarity): the columns rank what passes the filters as the
			// text alone ranks it.
			checkRanked(t, x, r, want.Total, fast.Docs)
			want.Docs, fast.Docs = nil, nil
		}
		if diff := cmp.Diff(want, fast); diff != "" {
			t.Errorf("request %d: one pass differs from Bleve with recounts (-bleve +one pass):\n%s", i, diff)
		}
	}
}

// checkRanked checks that docs are the first of the products matching r,
// in the order of r's text without its filters.
func checkRanked(t *testing.T, x *Index, r search.Request, total uint64, docs []search.Doc) {
	t.Helper()
	ctx := context.Background()
	all := r
	all.Limit, all.Facets, all.Disjunctive = int(total), search.FacetRequest{}, false
	matching, err := x.bleveSearch(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	text := search.Request{Plan: r.Plan, CategoryIDs: r.CategoryIDs, InStock: r.InStock, Sort: r.Sort, Limit: 10000}
	ranked, err := x.bleveSearch(ctx, text)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, d := range matching.Docs {
		in[string(d.ID)] = true
	}
	var want []string
	for _, d := range ranked.Docs {
		if in[string(d.ID)] && len(want) < r.Limit {
			want = append(want, string(d.ID))
		}
	}
	var got []string
	for _, d := range docs {
		got = append(got, string(d.ID))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ranked results differ (-text order, filtered +columns):\n%s", diff)
	}
}

// TestStaleFormat checks that an index of another format answers through
// Bleve alone and says it is stale, and that a new index is not.
func TestStaleFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	si, err := Open(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	x := si.(*Index)
	if x.Stale() {
		t.Fatal("a new index is stale")
	}
	g := cataloggen.New(cataloggen.Config{Products: 50, Seed: 1})
	var docs []search.Doc
	for i := range 50 {
		p := g.Product(i, []id.Seller{"sel_a"}, nil).Product
		docs = append(docs, search.Doc{ID: p.ID, Slug: p.Slug, Title: p.Title, CategoryID: p.CategoryID, Brand: p.Brand,
			PriceMin: p.PriceMin.Amount, PriceMax: p.PriceMax.Amount, Prices: []int64{p.PriceMin.Amount}, Currency: "USD", CreatedAt: p.CreatedAt})
	}
	if err := x.Put(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	if err := x.bi.SetInternal(formatKey, []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	si, err = Open(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	x = si.(*Index)
	defer x.Close()
	if !x.Stale() {
		t.Fatal("an index of format 1 is not stale")
	}
	lo := docs[0].PriceMin
	resp, err := x.Search(context.Background(), search.Request{Sort: search.SortPriceAsc, PriceMin: &lo, Limit: 100,
		Facets: search.FacetRequest{Brands: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Total == 0 || len(resp.Brands) == 0 {
		t.Errorf("stale index answered %d products, %d brands", resp.Total, len(resp.Brands))
	}
	if _, ok, _ := x.fastSearch(context.Background(), search.Request{Limit: 1}); ok {
		t.Error("a stale index used the columns")
	}
}

// TestCacheExact checks that cached answers and rankings give what a
// search computes: paging through every result (past the ranking window)
// with and without the cache, and after a write.
func TestCacheExact(t *testing.T) {
	x, _ := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	ctx := context.Background()
	facets := search.FacetRequest{Categories: true, Brands: 10, Prices: search.PriceBuckets}
	pages := func(r search.Request) ([]search.Response, []string) {
		var out []search.Response
		var ids []string
		for range 200 {
			resp, err := x.Search(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, resp)
			for _, d := range resp.Docs {
				ids = append(ids, string(d.ID))
			}
			if resp.After == "" {
				break
			}
			r.After, r.Facets = resp.After, search.FacetRequest{}
		}
		return out, ids
	}
	lo := int64(2000)
	for i, r := range []search.Request{
		{Sort: search.SortRelevance, Limit: 100, Facets: facets},
		{Plan: search.Analyze("shoes", syn), Sort: search.SortRelevance, Limit: 7, Facets: facets},
		{Plan: search.Analyze("running shoes", syn), Sort: search.SortRelevance, Limit: 50, PriceMin: &lo},
		{Sort: search.SortPriceAsc, Limit: 60, InStock: true},
	} {
		x.SetCache(CacheOff)
		want, wantIDs := pages(r)
		x.SetCache(CacheRankings)
		ranked, _ := pages(r)
		if diff := cmp.Diff(want, ranked); diff != "" {
			t.Errorf("request %d: pages from cached rankings differ:\n%s", i, diff)
		}
		x.SetCache(CacheAll)
		first, firstIDs := pages(r) // fills the cache
		again, againIDs := pages(r) // served from it
		if diff := cmp.Diff(want, first); diff != "" {
			t.Errorf("request %d: filling the cache changed the answers:\n%s", i, diff)
		}
		if diff := cmp.Diff(want, again); diff != "" {
			t.Errorf("request %d: cached answers differ:\n%s", i, diff)
		}
		if len(wantIDs) == 0 || len(firstIDs) != len(wantIDs) || len(againIDs) != len(wantIDs) {
			t.Errorf("request %d: %d, %d, %d results", i, len(wantIDs), len(firstIDs), len(againIDs))
		}
	}
	if n, _ := x.Count(); n < 1000+100 {
		t.Fatalf("%d documents: the browse does not page past the ranking window", n)
	}
	// A write empties the cache: the new product is found at once.
	r := search.Request{Plan: search.Analyze("zyzzyva", syn), Sort: search.SortRelevance, Limit: 10}
	if resp, err := x.Search(ctx, r); err != nil || resp.Total != 0 {
		t.Fatalf("zyzzyva before: %v, %v", resp.Total, err)
	}
	if err := x.Put(ctx, []search.Doc{{ID: "prd_zyzzyva", Title: "Zyzzyva Lamp", CategoryID: "c", Currency: "USD"}}); err != nil {
		t.Fatal(err)
	}
	if resp, err := x.Search(ctx, r); err != nil || resp.Total != 1 {
		t.Errorf("zyzzyva after a write: %v, %v; want 1 (stale cache?)", resp.Total, err)
	}
}

// TestOneWordScoresMatchBleve checks that one-word queries scored from the
// posting lists (oneword.go) rank and score as Bleve's searchers do, over
// several segments with updated and deleted documents.
func TestOneWordScoresMatchBleve(t *testing.T) {
	x, _ := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	ctx := context.Background()
	words := snapWords(t, x)
	used := 0
	for _, w := range []string{"shoes", "black", "cotton", "dress", "jeans", "running", "leather", "kids", "Aero", "zyzzyva",
		"trousers", "pants", "sneakers", "tee", "hoodie", "jumper"} {
		r := search.Request{Plan: search.Analyze(w, syn), Sort: search.SortRelevance, Limit: 100,
			Facets: search.FacetRequest{Categories: true, Brands: 5}}
		if _, ok := x.oneWordTerms(r, vocab{stop: x.isStop, known: words}); ok {
			used++
		}
		fast, _, err := x.fastSearchCached(ctx, r, false)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := x.bleveSearch(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if fast.Total != slow.Total || len(fast.Docs) != len(slow.Docs) {
			t.Errorf("%q: %d/%d results, Bleve %d/%d", w, fast.Total, len(fast.Docs), slow.Total, len(slow.Docs))
			continue
		}
		for i := range fast.Docs {
			if fast.Docs[i].ID != slow.Docs[i].ID {
				t.Errorf("%q: result %d is %s, Bleve's %s", w, i, fast.Docs[i].ID, slow.Docs[i].ID)
				break
			}
		}
		if fast.After != "" {
			fa, _ := decodeAfter(fast.After, 2)
			sa, _ := decodeAfter(slow.After, 3)
			if fa[0] != sa[0] {
				t.Errorf("%q: last score %s, Bleve's %s", w, fa[0], sa[0])
			}
		}
		if diff := cmp.Diff(slow.Brands, fast.Brands); diff != "" {
			t.Errorf("%q: brand facet differs:\n%s", w, diff)
		}
	}
	trousers := search.Request{Plan: search.Analyze("trousers", syn), Sort: search.SortRelevance}
	if terms, ok := x.oneWordTerms(trousers, vocab{stop: x.isStop, known: words}); !ok || len(terms) != 2 {
		t.Errorf("trousers (a synonym of pants): one-word terms %v, %v; want two", terms, ok)
	}
	if used < 8 {
		t.Errorf("the one-word path served %d of the words, want most", used)
	}
}

// snapWords is the index's "known word" test, as fastSearch builds it,
// on a snapshot held until the test ends (background merges would
// otherwise close the segments its dictionary reads).
func snapWords(t *testing.T, x *Index) func(string) bool {
	t.Helper()
	adv, err := x.bi.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	fd, err := r.(index.IndexReaderContains).FieldDictContains("words")
	if err != nil {
		t.Fatal(err)
	}
	return func(w string) bool { ok, err := fd.Contains([]byte(w)); return err == nil && ok }
}

// TestTreeMatchesBleve checks the query tree (tree.go) against Bleve's
// own searchers for the same text: the documents matched, each of their
// scores (to 1e-12: Bleve sums more than ten typo candidates or
// completions in its heap's order) and, through the engine, the results'
// order, facets and totals. Queries cover plain words, stop words,
// synonyms, typos (one and two edits, transpositions), prefixes of the
// last word, several words, and relaxed matching.
func TestTreeMatchesBleve(t *testing.T) {
	x, _ := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	ctx := context.Background()
	v := vocab{stop: x.isStop, known: snapWords(t, x)}
	adv, _ := x.bi.Advanced()
	rd, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	snap := rd.(*scorch.IndexSnapshot)
	cols, offsets, err := x.cols.forSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"shoes", "black", "t", "trousers", "running", "kids", "jumper", "zyzzyva",
		"t-shirt", "black t-shirt", "shose", "sheos", "blakc", "cottn", "leathr jaket", "runing shoes",
		"sn", "jea", "black sne", "tee", "sneakers", "cotton dress black", "aero black shoes zyzzyva",
		"the black", "kids running shoes", "hoodie grey cotton"}
	for _, text := range texts {
		for _, lenient := range []bool{false, true} {
			plan := search.Analyze(text, syn)
			if lenient {
				plan = search.AnalyzeLenient(text, syn)
			}
			for _, relaxed := range []bool{false, true} {
				if relaxed && len(plan.Clauses) < 2 {
					continue
				}
				name := fmt.Sprintf("%q lenient=%v relaxed=%v", text, lenient, relaxed)
				r := search.Request{Plan: plan, Relax: relaxed, Sort: search.SortRelevance}
				top, clauses, err := x.queryTree(snap, plan, relaxed, v)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				docs, err := x.wordsDocs(snap, plan.Clauses, clauses, relaxed, false)
				if err != nil {
					t.Fatal(err)
				}
				// Bleve: every match with its score.
				req := bleve.NewSearchRequestOptions(all(textQueries(r, v)), 10000, 0, false)
				res, err := x.bi.SearchInContext(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				if uint64(len(res.Hits)) != docs.GetCardinality() {
					t.Errorf("%s: the tree matches %d documents, Bleve %d", name, docs.GetCardinality(), len(res.Hits))
					continue
				}
				rk := newRanker(orderOf(search.SortRelevance), len(res.Hits)+1)
				loc := &locator{cols: cols, offsets: offsets}
				if err := top.score(ctx, snap, loc, bitmapDocs(docs), rk); err != nil {
					t.Fatal(err)
				}
				got := map[string]float64{}
				for _, h := range rk.results() {
					id, err := snap.ExternalID(index.NewIndexInternalID(nil, h.doc))
					if err != nil {
						t.Fatal(err)
					}
					got[id] = h.score
				}
				bad := 0
				for _, h := range res.Hits {
					s, ok := got[h.ID]
					if !ok || math.Abs(s-h.Score) > 1e-12*h.Score {
						if bad++; bad <= 3 {
							t.Errorf("%s: %s scores %v (found %v), Bleve %v", name, h.ID, s, ok, h.Score)
						}
					}
				}
				// Through the engine: page, total and facets as Bleve's.
				r.Limit, r.Facets = 20, search.FacetRequest{Categories: true, Brands: 5}
				fast, ok, err := x.fastSearchCached(ctx, r, false)
				if err != nil || !ok {
					t.Fatalf("%s: %v %v", name, ok, err)
				}
				slow, err := x.bleveSearch(ctx, r)
				if err != nil {
					t.Fatal(err)
				}
				if fast.Total != slow.Total || len(fast.Docs) != len(slow.Docs) {
					t.Errorf("%s: %d/%d results, Bleve %d/%d", name, fast.Total, len(fast.Docs), slow.Total, len(slow.Docs))
					continue
				}
				for i := range fast.Docs {
					if fast.Docs[i].ID != slow.Docs[i].ID && math.Abs(got[string(fast.Docs[i].ID)]-got[string(slow.Docs[i].ID)]) > 1e-12*got[string(slow.Docs[i].ID)] {
						t.Errorf("%s: result %d is %s, Bleve's %s", name, i, fast.Docs[i].ID, slow.Docs[i].ID)
						break
					}
				}
				if diff := cmp.Diff(slow.Brands, fast.Brands); diff != "" {
					t.Errorf("%s: brand facet differs:\n%s", name, diff)
				}
			}
		}
	}
}

// TestRatingRank: top rated weighs the number of reviews, and products
// without reviews come last.
func TestRatingRank(t *testing.T) {
	order := []struct {
		rating float64
		n      int64
	}{{4.8, 40}, {4.7, 7}, {5, 3}, {5, 1}, {4, 2}, {2.5, 10}, {1, 1}, {0, 0}, {4.5, 0}}
	for i := 1; i < len(order); i++ {
		a, b := order[i-1], order[i]
		if ra, rb := ratingRank(a.rating, a.n), ratingRank(b.rating, b.n); ra < rb || ra == rb && a.n > 0 {
			t.Errorf("ratingRank(%v, %d) = %d, not above ratingRank(%v, %d) = %d", a.rating, a.n, ra, b.rating, b.n, rb)
		}
	}
}
