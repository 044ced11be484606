package search_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbrokertest"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// world is the real modules search feeds on, over one database and bus.
type world struct {
	db      *sqldb.DB
	bus     *event.Bus
	acc     *account.Service
	cat     *catalog.Service
	inv     *inventory.Service
	signals *searchsql.Store
	svc     *search.Service
	admin   context.Context
	seller  context.Context
	store   account.Seller
}

func newWorld(t *testing.T, db *sqldb.DB) *world {
	t.Helper()
	ctx := context.Background()
	for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, accountsql.Migrate, catalogsql.Migrate, inventorysql.Migrate, searchsql.Migrate} {
		if err := m(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := &world{db: db, bus: eventbrokertest.Bus(t, db, log)}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	w.acc = account.New(accountsql.New(db), auth.NewTokens(key, time.Minute), account.Options{})
	w.cat = catalog.New(catalogsql.New(db), w.acc, catalog.Options{ImageDir: t.TempDir()})
	w.inv = inventory.New(inventorysql.New(db), w.cat, w.acc, inventory.Options{Logger: log})
	w.signals = searchsql.New(db)
	svc, err := search.New(catalogsql.New(db), w.inv, w.acc, w.signals, search.Options{
		Dir: filepath.Join(t.TempDir(), "search"), Open: searchbleve.Open, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	svc.Subscribe(w.bus)
	w.svc = svc

	admin, err := w.acc.CreateUser(ctx, account.NewUser{Email: "admin@example.com", Password: "admin-password-1", Name: "Ada", Role: auth.Admin})
	if err != nil {
		t.Fatal(err)
	}
	w.admin = auth.With(ctx, auth.Principal{UserID: admin.ID, Role: auth.Admin})
	seller, err := w.acc.CreateUser(ctx, account.NewUser{Email: "seller@example.com", Password: "seller-password-1", Name: "Sam", Role: auth.Seller})
	if err != nil {
		t.Fatal(err)
	}
	w.seller = auth.With(ctx, auth.Principal{UserID: seller.ID, Role: auth.Seller})
	if w.store, err = w.acc.OpenStore(w.seller, account.NewSeller{Name: "Trailhead Outfitters"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) drain(t *testing.T) {
	t.Helper()
	n, err := w.bus.Drain(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("Drain = %d, %v; want every event delivered", n, err)
	}
}

func (w *world) find(t *testing.T, q search.Query) search.Result {
	t.Helper()
	r, err := w.svc.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return r
}

func TestKeptInStepByEvents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		shoes, err := w.cat.CreateCategory(w.admin, catalog.NewCategory{Name: "Shoes"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.cat.CreateProduct(w.seller, catalog.NewProduct{Title: "Trail Runner", Brand: "Stride", CategoryID: shoes.ID,
			Status: catalog.Active, Attributes: map[string]string{"color": "Green"},
			Variants: []catalog.NewVariant{{SKU: "TR-1", Price: money.New(8900, "USD"), Options: map[string]string{"size": "42"}}}})
		if err != nil {
			t.Fatal(err)
		}
		draft, err := w.cat.CreateProduct(w.seller, catalog.NewProduct{Title: "Trail Draft", CategoryID: shoes.ID,
			Variants: []catalog.NewVariant{{SKU: "TD-1", Price: money.New(100, "USD")}}})
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)

		r := w.find(t, search.Query{Text: "trail"})
		if got := ids(r); !slices.Equal(got, []id.Product{p.ID}) {
			t.Fatalf("after create: %v, want [%s] (drafts are not indexed)", got, p.ID)
		}
		h := r.Items[0]
		if h.SellerName != "Trailhead Outfitters" || h.Availability != search.OutOfStock || h.Price.Min != money.New(8900, "USD") {
			t.Errorf("hit = %+v, want the store's name, out of stock, 89.00 USD", h)
		}
		if got := ids(w.find(t, search.Query{Text: "trailhead"})); !slices.Equal(got, []id.Product{p.ID}) {
			t.Errorf("store name search = %v", got)
		}

		// Stock arrives.
		five := int64(5)
		if _, err := w.inv.SetOnHand(w.seller, "TR-1", inventory.StockInput{OnHand: &five}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if r := w.find(t, search.Query{InStock: true}); !slices.Equal(ids(r), []id.Product{p.ID}) || r.Items[0].Available != 5 {
			t.Errorf("in stock after SetOnHand = %+v", r.Items)
		}

		// Renamed product, renamed category.
		if _, err := w.cat.UpdateProduct(w.seller, string(p.ID), catalog.ProductUpdate{Title: "Road Runner", Brand: "Stride", CategoryID: shoes.ID,
			Variants: []catalog.NewVariant{{SKU: "TR-1", Price: money.New(7900, "USD")}}}); err != nil {
			t.Fatal(err)
		}
		footwear := "Footwear"
		if _, err := w.cat.UpdateCategory(w.admin, string(shoes.ID), catalog.CategoryUpdate{Name: &footwear}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if r := w.find(t, search.Query{Text: "trail runner"}); len(r.Items) > 0 && !r.Relaxed {
			t.Errorf("old title still matches every word: %v", ids(r))
		}
		if got := ids(w.find(t, search.Query{Text: "road footwear"})); !slices.Equal(got, []id.Product{p.ID}) {
			t.Errorf("new title + new category name = %v", got)
		}

		// Ratings and sales from the signals table.
		if err := w.signals.PutSignals(ctx, []search.Signal{{ProductID: p.ID, Rating: 4.25, RatingCount: 8, Sales: 12}}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Refresh(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if r := w.find(t, search.Query{Text: "road"}); len(r.Items) != 1 || r.Items[0].Rating != 4.25 || r.Items[0].RatingCount != 8 {
			t.Errorf("rating after PutSignals = %+v", r.Items)
		}

		// A suspended store's products disappear, and come back.
		if _, err := w.acc.SuspendSeller(w.admin, w.store.ID); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if got := ids(w.find(t, search.Query{})); len(got) != 0 {
			t.Errorf("suspended store's products found: %v", got)
		}
		if _, err := w.acc.ReinstateSeller(w.admin, w.store.ID); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if got := ids(w.find(t, search.Query{})); !slices.Equal(got, []id.Product{p.ID}) {
			t.Errorf("reinstated store's products = %v", got)
		}

		// Archived: gone. Publishing the draft: found.
		if err := w.cat.ArchiveProduct(w.seller, string(p.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cat.UpdateProduct(w.seller, string(draft.ID), catalog.ProductUpdate{Title: "Trail Draft", CategoryID: shoes.ID, Status: catalog.Active,
			Variants: []catalog.NewVariant{{SKU: "TD-1", Price: money.New(100, "USD")}}}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if got := ids(w.find(t, search.Query{})); !slices.Equal(got, []id.Product{draft.ID}) {
			t.Errorf("after archive and publish: %v, want [%s]", got, draft.ID)
		}
		// Redelivering every event changes nothing.
		for _, e := range []id.Product{p.ID, draft.ID} {
			if err := w.svc.Refresh(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if got := ids(w.find(t, search.Query{})); !slices.Equal(got, []id.Product{draft.ID}) {
			t.Errorf("after refreshing again: %v", got)
		}
		// A rebuild from the database (primary-key scan) finds the same.
		if st, err := w.svc.Reindex(ctx, nil); err != nil || st.Products != 1 {
			t.Errorf("Reindex = %+v, %v; want 1 product", st, err)
		}
		if got := ids(w.find(t, search.Query{Text: "trail"})); !slices.Equal(got, []id.Product{draft.ID}) {
			t.Errorf("after Reindex: %v", got)
		}
	})
}

// TestLiveUpdate runs the relay as the server does and waits (generously)
// for a new product to become searchable.
func TestLiveUpdate(t *testing.T) {
	w := newWorld(t, sqldbtest.SQLite(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.bus.Run(ctx)
	cat, err := w.cat.CreateCategory(w.admin, catalog.NewCategory{Name: "Kitchen"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := w.cat.CreateProduct(w.seller, catalog.NewProduct{Title: "Copper Kettle", CategoryID: cat.ID, Status: catalog.Active,
		Variants: []catalog.NewVariant{{SKU: "CK-1", Price: money.New(4500, "USD")}}}); err != nil {
		t.Fatal(err)
	}
	for time.Since(start) < 20*time.Second {
		if r := w.find(t, search.Query{Text: "kettle"}); r.Total == 1 {
			t.Logf("searchable after %v", time.Since(start))
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the new product was not searchable within 20 s")
}
