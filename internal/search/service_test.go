package search_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchtest"
)

type fixture struct {
	svc   *search.Service
	cat   *searchtest.Catalog
	stock *searchtest.Stock
	ids   map[string]string // category name -> ID
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := searchtest.NewCatalog()
	ids := map[string]string{}
	add := func(name, parent string) { ids[name] = string(c.AddCategory(name, id.Category(ids[parent]))) }
	add("Clothing", "")
	add("Men", "Clothing")
	add("T-shirts", "Men")
	add("Shoes", "Clothing")
	add("Running shoes", "Shoes")
	add("Electronics", "")
	add("Laptops", "Electronics")
	add("Headphones", "Electronics")
	c.Put(searchtest.Product{ID: "prd_1", Title: "Classic Cotton T-Shirt", Brand: "Northwind", Category: ids["T-shirts"],
		Description: "A soft crew neck shirt for every day.", Attrs: map[string]string{"Color": "Red", "Material": "Cotton"}, Prices: []int64{1999}})
	c.Put(searchtest.Product{ID: "prd_2", Title: "Trail Running Shoes", Brand: "Stride", Category: ids["Running shoes"],
		Description: "Grippy soles for muddy trails.", Attrs: map[string]string{"Color": "Blue"}, Prices: []int64{8999, 9499}})
	c.Put(searchtest.Product{ID: "prd_3", Title: "Ultralight Laptop 14", Brand: "Volt", Category: ids["Laptops"],
		Description: "A thin and light notebook with a 14 inch screen.", Prices: []int64{129900}})
	c.Put(searchtest.Product{ID: "prd_4", Title: "Wireless Headphones", Brand: "Volt", Category: ids["Headphones"],
		Description: "Noise cancelling over-ear headphones.", Attrs: map[string]string{"Color": "Black"}, Prices: []int64{7999}, Seller: "sel_2"})
	c.Put(searchtest.Product{ID: "prd_5", Title: "Graphic Tee", Brand: "Northwind", Category: ids["T-shirts"],
		Description: "Printed cotton tee.", Attrs: map[string]string{"Color": "Blue", "Material": "Cotton"}, Prices: []int64{1499}})
	c.Put(searchtest.Product{ID: "prd_6", Title: "Secret Draft Laptop", Brand: "Volt", Category: ids["Laptops"], Status: catalog.Draft})
	stock := &searchtest.Stock{}
	stock.Set("prd_1-1", 5)
	stock.Set("prd_3-1", 2)
	stock.Set("prd_4-1", 0)
	signals := searchtest.Signals{
		"prd_1": {ProductID: "prd_1", Rating: 4.5, RatingCount: 10, Sales: 100},
		"prd_2": {ProductID: "prd_2", Rating: 3.2, RatingCount: 4, Sales: 50},
		"prd_3": {ProductID: "prd_3", Rating: 4.9, RatingCount: 30, Sales: 300},
		"prd_4": {ProductID: "prd_4", Rating: 2.5, RatingCount: 2, Sales: 10},
	}
	svc, err := search.New(c, stock, nil, signals, search.Options{Dir: filepath.Join(t.TempDir(), "search"), Open: searchbleve.Open})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	if _, err := svc.Reindex(context.Background(), nil); err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	return &fixture{svc: svc, cat: c, stock: stock, ids: ids}
}

func ids(r search.Result) []id.Product {
	out := []id.Product{}
	for _, h := range r.Items {
		out = append(out, h.ID)
	}
	return out
}

func sorted[T ~string](s []T) []T {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestSearchText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		q    string
		want []id.Product // in any order
	}{
		{"laptop", []id.Product{"prd_3"}},
		{"Laptops", []id.Product{"prd_3"}},                   // stemming
		{"lpatop", []id.Product{"prd_3"}},                    // transposition: one edit
		{"labtop", []id.Product{"prd_3"}},                    // substitution in a 6-letter word
		{"hedphones", []id.Product{"prd_4"}},                 // deletion
		{"headpones wireles", []id.Product{"prd_4"}},         // a typo in each word
		{"lap", []id.Product{"prd_3"}},                       // prefix of the last word
		{"ultralight lapt", []id.Product{"prd_3"}},           // prefix after a whole word
		{"tee", []id.Product{"prd_1", "prd_5"}},              // synonym: t-shirt
		{"t-shirt", []id.Product{"prd_1", "prd_5"}},          // synonym both ways, category word
		{"sneakers", []id.Product{"prd_2"}},                  // synonym: running shoes
		{"notebook computer", []id.Product{"prd_3"}},         // multi-word synonym
		{"red cotton shirt", []id.Product{"prd_1", "prd_5"}}, // attributes + title; prd_5 matches two words of three
		{"volt", []id.Product{"prd_3", "prd_4"}},             // brand
		{"electronics", []id.Product{"prd_3", "prd_4"}},      // category path
		{"men's shirts", []id.Product{"prd_1", "prd_5"}},     // possessive, plural
		{"muddy", []id.Product{"prd_2"}},                     // description
		{"cat", []id.Product{}},                              // short words need the exact word
		{"xylophone", []id.Product{}},                        // nothing
		{"secret draft", []id.Product{}},                     // drafts are not indexed
	}
	for _, tt := range tests {
		r, err := f.svc.Search(ctx, search.Query{Text: tt.q})
		if err != nil {
			t.Fatalf("Search(%q): %v", tt.q, err)
		}
		if diff := cmp.Diff(sorted(tt.want), sorted(ids(r))); diff != "" {
			t.Errorf("Search(%q) ids (-want +got):\n%s", tt.q, diff)
		}
		if r.Total != uint64(len(r.Items)) {
			t.Errorf("Search(%q) total = %d, want %d", tt.q, r.Total, len(r.Items))
		}
	}
}

func TestSearchRanking(t *testing.T) {
	f := newFixture(t)
	// "tee" is in the title of prd_5 and, through its synonym, in the
	// category of both: the title match ranks first.
	r, err := f.svc.Search(context.Background(), search.Query{Text: "graphic tee"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) == 0 || r.Items[0].ID != "prd_5" {
		t.Errorf("Search(graphic tee) = %v, want prd_5 first", ids(r))
	}
	// No product has both words: results match all but one.
	r, err = f.svc.Search(context.Background(), search.Query{Text: "laptop xylophone"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Relaxed || !slices.Equal(ids(r), []id.Product{"prd_3"}) {
		t.Errorf("Search(laptop xylophone) = %v relaxed %v, want [prd_3] relaxed", ids(r), r.Relaxed)
	}
}

func TestSearchHitAndHighlight(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.Search(context.Background(), search.Query{Text: "ultralihgt laptop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 1 {
		t.Fatalf("Search = %v, want one hit", ids(r))
	}
	h := r.Items[0]
	want := search.Hit{
		ID: "prd_3", Title: "Ultralight Laptop 14", Slug: "ultralight-laptop-14-prd_3", Brand: "Volt", SellerID: "sel_1",
		CategoryID: id.Category(f.ids["Laptops"]), Rating: 4.9, RatingCount: 30, Availability: search.InStock, Available: 2,
		Price: search.PriceRange{Min: moneyUSD(129900), Max: moneyUSD(129900)},
		Highlights: &search.Highlights{Title: "<mark>Ultralight</mark> <mark>Laptop</mark> 14",
			Description: "A thin and light <mark>notebook</mark> with a 14 inch screen."}, // a synonym of laptop
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("hit (-want +got):\n%s", diff)
	}
	r, _ = f.svc.Search(context.Background(), search.Query{Text: "muddy"})
	if len(r.Items) != 1 || r.Items[0].Highlights == nil || !strings.Contains(r.Items[0].Highlights.Description, "<mark>muddy</mark>") {
		t.Errorf("Search(muddy) highlights = %+v, want the description marked", r.Items)
	}
}

func TestSearchFilters(t *testing.T) {
	f := newFixture(t)
	p := func(n int64) *int64 { return &n }
	r45 := 4.0
	tests := []struct {
		name string
		q    search.Query
		want []id.Product
	}{
		{"category subtree", search.Query{Category: f.ids["Clothing"]}, []id.Product{"prd_1", "prd_2", "prd_5"}},
		{"category by slug", search.Query{Category: "laptops7"}, []id.Product{"prd_3"}},
		{"brand any case", search.Query{Brands: []string{"VOLT"}}, []id.Product{"prd_3", "prd_4"}},
		{"two brands", search.Query{Brands: []string{"volt", "stride"}}, []id.Product{"prd_2", "prd_3", "prd_4"}},
		{"seller", search.Query{Seller: "sel_2"}, []id.Product{"prd_4"}},
		{"price range, any variant", search.Query{PriceMin: p(9000), PriceMax: p(10000)}, []id.Product{"prd_2"}},
		{"price max", search.Query{PriceMax: p(1999)}, []id.Product{"prd_1", "prd_5"}},
		{"rating", search.Query{RatingMin: &r45}, []id.Product{"prd_1", "prd_3"}},
		{"in stock", search.Query{InStock: true}, []id.Product{"prd_1", "prd_3"}},
		{"attribute", search.Query{Attrs: map[string][]string{"color": {"blue"}}}, []id.Product{"prd_2", "prd_5"}},
		{"attribute any case, two values", search.Query{Attrs: map[string][]string{"Color": {"RED", "black"}}}, []id.Product{"prd_1", "prd_4"}},
		{"text and filters", search.Query{Text: "cotton", Attrs: map[string][]string{"color": {"blue"}}}, []id.Product{"prd_5"}},
	}
	for _, tt := range tests {
		r, err := f.svc.Search(context.Background(), tt.q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(sorted(tt.want), sorted(ids(r))); diff != "" {
			t.Errorf("%s: ids (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestSearchSorts(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		sort search.Sort
		want []id.Product
	}{
		{search.SortPriceAsc, []id.Product{"prd_5", "prd_1", "prd_4", "prd_2", "prd_3"}},
		{search.SortPriceDesc, []id.Product{"prd_3", "prd_2", "prd_4", "prd_1", "prd_5"}},
		{search.SortNewest, []id.Product{"prd_5", "prd_4", "prd_3", "prd_2", "prd_1"}},
		{search.SortRating, []id.Product{"prd_3", "prd_1", "prd_2", "prd_4", "prd_5"}},
		{search.SortPopular, []id.Product{"prd_3", "prd_1", "prd_2", "prd_4", "prd_5"}},
		{search.SortRelevance, []id.Product{"prd_3", "prd_1", "prd_2", "prd_4", "prd_5"}}, // browse: popular
	}
	for _, tt := range tests {
		r, err := f.svc.Search(context.Background(), search.Query{Sort: tt.sort})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, ids(r)); diff != "" {
			t.Errorf("sort %s (-want +got):\n%s", tt.sort, diff)
		}
		// The same order, page by page.
		var paged []id.Product
		q := search.Query{Sort: tt.sort, Limit: 2}
		for range 10 {
			r, err := f.svc.Search(context.Background(), q)
			if err != nil {
				t.Fatalf("sort %s page: %v", tt.sort, err)
			}
			paged = append(paged, ids(r)...)
			if r.NextCursor == "" {
				break
			}
			q.Cursor = r.NextCursor
		}
		if diff := cmp.Diff(tt.want, paged); diff != "" {
			t.Errorf("sort %s paged (-want +got):\n%s", tt.sort, diff)
		}
	}
}

func TestSearchFacets(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.Search(context.Background(), search.Query{})
	if err != nil {
		t.Fatal(err)
	}
	want := search.Facets{
		Category: []search.FacetValue{{Value: f.ids["Clothing"], Label: "Clothing", Count: 3}, {Value: f.ids["Electronics"], Label: "Electronics", Count: 2}},
		Brand:    []search.FacetValue{{Value: "Northwind", Label: "Northwind", Count: 2}, {Value: "Volt", Label: "Volt", Count: 2}, {Value: "Stride", Label: "Stride", Count: 1}},
		Price: []search.FacetValue{
			{Value: "1000-2500", Label: "10 to 25", Count: 2},
			{Value: "5000-10000", Label: "50 to 100", Count: 2},
			{Value: "100000-", Label: "1000 and over", Count: 1},
		},
		Rating: []search.FacetValue{
			{Value: "4", Label: "4 stars & up", Count: 2}, {Value: "3", Label: "3 stars & up", Count: 3},
			{Value: "2", Label: "2 stars & up", Count: 4}, {Value: "1", Label: "1 star & up", Count: 4},
		},
		Attributes: []search.AttributeFacet{},
	}
	if diff := cmp.Diff(want, r.Facets); diff != "" {
		t.Errorf("browse facets (-want +got):\n%s", diff)
	}
	if r.Total != 5 {
		t.Errorf("browse total = %d, want 5", r.Total)
	}
	// Later pages do not count facets again.
	first, _ := f.svc.Search(context.Background(), search.Query{Limit: 2})
	next, err := f.svc.Search(context.Background(), search.Query{Limit: 2, Cursor: first.NextCursor})
	if err != nil || len(next.Items) != 2 || len(next.Facets.Category)+len(next.Facets.Brand)+len(next.Facets.Price) != 0 {
		t.Errorf("second page = %d items, facets %+v, %v; want 2 items and no facets", len(next.Items), next.Facets, err)
	}

	// Inside a category: its children and its attributes.
	r, err = f.svc.Search(context.Background(), search.Query{Category: f.ids["Clothing"]})
	if err != nil {
		t.Fatal(err)
	}
	wantCats := []search.FacetValue{{Value: f.ids["Men"], Label: "Men", Count: 2}, {Value: f.ids["Shoes"], Label: "Shoes", Count: 1}}
	if diff := cmp.Diff(wantCats, r.Facets.Category); diff != "" {
		t.Errorf("category facet in Clothing (-want +got):\n%s", diff)
	}
	wantAttrs := []search.AttributeFacet{
		{Name: "color", Values: []search.FacetValue{{Value: "blue", Label: "blue", Count: 2}, {Value: "red", Label: "red", Count: 1}}},
		{Name: "material", Values: []search.FacetValue{{Value: "cotton", Label: "cotton", Count: 2}}},
		{Name: "size", Values: []search.FacetValue{{Value: "1", Label: "1", Count: 1}, {Value: "2", Label: "2", Count: 1}}}, // variant options
	}
	if diff := cmp.Diff(wantAttrs, r.Facets.Attributes); diff != "" {
		t.Errorf("attribute facets in Clothing (-want +got):\n%s", diff)
	}
	// A facet's own filter does not narrow its counts (the other values stay
	// on offer); every other filter does.
	r, err = f.svc.Search(context.Background(), search.Query{Category: f.ids["Clothing"], Attrs: map[string][]string{"color": {"blue"}}})
	if err != nil {
		t.Fatal(err)
	}
	wantAttrs = []search.AttributeFacet{
		{Name: "color", Values: []search.FacetValue{{Value: "blue", Label: "blue", Count: 2}, {Value: "red", Label: "red", Count: 1}}},
		{Name: "material", Values: []search.FacetValue{{Value: "cotton", Label: "cotton", Count: 1}}},
		{Name: "size", Values: []search.FacetValue{{Value: "1", Label: "1", Count: 1}, {Value: "2", Label: "2", Count: 1}}},
	}
	if diff := cmp.Diff(wantAttrs, r.Facets.Attributes); diff != "" || r.Total != 2 {
		t.Errorf("facets in Clothing with color=blue: total %d, want 2; attributes (-want +got):\n%s", r.Total, diff)
	}
	p8000 := int64(8000)
	r, err = f.svc.Search(context.Background(), search.Query{Brands: []string{"northwind"}, PriceMax: &p8000})
	if err != nil {
		t.Fatal(err)
	}
	wantBrands := []search.FacetValue{{Value: "Northwind", Label: "Northwind", Count: 2}, {Value: "Volt", Label: "Volt", Count: 1}}
	wantPrices := []search.FacetValue{{Value: "1000-2500", Label: "10 to 25", Count: 2}}
	if r.Total != 2 || !cmp.Equal(wantBrands, r.Facets.Brand) || !cmp.Equal(wantPrices, r.Facets.Price) {
		t.Errorf("brand=northwind, price_max=8000: total %d, brands %v, prices %v; want 2, %v (price filter applied, not the brand), %v (brand applied, not the price)",
			r.Total, r.Facets.Brand, r.Facets.Price, wantBrands, wantPrices)
	}
}

func TestSearchInvalid(t *testing.T) {
	f := newFixture(t)
	p := func(n int64) *int64 { return &n }
	bad := 6.0
	tests := []struct {
		q     search.Query
		field string
	}{
		{search.Query{Sort: "cheapest"}, "sort"},
		{search.Query{Limit: 101}, "limit"},
		{search.Query{Limit: -1}, "limit"},
		{search.Query{PriceMin: p(-1)}, "price_min"},
		{search.Query{PriceMin: p(500), PriceMax: p(100)}, "price_max"},
		{search.Query{RatingMin: &bad}, "rating_min"},
		{search.Query{Category: "no-such-category"}, "category"},
		{search.Query{Cursor: "garbage!"}, "cursor"},
		{search.Query{Text: strings.Repeat("a", 201)}, "q"},
		{search.Query{Attrs: map[string][]string{" ": {"x"}}}, "attr. "},
	}
	for _, tt := range tests {
		_, err := f.svc.Search(context.Background(), tt.q)
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.KindInvalid || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
			t.Errorf("Search(%+v) = %v, want a validation error on %s", tt.q, err, tt.field)
		}
	}
	// A cursor of another sort is refused too.
	r, _ := f.svc.Search(context.Background(), search.Query{Sort: search.SortPriceAsc, Limit: 1})
	_, err := f.svc.Search(context.Background(), search.Query{Sort: search.SortNewest, Cursor: r.NextCursor})
	if !apperr.Is(err, apperr.KindInvalid) {
		t.Errorf("Search with another sort's cursor = %v, want invalid", err)
	}
}

func TestRefresh(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	find := func(q string) []id.Product {
		t.Helper()
		r, err := f.svc.Search(ctx, search.Query{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return ids(r)
	}
	// A new product, a renamed one, an archived one, stock arriving.
	f.cat.Put(searchtest.Product{ID: "prd_7", Title: "Espresso Machine", Category: f.ids["Electronics"]})
	f.cat.Put(searchtest.Product{ID: "prd_2", Title: "Mountain Running Shoes", Brand: "Stride", Category: f.ids["Running shoes"]})
	f.cat.Put(searchtest.Product{ID: "prd_4", Title: "Wireless Headphones", Brand: "Volt", Category: f.ids["Headphones"], Status: catalog.Archived})
	f.cat.Remove("prd_5")
	f.stock.Set("prd_2-1", 3)
	if err := f.svc.Refresh(ctx, "prd_7", "prd_2", "prd_4", "prd_5"); err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if got := find("espresso"); !slices.Equal(got, []id.Product{"prd_7"}) {
		t.Errorf("new product: %v", got)
	}
	if got := find("mountain"); !slices.Equal(got, []id.Product{"prd_2"}) {
		t.Errorf("renamed product: %v", got)
	}
	if got := find("trail"); len(got) != 0 {
		t.Errorf("old title still found: %v", got)
	}
	if got := find("headphones"); len(got) != 0 {
		t.Errorf("archived product found: %v", got)
	}
	if got := find("graphic"); len(got) != 0 {
		t.Errorf("deleted product found: %v", got)
	}
	r, _ := f.svc.Search(ctx, search.Query{InStock: true, Category: f.ids["Shoes"]})
	if !slices.Equal(ids(r), []id.Product{"prd_2"}) {
		t.Errorf("in-stock shoes = %v, want [prd_2]", ids(r))
	}
}

func moneyUSD(n int64) money.Money { return money.New(n, "USD") }

func TestSuggest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for range 3 {
		if _, err := f.svc.Search(ctx, search.Query{Text: "graphic tee"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Reindex(ctx, nil); err != nil { // also rebuilds the suggestions
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []search.Suggestion
	}{
		{"gra", []search.Suggestion{
			{Kind: search.KindQuery, Text: "graphic tee"},
			{Kind: search.KindProduct, Text: "Graphic Tee", Value: "graphic-tee-prd_5", ID: "prd_5"},
		}},
		{"head", []search.Suggestion{
			{Kind: search.KindQuery, Text: "volt headphones"},
			{Kind: search.KindCategory, Text: "Headphones", Value: f.ids["Headphones"]},
			{Kind: search.KindProduct, Text: "Wireless Headphones", Value: "wireless-headphones-prd_4", ID: "prd_4"},
		}},
		{"NORTH", []search.Suggestion{
			{Kind: search.KindQuery, Text: "northwind t-shirts"}, // brand + category of its products
			{Kind: search.KindBrand, Text: "Northwind", Value: "Northwind"},
		}},
		{"trail run", []search.Suggestion{ // several words in a row
			{Kind: search.KindProduct, Text: "Trail Running Shoes", Value: "trail-running-shoes-prd_2", ID: "prd_2"},
		}},
		{"zzz", []search.Suggestion{}},
	}
	for _, tt := range tests {
		got, err := f.svc.Suggest(ctx, tt.q, 0)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", tt.q, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Suggest(%q) (-want +got):\n%s", tt.q, diff)
		}
	}
	if _, err := f.svc.Suggest(ctx, "a", 21); !apperr.Is(err, apperr.KindInvalid) {
		t.Errorf("Suggest with limit 21 = %v, want invalid", err)
	}

	// A product indexed since the suggestions were built is offered at once;
	// once removed from the index, it is not.
	f.cat.Put(searchtest.Product{ID: "prd_7", Title: "Zephyr Desk Fan", Brand: "Breeze", Category: f.ids["Electronics"], Prices: []int64{3999}})
	if err := f.svc.Refresh(ctx, "prd_7"); err != nil {
		t.Fatal(err)
	}
	want := []search.Suggestion{{Kind: search.KindProduct, Text: "Zephyr Desk Fan", Value: "zephyr-desk-fan-prd_7", ID: "prd_7"}}
	for _, q := range []string{"zeph", "breeze des"} {
		got, err := f.svc.Suggest(ctx, q, 0)
		if err != nil || !cmp.Equal(want, got) {
			t.Errorf("Suggest(%q) after a new product = %v, %v; want %v", q, got, err, want)
		}
	}
	f.cat.Remove("prd_7")
	if err := f.svc.Refresh(ctx, "prd_7"); err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.Suggest(ctx, "zeph", 0); err != nil || len(got) != 0 {
		t.Errorf("Suggest(zeph) after removal = %v, %v; want none", got, err)
	}
}
