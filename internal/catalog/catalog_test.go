package catalog_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogtest"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Cotton Tee", "cotton-tee"},
		{"  Men's   T-Shirts!! ", "mens-t-shirts"},
		{"Crème Brûlée Café", "creme-brulee-cafe"},
		{"Ωμέγα", "x"},
		{"", "x"},
		{strings.Repeat("ab ", 50), strings.TrimSuffix(strings.Repeat("ab-", 27), "-")},
	}
	for _, tt := range tests {
		if got := catalog.Slugify(tt.in, 80, "x"); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidSKU(t *testing.T) {
	for s, want := range map[string]bool{"TS-RED-M": true, "a.b_c-9": true, "": false, "has space": false, "ü": false, strings.Repeat("A", 64): true, strings.Repeat("A", 65): false} {
		if got := catalog.ValidSKU(s); got != want {
			t.Errorf("ValidSKU(%q) = %v, want %v", s, got, want)
		}
	}
}

type fixture struct {
	db    *sqldb.DB
	svc   *catalog.Service
	admin context.Context
	s1    context.Context
}

func newFixture(t *testing.T) fixture {
	db := sqldbtest.SQLite(t)
	ctx := context.Background()
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := catalogsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	sellers := catalogtest.NewSellers(account.Seller{ID: "sel_1", UserID: "usr_1", Status: account.SellerActive})
	return fixture{
		db:    db,
		svc:   catalog.New(catalogsql.New(db), sellers, catalog.Options{ImageDir: t.TempDir()}),
		admin: auth.With(ctx, auth.Principal{UserID: "usr_admin", Role: auth.Admin}),
		s1:    auth.With(ctx, auth.Principal{UserID: "usr_1", Role: auth.Seller}),
	}
}

func fields(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestCategoryTreeRules(t *testing.T) {
	f := newFixture(t)
	// A chain of 6 levels is allowed; a 7th is not.
	var chain []catalog.Category
	var parent *id.Category
	for i := range 6 {
		c, err := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: fmt.Sprintf("Level %d", i), ParentID: parent})
		if err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		if c.Depth != i || len(c.Path) != i {
			t.Errorf("level %d: depth %d path %v", i, c.Depth, c.Path)
		}
		chain = append(chain, c)
		parent = &c.ID
	}
	if _, err := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "Too deep", ParentID: parent}); !cmp.Equal(fields(err), []string{"parent_id"}) {
		t.Errorf("7th level = %v, want a parent_id error", err)
	}
	other, _ := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "Other"})
	sub, _ := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "Sub", ParentID: &other.ID})
	for _, tc := range []struct {
		name     string
		id       string
		parentID id.Category
		ok       bool
	}{
		{"under itself", string(chain[2].ID), chain[2].ID, false},
		{"under its descendant", string(chain[1].ID), chain[4].ID, false},
		{"too deep after move", string(other.ID), chain[4].ID, false}, // Other+Sub under level 4 -> 7 levels
		{"within depth", string(other.ID), chain[3].ID, true},
		{"to the root", string(sub.ID), "", true},
		{"missing parent", string(sub.ID), "cat_nope", false},
	} {
		p := tc.parentID
		c, err := f.svc.UpdateCategory(f.admin, tc.id, catalog.CategoryUpdate{ParentID: &p})
		if (err == nil) != tc.ok {
			t.Errorf("%s: UpdateCategory = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err == nil && (tc.parentID == "") != (c.ParentID == nil) {
			t.Errorf("%s: parent = %v", tc.name, c.ParentID)
		}
	}
	if err := f.svc.DeleteCategory(f.s1, string(sub.ID)); !apperr.Is(err, apperr.KindForbidden) {
		t.Errorf("seller DeleteCategory = %v, want Forbidden", err)
	}
}

func TestProductValidation(t *testing.T) {
	f := newFixture(t)
	cat, _ := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "C"})
	usd := money.New(100, "USD")
	many := func(n int) []catalog.NewVariant {
		var vs []catalog.NewVariant
		for i := range n {
			vs = append(vs, catalog.NewVariant{SKU: fmt.Sprintf("V-%d", i), Options: map[string]string{"n": fmt.Sprint(i)}, Price: usd})
		}
		return vs
	}
	attrs := map[string]string{}
	for i := range 51 {
		attrs[fmt.Sprint(i)] = "x"
	}
	tests := []struct {
		name string
		in   catalog.NewProduct
		want []string
	}{
		{"101 variants", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Variants: many(101)}, []string{"variants"}},
		{"51 attributes", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Attributes: attrs, Variants: many(1)}, []string{"attributes"}},
		{"long attribute", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Attributes: map[string]string{"k": strings.Repeat("x", 501)}, Variants: many(1)}, []string{"attributes.k"}},
		{"duplicate sku", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Variants: []catalog.NewVariant{{SKU: "A", Options: map[string]string{"s": "1"}, Price: usd}, {SKU: "A", Options: map[string]string{"s": "2"}, Price: usd}}}, []string{"variants[1].sku"}},
		{"same options", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Variants: []catalog.NewVariant{{SKU: "A", Price: usd}, {SKU: "B", Price: usd}}}, []string{"variants[1].options"}},
		{"bad status", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Status: "sold", Variants: many(1)}, []string{"status"}},
		{"bad currency", catalog.NewProduct{Title: "T", CategoryID: cat.ID, Variants: []catalog.NewVariant{{SKU: "A", Price: money.New(1, "usd")}}}, []string{"variants[0].price.currency"}},
		{"long title", catalog.NewProduct{Title: strings.Repeat("t", 201), CategoryID: cat.ID, Variants: many(1)}, []string{"title"}},
	}
	for _, tt := range tests {
		_, err := f.svc.CreateProduct(f.s1, tt.in)
		if diff := cmp.Diff(tt.want, fields(err)); diff != "" {
			t.Errorf("%s: CreateProduct = %v; fields (-want +got):\n%s", tt.name, err, diff)
		}
	}
	if _, err := f.svc.CreateProduct(f.s1, catalog.NewProduct{Title: "T", CategoryID: cat.ID, Variants: many(100)}); err != nil {
		t.Errorf("100 variants: %v", err)
	}
}

// TestProductEvents checks the search document the events carry.
func TestProductEvents(t *testing.T) {
	f := newFixture(t)
	root, _ := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "Clothing"})
	leaf, _ := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "Tees", ParentID: &root.ID})
	p, err := f.svc.CreateProduct(f.s1, catalog.NewProduct{Title: "Tee", Brand: "Acme", CategoryID: "tees", Status: catalog.Active,
		Attributes: map[string]string{"material": "cotton"},
		Variants:   []catalog.NewVariant{{SKU: "T-1", Options: map[string]string{"size": "M"}, Price: money.New(1999, "USD")}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ArchiveProduct(f.s1, p.Slug); err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.Read().Query(`SELECT topic, aggregate, payload FROM event_outbox WHERE topic LIKE 'catalog.product.%' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []catalog.ProductEvent
	var topics []string
	for rows.Next() {
		var e event.Event
		var payload string
		if err := rows.Scan(&e.Topic, &e.Aggregate, &payload); err != nil {
			t.Fatal(err)
		}
		e.Payload = []byte(payload)
		var doc catalog.ProductEvent
		if err := e.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if id.Product(e.Aggregate) != p.ID {
			t.Errorf("aggregate = %s, want %s", e.Aggregate, p.ID)
		}
		topics = append(topics, e.Topic)
		got = append(got, doc)
	}
	if diff := cmp.Diff([]string{catalog.TopicProductCreated.Name(), catalog.TopicProductArchived.Name()}, topics); diff != "" {
		t.Fatalf("topics (-want +got):\n%s", diff)
	}
	want := catalog.ProductEvent{
		ID: p.ID, Slug: "tee", SellerID: "sel_1", Title: "Tee", Brand: "Acme", Status: catalog.Active,
		Category:    catalog.CategoryRef{ID: leaf.ID, Name: "Tees", Slug: "tees", Path: []string{"Clothing"}},
		CategoryIDs: []id.Category{root.ID, leaf.ID}, Attributes: map[string]string{"material": "cotton"},
		Variants: []catalog.VariantDoc{{ID: p.Variants[0].ID, SKU: "T-1", Options: map[string]string{"size": "M"}, Price: money.New(1999, "USD")}},
		PriceMin: money.New(1999, "USD"), PriceMax: money.New(1999, "USD"), Images: []string{},
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("created payload (-want +got):\n%s", diff)
	}
	if got[1].Status != catalog.Archived {
		t.Errorf("archived payload status = %s", got[1].Status)
	}
}

func TestRefs(t *testing.T) {
	f := newFixture(t)
	cat, _ := f.svc.CreateCategory(f.admin, catalog.NewCategory{Name: "C"})
	p, err := f.svc.CreateProduct(f.s1, catalog.NewProduct{Title: "Mug", Brand: "Acme", CategoryID: cat.ID, Status: catalog.Active,
		Variants: []catalog.NewVariant{{SKU: "MUG-1", Options: map[string]string{"c": "1"}, Price: money.New(700, "EUR")}, {SKU: "MUG-2", Options: map[string]string{"c": "2"}, Price: money.New(500, "EUR")}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background() // no principal: public information
	r, err := f.svc.ProductRef(ctx, p.ID)
	want := catalog.ProductRef{ID: p.ID, Title: "Mug", Slug: "mug", SellerID: "sel_1", CategoryID: cat.ID, Brand: "Acme", MinPrice: money.New(500, "EUR"), Active: true}
	if diff := cmp.Diff(want, r); err != nil || diff != "" {
		t.Errorf("ProductRef = %v; (-want +got):\n%s", err, diff)
	}
	if _, err := f.svc.ProductRef(ctx, "prd_nope"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("ProductRef(missing) = %v, want NotFound", err)
	}
	m, err := f.svc.SKUs(ctx, []string{"MUG-2", "NOPE", "MUG-2", "bad sku"})
	if err != nil || len(m) != 1 || m["MUG-2"].Price != money.New(500, "EUR") || m["MUG-2"].ProductID != p.ID {
		t.Errorf("SKUs = %v, %v", m, err)
	}
	refs, err := f.svc.ProductRefs(ctx, []id.Product{p.ID, "prd_nope"})
	if err != nil || len(refs) != 1 {
		t.Errorf("ProductRefs = %v, %v", refs, err)
	}
}
