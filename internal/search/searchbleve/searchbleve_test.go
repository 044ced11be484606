package searchbleve

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
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
		gp := g.Product(i, []string{"sel_a", "sel_b"}, nil)
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
	var del []string
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

// TestColumnsMatchBleve checks that searching with the columns gives what
// Bleve's own facets and sorts give.
func TestColumnsMatchBleve(t *testing.T) {
	x, tree := testIndex(t)
	syn := search.MustParseSynonyms(search.DefaultSynonyms)
	var shoes string
	for _, c := range tree.List() {
		if c.Name == "Shoes" {
			shoes = c.ID
		}
	}
	facets := search.FacetRequest{Categories: true, Brands: 10, Prices: search.PriceBuckets, Ratings: search.RatingFloors,
		Attributes: []string{"color", "material"}, AttrSize: 5}
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
		{CategoryIDs: []string{shoes}, Sort: search.SortPopular},
		{Plan: search.Analyze("stride red", syn), Sort: search.SortRelevance, Relax: true},
		{Sort: search.SortNewest, RatingMin: &four, PriceMin: &lo, PriceMax: &hi, Attrs: map[string][]string{"color": {"black", "red"}}},
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
				paged = append(paged, d.ID)
			}
			if resp.After == "" {
				break
			}
			r.After = resp.After
		}
		var want []string
		for _, d := range all.Docs {
			want = append(want, d.ID)
		}
		if diff := cmp.Diff(want, paged); diff != "" || len(want) < 100 {
			t.Errorf("sort %s: %d paged, %d in one page; diff:\n%s", s, len(paged), len(want), diff)
		}
	}
	_ = fmt.Sprint
}
