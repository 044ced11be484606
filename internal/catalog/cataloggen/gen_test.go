package cataloggen_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestDeterministic(t *testing.T) {
	cfg := cataloggen.Config{Products: 1000, Seed: 7}
	a, b := cataloggen.New(cfg), cataloggen.New(cfg)
	sellers := []id.Seller{"sel_a", "sel_b", "sel_c"}
	if diff := cmp.Diff(a.Categories(), b.Categories()); diff != "" {
		t.Errorf("categories differ between runs:\n%s", diff)
	}
	skus := map[string]bool{}
	slugs := map[string]bool{}
	for i := 999; i >= 0; i-- { // any order gives the same products
		pa, pb := a.Product(i, sellers, nil), b.Product(i, sellers, nil)
		if diff := cmp.Diff(pa, pb); diff != "" {
			t.Fatalf("product %d differs between runs:\n%s", i, diff)
		}
		p := pa.Product
		if !id.Valid(string(p.ID), "prd") || p.Title == "" || p.Description == "" || p.Brand == "" || len(p.Variants) == 0 {
			t.Fatalf("product %d is incomplete: %+v", i, p)
		}
		if slugs[p.Slug] {
			t.Fatalf("slug %s made twice", p.Slug)
		}
		slugs[p.Slug] = true
		for _, v := range p.Variants {
			if skus[v.SKU] || !catalog.ValidSKU(v.SKU) {
				t.Fatalf("SKU %s repeated or invalid", v.SKU)
			}
			skus[v.SKU] = true
			if v.Price.Amount < p.PriceMin.Amount || v.Price.Amount > p.PriceMax.Amount {
				t.Fatalf("variant price %v outside %v..%v", v.Price, p.PriceMin, p.PriceMax)
			}
		}
	}
	other := cataloggen.New(cataloggen.Config{Products: 1000, Seed: 8}).Product(0, sellers, nil)
	if other.Product.Title == a.Product(0, sellers, nil).Product.Title && other.Product.ID == a.Product(0, sellers, nil).Product.ID {
		t.Error("seeds 7 and 8 made the same first product")
	}
	// A deep tree with every leaf reachable.
	tree := catalog.NewTree(a.Categories())
	depth := 0
	for _, c := range tree.List() {
		depth = max(depth, c.Depth)
	}
	if depth < 3 || tree.Len() < 50 {
		t.Errorf("tree has %d categories, depth %d; want a deep tree", tree.Len(), depth)
	}
	if n := (cataloggen.Config{Products: 1_000_000}).SellerCount(); n < 100 {
		t.Errorf("1M products get %d sellers, want hundreds", n)
	}
}

func TestSeed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, catalogsql.Migrate, searchsql.Migrate} {
			if err := m(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		acc := &fakeAccounts{}
		store := catalogsql.New(db)
		opts := cataloggen.Options{Config: cataloggen.Config{Products: 3000, Seed: 1, Sellers: 3}, Batch: 700}
		first := opts
		first.Signals = func(ctx context.Context, sigs []cataloggen.Signal) error {
			out := make([]search.Signal, len(sigs))
			for i, sg := range sigs {
				out[i] = search.Signal(sg)
			}
			return searchsql.New(db).PutSignals(ctx, out)
		}
		st, err := cataloggen.Seed(ctx, acc, store, first)
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		if st.Products != 3000 || st.Sellers != 3 || st.Variants < 3000 {
			t.Errorf("Seed stats = %+v", st)
		}
		n, err := store.CountProducts(ctx, catalog.Active)
		if err != nil || n != 3000 {
			t.Errorf("CountProducts = %d, %v; want 3000", n, err)
		}
		// What was stored is what the generator made.
		g := cataloggen.New(opts.Config)
		want := g.Product(1234, nil, nil).Product
		got, err := store.Product(ctx, string(want.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != want.Title || got.Description != want.Description || len(got.Variants) != len(want.Variants) ||
			got.PriceMin != want.PriceMin || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("stored product = %+v\nwant %+v", got, want)
		}
		sigs, err := searchsql.New(db).Signals(ctx, []id.Product{want.ID})
		if err != nil {
			t.Fatal(err)
		}
		if wantSig := g.Product(1234, nil, nil).Signal; (wantSig.Sales > 0 || wantSig.RatingCount > 0) && sigs[want.ID] != search.Signal(wantSig) {
			t.Errorf("signal = %+v, want %+v", sigs[want.ID], wantSig)
		}
		// A full scan in ID order sees every product once.
		after, seen := "", 0
		for {
			page, err := store.ProductsAfter(ctx, catalog.Active, id.Product(after), 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, p := range page {
				if p.ID <= id.Product(after) || len(p.Variants) == 0 {
					t.Fatalf("ProductsAfter(%q) gave %s with %d variants", after, p.ID, len(p.Variants))
				}
				after = string(p.ID)
				seen++
			}
		}
		if seen != 3000 {
			t.Errorf("ProductsAfter scanned %d products, want 3000", seen)
		}
		// Seeding again is refused; another seed adds to the same tree.
		if _, err := cataloggen.Seed(ctx, acc, store, opts); apperr.CodeOf(err) != "already_seeded" {
			t.Errorf("second Seed = %v, want already_seeded", err)
		}
		opts.Seed, opts.Products = 2, 10
		st, err = cataloggen.Seed(ctx, acc, store, opts)
		if err != nil || st.Products != 10 {
			t.Fatalf("Seed with another seed = %+v, %v", st, err)
		}
		cats, _ := store.Categories(ctx)
		if len(cats) != st.Categories {
			t.Errorf("categories after two seeds = %d, want %d (reused)", len(cats), st.Categories)
		}
	})
}

// fakeAccounts is cataloggen.Accounts in memory (the real service hashes
// passwords, which is slow under the race detector).
type fakeAccounts struct {
	mu      sync.Mutex
	users   map[string]account.User   // by email
	sellers map[string]account.Seller // by user ID
}

func (f *fakeAccounts) CreateUser(ctx context.Context, in account.NewUser) (account.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users == nil {
		f.users, f.sellers = map[string]account.User{}, map[string]account.Seller{}
	}
	u := account.User{ID: id.User(fmt.Sprintf("usr_%d", len(f.users))), Email: in.Email, Role: in.Role}
	f.users[in.Email] = u
	return u, nil
}

func (f *fakeAccounts) UserByEmail(ctx context.Context, email string) (account.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u, ok := f.users[email]; ok {
		return u, nil
	}
	return account.User{}, apperr.NotFound("no user")
}

func (f *fakeAccounts) SellerOfUser(ctx context.Context, userID id.User) (account.Seller, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.sellers[string(userID)]; ok {
		return s, nil
	}
	return account.Seller{}, apperr.NotFound("no store")
}

func (f *fakeAccounts) OpenStore(ctx context.Context, in account.NewSeller) (account.Seller, error) {
	p, err := auth.Require(ctx, auth.Seller)
	if err != nil {
		return account.Seller{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := account.Seller{ID: id.Seller(fmt.Sprintf("sel_%d", len(f.sellers))), UserID: p.UserID, Name: in.Name}
	f.sellers[string(p.UserID)] = s
	return s, nil
}

// TestRatingsAreTheirStars: a generated product's rating signal is the
// average of its star counts (as the review module computes it) and its
// count their sum, so search and the product page agree.
func TestRatingsAreTheirStars(t *testing.T) {
	g := cataloggen.New(cataloggen.Config{Products: 2000, Seed: 5})
	rated := 0
	for i := range 2000 {
		gp := g.Product(i, []id.Seller{"sel_a"}, nil)
		var n int64
		for _, k := range gp.Stars {
			if k < 0 {
				t.Fatalf("product %d: stars %v", i, gp.Stars)
			}
			n += k
		}
		if n != gp.Signal.RatingCount || average(gp.Stars) != gp.Signal.Rating {
			t.Fatalf("product %d: stars %v, signal %v from %d; want their average and sum", i, gp.Stars, gp.Signal.Rating, gp.Signal.RatingCount)
		}
		if n > 0 {
			rated++
			if gp.Signal.Rating < 1 || gp.Signal.Rating > 5 {
				t.Errorf("product %d: rating %v", i, gp.Signal.Rating)
			}
		}
	}
	if rated < 1000 || rated > 1600 {
		t.Errorf("%d of 2000 products have ratings, want about 65 %%", rated)
	}
}

// average is the review module's average of star counts.
func average(stars [5]int64) float64 {
	var st review.Stars
	for i, k := range stars {
		st[i] = int(k)
	}
	return review.SummaryOf("", st, 0, 0).Average
}
