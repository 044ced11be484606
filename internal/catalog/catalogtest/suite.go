package catalogtest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Backend is a store under test and a way to see what it published.
type Backend struct {
	Store catalog.Store
	// Published returns "topic aggregate" for every event committed so far,
	// in order.
	Published func(t *testing.T) []string
}

// StoreSuite runs the catalog.Store contract against fresh backends made by
// open.
func StoreSuite(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("categories", func(t *testing.T) { testCategories(t, open(t)) })
	t.Run("products", func(t *testing.T) { testProducts(t, open(t)) })
	t.Run("update", func(t *testing.T) { testUpdate(t, open(t)) })
	t.Run("list", func(t *testing.T) { testList(t, open(t)) })
	t.Run("refs", func(t *testing.T) { testRefs(t, open(t)) })
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func mustCategory(t *testing.T, s catalog.Store, name string, parent *catalog.Category) catalog.Category {
	t.Helper()
	c, err := s.CreateCategory(context.Background(), func(tree *catalog.Tree) (catalog.Category, catalog.Event, error) {
		c := catalog.Category{ID: id.Make[id.Category](), Name: name, Slug: tree.UniqueSlug(catalog.Slugify(name, 80, "c"), ""), CreatedAt: t0, UpdatedAt: t0}
		if parent != nil {
			c.ParentID = &parent.ID
		}
		return c, catalog.Event{Topic: catalog.TopicCategoryChanged.Name(), Aggregate: string(c.ID), Payload: c.ID}, nil
	})
	if err != nil {
		t.Fatalf("CreateCategory(%s) = %v", name, err)
	}
	return c
}

// NewProduct returns a product fixture with one variant per SKU, priced
// 1000, 2000, ... in USD.
func NewProduct(sellerID id.Seller, categoryID id.Category, title string, skus ...string) catalog.Product {
	p := catalog.Product{
		ID: id.Make[id.Product](), Slug: catalog.Slugify(title, 80, "p"), SellerID: sellerID, Title: title, Description: "about " + title,
		Brand: "Acme", CategoryID: categoryID, Attributes: map[string]string{"material": "cotton"}, Status: catalog.Active,
		Images: []catalog.Image{}, CreatedAt: t0, UpdatedAt: t0,
	}
	for i, sku := range skus {
		p.Variants = append(p.Variants, catalog.Variant{ID: id.Make[id.Variant](), SKU: sku, Options: map[string]string{"size": fmt.Sprint(i)}, Price: money.New(int64(1000*(i+1)), "USD")})
	}
	p.PriceMin, p.PriceMax = p.Variants[0].Price, p.Variants[len(p.Variants)-1].Price
	return p
}

func created(p catalog.Product) catalog.Event {
	return catalog.Event{Topic: catalog.TopicProductCreated.Name(), Aggregate: string(p.ID), Payload: p.ID}
}

func mustCreate(t *testing.T, s catalog.Store, p catalog.Product) {
	t.Helper()
	if err := s.CreateProduct(context.Background(), p, created(p)); err != nil {
		t.Fatalf("CreateProduct(%s) = %v", p.Title, err)
	}
}

func testCategories(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.Store
	root := mustCategory(t, s, "Clothing", nil)
	men := mustCategory(t, s, "Men", &root)
	tees := mustCategory(t, s, "T-shirts", &men)
	dup := mustCategory(t, s, "Clothing", nil)
	if dup.Slug != "clothing-2" {
		t.Errorf("second Clothing slug = %q, want clothing-2", dup.Slug)
	}
	cats, err := s.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tree := catalog.NewTree(cats)
	got, _ := tree.Get("t-shirts")
	if diff := cmp.Diff([]string{"Clothing", "Men"}, got.Path); diff != "" || got.Depth != 2 || got.ID != tees.ID {
		t.Errorf("t-shirts = %+v; path diff (-want +got):\n%s", got, diff)
	}

	// A failing fn changes nothing and publishes nothing.
	before := b.Published(t)
	_, err = s.UpdateCategory(ctx, men.ID, func(tree *catalog.Tree, c *catalog.Category) (catalog.Event, error) {
		c.Name = "Changed"
		return catalog.Event{}, apperr.Conflict("nope", "no")
	})
	if apperr.CodeOf(err) != "nope" {
		t.Errorf("UpdateCategory with failing fn = %v, want its error", err)
	}
	if _, err := s.UpdateCategory(ctx, "cat_missing", func(*catalog.Tree, *catalog.Category) (catalog.Event, error) { return catalog.Event{}, nil }); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("UpdateCategory(missing) = %v, want NotFound", err)
	}
	// Move Men to the root and rename it.
	up, err := s.UpdateCategory(ctx, men.ID, func(tree *catalog.Tree, c *catalog.Category) (catalog.Event, error) {
		c.Name, c.ParentID = "Menswear", nil
		return catalog.Event{Topic: catalog.TopicCategoryChanged.Name(), Aggregate: string(c.ID), Payload: "x"}, nil
	})
	if err != nil || up.Name != "Menswear" || up.ParentID != nil {
		t.Fatalf("UpdateCategory = %+v, %v", up, err)
	}
	cats, _ = s.Categories(ctx)
	tree = catalog.NewTree(cats)
	if got, _ := tree.Get(string(tees.ID)); !slices.Equal(got.Path, []string{"Menswear"}) {
		t.Errorf("after move, t-shirts path = %v, want [Menswear]", got.Path)
	}

	// Delete: in use by children, then by a product, then free.
	del := func(catID string) error {
		return s.DeleteCategory(ctx, id.Category(catID), func(_ *catalog.Tree, c catalog.Category) (catalog.Event, error) {
			return catalog.Event{Topic: catalog.TopicCategoryChanged.Name(), Aggregate: string(c.ID), Payload: "deleted"}, nil
		})
	}
	if err := del(string(men.ID)); apperr.CodeOf(err) != "category_in_use" {
		t.Errorf("delete category with children = %v, want category_in_use", err)
	}
	tee := NewProduct("sel_1", tees.ID, "Tee", "CAT-TEE-1")
	mustCreate(t, s, tee)
	if err := del(string(tees.ID)); apperr.CodeOf(err) != "category_in_use" {
		t.Errorf("delete category with a product = %v, want category_in_use", err)
	}
	if err := del(string(dup.ID)); err != nil {
		t.Errorf("delete unused category = %v", err)
	}
	if err := del(string(dup.ID)); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("delete deleted category = %v, want NotFound", err)
	}
	cats, _ = s.Categories(ctx)
	if len(cats) != 3 {
		t.Errorf("%d categories left, want 3", len(cats))
	}
	want := append(slices.Clone(before), catalog.TopicCategoryChanged.Name()+" "+string(men.ID), catalog.TopicProductCreated.Name()+" "+string(tee.ID), catalog.TopicCategoryChanged.Name()+" "+string(dup.ID))
	if diff := cmp.Diff(want, b.Published(t)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func testProducts(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.Store
	cat := mustCategory(t, s, "Shoes", nil)
	p := NewProduct("sel_1", cat.ID, "Red Runner", "RR-1", "RR-2")
	p.Images = []catalog.Image{
		{ID: id.Make[id.Image](), URL: catalog.ImageURL("x"), ContentType: "image/png", Width: 2, Height: 3, Size: 10, SHA256: "aa", CreatedAt: t0},
		{ID: id.Make[id.Image](), ContentType: "image/gif", Width: 1, Height: 1, Size: 5, SHA256: "bb", CreatedAt: t0},
	}
	mustCreate(t, s, p)
	for i := range p.Images {
		p.Images[i].URL = catalog.ImageURL(p.Images[i].ID)
	}
	for _, key := range []string{string(p.ID), p.Slug} {
		got, err := s.Product(ctx, key)
		if err != nil {
			t.Fatalf("Product(%s) = %v", key, err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Product(%s) mismatch (-want +got):\n%s", key, diff)
		}
	}
	if _, err := s.Product(ctx, "prd_missing"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Product(missing) = %v, want NotFound", err)
	}
	if _, err := s.Product(ctx, "no-such-slug"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Product(missing slug) = %v, want NotFound", err)
	}

	before := b.Published(t)
	tests := []struct {
		name, code string
		p          catalog.Product
	}{
		{"taken slug", "slug_taken", NewProduct("sel_2", cat.ID, "Red Runner", "OTHER-1")},
		{"taken sku", "sku_taken", NewProduct("sel_2", cat.ID, "Blue Runner", "NEW-1", "RR-2")},
		{"missing category", "validation_failed", NewProduct("sel_2", "cat_missing", "Green Runner", "NEW-2")},
	}
	for _, tt := range tests {
		err := s.CreateProduct(ctx, tt.p, created(tt.p))
		if apperr.CodeOf(err) != tt.code {
			t.Errorf("%s: CreateProduct = %v, want code %s", tt.name, err, tt.code)
		}
		if _, err := s.Product(ctx, string(tt.p.ID)); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("%s: the failed product was stored (%v)", tt.name, err)
		}
		if tt.code == "sku_taken" {
			e, _ := apperr.As(err)
			want := []apperr.FieldError{{Field: "variants[1].sku", Message: "is used by another product"}}
			if diff := cmp.Diff(want, e.Fields); diff != "" {
				t.Errorf("sku_taken fields (-want +got):\n%s", diff)
			}
		}
	}
	if m, _ := s.SKUs(ctx, []string{"NEW-1", "NEW-2", "OTHER-1"}); len(m) != 0 {
		t.Errorf("variants of failed creates were stored: %v", m)
	}
	if after := b.Published(t); len(after) != len(before) {
		t.Errorf("failed creates published %v", after[len(before):])
	}
}

func testUpdate(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.Store
	cat := mustCategory(t, s, "Hats", nil)
	other := mustCategory(t, s, "Caps", nil)
	p := NewProduct("sel_1", cat.ID, "Hat", "H-1", "H-2", "H-3")
	mustCreate(t, s, p)
	q := NewProduct("sel_2", cat.ID, "Cap", "C-1")
	mustCreate(t, s, q)
	before := b.Published(t)

	// A failing fn, or a SKU of another product, changes nothing.
	for _, tc := range []struct {
		name string
		fn   func(p *catalog.Product) (catalog.Event, error)
		code string
	}{
		{"fn fails", func(p *catalog.Product) (catalog.Event, error) {
			p.Title = "changed"
			return catalog.Event{}, apperr.Conflict("nope", "no")
		}, "nope"},
		{"sku of another product", func(p *catalog.Product) (catalog.Event, error) {
			p.Title = "changed"
			p.Variants = append(p.Variants[:1], catalog.Variant{ID: id.Make[id.Variant](), SKU: "C-1", Options: map[string]string{}, Price: money.New(1, "USD")})
			return catalog.Event{Topic: catalog.TopicProductUpdated.Name(), Aggregate: string(p.ID), Payload: 1}, nil
		}, "sku_taken"},
		{"missing category", func(p *catalog.Product) (catalog.Event, error) {
			p.CategoryID = "cat_missing"
			return catalog.Event{Topic: catalog.TopicProductUpdated.Name(), Aggregate: string(p.ID), Payload: 1}, nil
		}, "validation_failed"},
	} {
		if _, err := s.UpdateProduct(ctx, p.ID, tc.fn); apperr.CodeOf(err) != tc.code {
			t.Errorf("%s: UpdateProduct = %v, want code %s", tc.name, err, tc.code)
		}
		got, _ := s.Product(ctx, string(p.ID))
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("%s: product changed (-want +got):\n%s", tc.name, diff)
		}
	}
	if after := b.Published(t); len(after) != len(before) {
		t.Errorf("failed updates published %v", after[len(before):])
	}
	if _, err := s.UpdateProduct(ctx, "prd_missing", func(*catalog.Product) (catalog.Event, error) { return catalog.Event{}, nil }); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("UpdateProduct(missing) = %v, want NotFound", err)
	}

	// Keep H-3 (moved first, new price), drop H-1 and H-2, add H-4; move the
	// product; add an image.
	img := catalog.Image{ID: id.Make[id.Image](), ContentType: "image/png", Width: 1, Height: 1, Size: 1, SHA256: "cc", CreatedAt: t0}
	want := p
	got, err := s.UpdateProduct(ctx, p.ID, func(p *catalog.Product) (catalog.Event, error) {
		h3 := p.Variants[2]
		h3.Price = money.New(500, "USD")
		p.Variants = []catalog.Variant{h3, {ID: id.Make[id.Variant](), SKU: "H-4", Options: map[string]string{"size": "XL"}, Price: money.New(900, "USD")}}
		p.PriceMin, p.PriceMax = money.New(500, "USD"), money.New(900, "USD")
		p.Title, p.Brand, p.CategoryID, p.Status = "Hat 2", "Bolt", other.ID, catalog.Draft
		p.Images = append(p.Images, img)
		p.UpdatedAt = t0.Add(time.Hour)
		want = *p
		return catalog.Event{Topic: catalog.TopicProductUpdated.Name(), Aggregate: string(p.ID), Payload: 1}, nil
	})
	if err != nil {
		t.Fatalf("UpdateProduct = %v", err)
	}
	want.Version = p.Version + 1
	want.Images[0].URL = catalog.ImageURL(img.ID)
	stored, err := s.Product(ctx, string(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("stored product (-want +got):\n%s", diff)
	}
	if got.Version != want.Version || got.Title != "Hat 2" {
		t.Errorf("UpdateProduct returned %+v", got)
	}
	if stored.Variants[0].ID != p.Variants[2].ID {
		t.Errorf("H-3 lost its variant ID")
	}
	// The dropped SKUs are free again.
	if m, _ := s.SKUs(ctx, []string{"H-1", "H-2", "H-3", "H-4"}); len(m) != 2 {
		t.Errorf("SKUs after update = %v, want H-3 and H-4", m)
	}
	after := b.Published(t)
	if len(after) != len(before)+1 || after[len(after)-1] != catalog.TopicProductUpdated.Name()+" "+string(p.ID) {
		t.Errorf("events after update = %v", after[len(before):])
	}

	// Removing the image.
	if _, err := s.UpdateProduct(ctx, p.ID, func(p *catalog.Product) (catalog.Event, error) {
		p.Images = nil
		return catalog.Event{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Image(ctx, img.ID); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Image after removal = %v, want NotFound", err)
	}
}

func testList(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.Store
	root := mustCategory(t, s, "Root", nil)
	leaf := mustCategory(t, s, "Leaf", &root)
	other := mustCategory(t, s, "Other", nil)

	// 12 products: 3 share each created_at so ties are broken by ID; prices
	// repeat too.
	var all []catalog.Product
	for i := range 12 {
		cat := []id.Category{root.ID, leaf.ID, other.ID}[i%3]
		p := NewProduct(id.Seller(fmt.Sprintf("sel_%d", i%2)), cat, fmt.Sprintf("Item %d 100%%_off", i), fmt.Sprintf("L-%d-A", i), fmt.Sprintf("L-%d-B", i))
		p.CreatedAt = t0.Add(time.Duration(i/3) * time.Minute)
		p.Variants[0].Price.Amount = int64(100 * (i % 4))
		p.Variants[1].Price.Amount = int64(100*(i%4) + 50)
		p.PriceMin, p.PriceMax = p.Variants[0].Price, p.Variants[1].Price
		if i%5 == 0 {
			p.Brand = "Zeta"
		}
		if i == 11 {
			p.Status = catalog.Draft
		}
		if i == 10 {
			p.Title = "Plain 0 and off" // matches 0%_off only if the wildcards are not escaped
			for j := range p.Variants {
				p.Variants[j].Price.Currency = "EUR"
			}
			p.PriceMin.Currency, p.PriceMax.Currency = "EUR", "EUR"
		}
		mustCreate(t, s, p)
		all = append(all, p)
	}
	active := func(keep func(p catalog.Product) bool) []catalog.Product {
		var out []catalog.Product
		for _, p := range all {
			if p.Status == catalog.Active && (keep == nil || keep(p)) {
				out = append(out, p)
			}
		}
		return out
	}
	byNewest := func(a, b catalog.Product) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return -cmpStr(string(a.ID), string(b.ID))
	}
	i64 := func(n int64) *int64 { return &n }
	tests := []struct {
		name string
		f    catalog.Filter
		want []catalog.Product
		sort func(a, b catalog.Product) int
	}{
		{"newest", catalog.Filter{}, active(nil), byNewest},
		{"price asc", catalog.Filter{Sort: catalog.SortPriceAsc}, active(nil), func(a, b catalog.Product) int {
			if a.PriceMin.Amount != b.PriceMin.Amount {
				return int(a.PriceMin.Amount - b.PriceMin.Amount)
			}
			return cmpStr(string(a.ID), string(b.ID))
		}},
		{"price desc", catalog.Filter{Sort: catalog.SortPriceDesc}, active(nil), func(a, b catalog.Product) int {
			if a.PriceMax.Amount != b.PriceMax.Amount {
				return int(b.PriceMax.Amount - a.PriceMax.Amount)
			}
			return -cmpStr(string(a.ID), string(b.ID))
		}},
		{"categories", catalog.Filter{CategoryIDs: []id.Category{root.ID, leaf.ID}}, active(func(p catalog.Product) bool { return p.CategoryID != other.ID }), byNewest},
		{"seller", catalog.Filter{SellerID: "sel_1"}, active(func(p catalog.Product) bool { return p.SellerID == "sel_1" }), byNewest},
		{"brand", catalog.Filter{BrandKey: "zeta"}, active(func(p catalog.Product) bool { return p.Brand == "Zeta" }), byNewest},
		{"title with wildcards", catalog.Filter{TitleKey: "0%_off"}, active(func(p catalog.Product) bool { return p.Title != "Plain 0 and off" }), byNewest},
		{"title", catalog.Filter{TitleKey: "item 1 "}, active(func(p catalog.Product) bool { return p.Title == "Item 1 100%_off" }), byNewest},
		{"currency", catalog.Filter{Currency: "EUR"}, active(func(p catalog.Product) bool { return p.PriceMin.Currency == "EUR" }), byNewest},
		// 120..140 overlaps 100..150 but no variant is in it.
		{"price gap", catalog.Filter{PriceMin: i64(120), PriceMax: i64(140)}, nil, byNewest},
		{"price range", catalog.Filter{PriceMin: i64(140), PriceMax: i64(210)}, active(func(p catalog.Product) bool {
			return p.PriceMin.Amount == 100 || p.PriceMin.Amount == 200
		}), byNewest},
		{"drafts", catalog.Filter{Statuses: []catalog.Status{catalog.Draft}}, []catalog.Product{all[11]}, byNewest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.f.Statuses == nil {
				tt.f.Statuses = []catalog.Status{catalog.Active}
			}
			if tt.f.Sort == "" {
				tt.f.Sort = catalog.SortNewest
			}
			want := slices.Clone(tt.want)
			slices.SortFunc(want, tt.sort)
			// Page through 2 at a time (with the +1 probe the service uses).
			var got []string
			f := tt.f
			for range 20 {
				f.Limit = 3
				ps, err := s.Products(ctx, f)
				if err != nil {
					t.Fatalf("Products(%+v) = %v", f, err)
				}
				for _, p := range ps[:min(2, len(ps))] {
					got = append(got, string(p.ID))
					if len(p.Variants) != 2 {
						t.Errorf("%s has %d variants, want 2", p.ID, len(p.Variants))
					}
				}
				if len(ps) < 3 {
					break
				}
				c := catalog.CursorFor(f.Sort, ps[1])
				f.After = &c
			}
			var wantIDs []string
			for _, p := range want {
				wantIDs = append(wantIDs, string(p.ID))
			}
			if diff := cmp.Diff(wantIDs, got); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func testRefs(t *testing.T, b Backend) {
	ctx := context.Background()
	s := b.Store
	cat := mustCategory(t, s, "Bags", nil)
	p := NewProduct("sel_1", cat.ID, "Tote", "T-1")
	p.Images = []catalog.Image{{ID: id.Make[id.Image](), ContentType: "image/png", Size: 1, SHA256: "dd", CreatedAt: t0}}
	mustCreate(t, s, p)
	q := NewProduct("sel_2", cat.ID, "Sack", "S-1")
	q.Status = catalog.Archived
	mustCreate(t, s, q)

	skus, err := s.SKUs(ctx, []string{"T-1", "S-1", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]catalog.SKU{
		"T-1": {SKU: "T-1", VariantID: p.Variants[0].ID, ProductID: p.ID, ProductTitle: "Tote", ProductSlug: "tote", SellerID: "sel_1",
			Options: map[string]string{"size": "0"}, Price: money.New(1000, "USD"), Image: catalog.ImageURL(p.Images[0].ID), Active: true},
		"S-1": {SKU: "S-1", VariantID: q.Variants[0].ID, ProductID: q.ID, ProductTitle: "Sack", ProductSlug: "sack", SellerID: "sel_2",
			Options: map[string]string{"size": "0"}, Price: money.New(1000, "USD")},
	}
	if diff := cmp.Diff(want, skus); diff != "" {
		t.Errorf("SKUs (-want +got):\n%s", diff)
	}
	refs, err := s.ProductRefs(ctx, []id.Product{p.ID, q.ID, "prd_nope"})
	if err != nil {
		t.Fatal(err)
	}
	wantRefs := map[id.Product]catalog.ProductRef{
		p.ID: {ID: p.ID, Title: "Tote", Slug: "tote", SellerID: "sel_1", CategoryID: p.CategoryID, Brand: "Acme", MinPrice: money.New(1000, "USD"), Image: catalog.ImageURL(p.Images[0].ID), Active: true},
		q.ID: {ID: q.ID, Title: "Sack", Slug: "sack", SellerID: "sel_2", CategoryID: q.CategoryID, Brand: "Acme", MinPrice: money.New(1000, "USD")},
	}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("ProductRefs (-want +got):\n%s", diff)
	}
	im, err := s.Image(ctx, p.Images[0].ID)
	if err != nil || im.SHA256 != "dd" || im.URL != catalog.ImageURL(im.ID) {
		t.Errorf("Image = %+v, %v", im, err)
	}
}
