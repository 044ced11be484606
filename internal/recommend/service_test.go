package recommend_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recmodel"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// now is the tests' clock.
var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// fakeCatalog is an in-memory recommend.Catalog.
type fakeCatalog struct {
	products map[id.Product]catalog.Product
	cats     []catalog.Category
}

func (c *fakeCatalog) Product(_ context.Context, idOrSlug string) (catalog.Product, error) {
	for _, p := range c.products {
		if string(p.ID) == idOrSlug || p.Slug == idOrSlug {
			return p, nil
		}
	}
	return catalog.Product{}, apperr.NotFound("product %s not found", idOrSlug)
}

func (c *fakeCatalog) Categories(context.Context) ([]catalog.Category, error) { return c.cats, nil }

func (c *fakeCatalog) ProductsAfter(_ context.Context, st catalog.Status, after id.Product, limit int) ([]catalog.Product, error) {
	var out []catalog.Product
	for _, p := range c.products {
		if p.Status == st && p.ID > after {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out[:min(limit, len(out))], nil
}

func (c *fakeCatalog) ProductRefs(_ context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error) {
	out := map[id.Product]catalog.ProductRef{}
	for _, pid := range ids {
		if p, ok := c.products[pid]; ok {
			r := catalog.ProductRef{ID: p.ID, Title: p.Title, Slug: p.Slug, SellerID: p.SellerID, CategoryID: p.CategoryID, Brand: p.Brand,
				MinPrice: p.PriceMin, Active: p.Status == catalog.Active}
			if len(p.Images) > 0 {
				r.Image = catalog.ImageURL(p.Images[0].ID)
			}
			out[pid] = r
		}
	}
	return out, nil
}

// fakeStock says every SKU has 5 units but those listed as 0.
type fakeStock map[string]int64

func (f fakeStock) Available(_ context.Context, skus []string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, s := range skus {
		n, ok := f[s]
		if !ok {
			n = 5
		}
		out[s] = n
	}
	return out, nil
}

// fakeSellers has every store active but those suspended.
type fakeSellers map[id.Seller]bool

func (f fakeSellers) Seller(_ context.Context, sel id.Seller) (account.Seller, error) {
	if f[sel] {
		return account.Seller{}, apperr.NotFound("seller %s not found", sel)
	}
	return account.Seller{ID: sel, Status: account.SellerActive}, nil
}

// bus records subscriptions and delivers events to them at once.
type bus struct{ handlers map[string][]event.Handler }

func (b *bus) Subscribe(_, topic string, h event.Handler) {
	if b.handlers == nil {
		b.handlers = map[string][]event.Handler{}
	}
	b.handlers[topic] = append(b.handlers[topic], h)
}

func (b *bus) deliver(t *testing.T, e event.Event) {
	t.Helper()
	for _, h := range b.handlers[e.Topic] {
		if err := h(context.Background(), e); err != nil {
			t.Fatalf("deliver %s: %v", e.Topic, err)
		}
	}
}

func eventOf[T any](t *testing.T, topic event.Topic[T], aggregate string, payload T) event.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return event.Event{ID: id.Make[id.Event](), Topic: topic.Name(), Aggregate: aggregate, Payload: b, Time: now}
}

// world is a service over a SQLite signals table and fake neighbours.
type world struct {
	t       *testing.T
	store   recommend.Store
	svc     *recommend.Service
	cat     *fakeCatalog
	stock   fakeStock
	sellers fakeSellers
	bus     *bus
}

func cat(idv, name, slug string, parent string) catalog.Category {
	c := catalog.Category{ID: id.Category(idv), Name: name, Slug: slug}
	if parent != "" {
		p := id.Category(parent)
		c.ParentID = &p
	}
	return c
}

func usd(cents int64) money.Money { return money.Money{Amount: cents, Currency: "USD"} }

// product makes an active product with one SKU named after it.
func product(pid, title string, category string, seller, brand string, cents int64) catalog.Product {
	return catalog.Product{ID: id.Product(pid), Slug: title, Title: title, Brand: brand, SellerID: id.Seller(seller),
		CategoryID: id.Category(category), Status: catalog.Active, PriceMin: usd(cents), PriceMax: usd(cents),
		Variants: []catalog.Variant{{SKU: "sku-" + pid, Price: usd(cents)}},
		Images:   []catalog.Image{{ID: id.Image("img_" + pid)}}, CreatedAt: now.Add(-30 * 24 * time.Hour)}
}

func newWorld(t *testing.T, products ...catalog.Product) *world {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := recommendsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, cat: &fakeCatalog{products: map[id.Product]catalog.Product{}, cats: []catalog.Category{
		cat("cat_camp", "Camping", "camping", ""), cat("cat_tents", "Tents", "tents", "cat_camp"),
		cat("cat_stoves", "Stoves", "stoves", "cat_camp"), cat("cat_kitchen", "Kitchen", "kitchen", ""),
	}}, stock: fakeStock{}, sellers: fakeSellers{}, bus: &bus{}}
	for _, p := range products {
		w.cat.products[p.ID] = p
	}
	w.store = recommendsql.New(db)
	w.svc = w.service()
	w.svc.Subscribe(w.bus)
	return w
}

// service is a new service over the world's table and neighbours.
func (w *world) service() *recommend.Service {
	return recommend.New(w.store, w.cat, w.stock, w.sellers, recommend.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }, Refs: w.cat})
}

// reloaded is the list a freshly started process answers to q, having
// loaded the table once: what the tailing one must agree with.
func (w *world) reloaded(q recommend.ProductQuery) recommend.List {
	w.t.Helper()
	fresh := &world{t: w.t, store: w.store, cat: w.cat, stock: w.stock, sellers: w.sellers}
	fresh.svc = fresh.service()
	if err := fresh.svc.Load(context.Background()); err != nil {
		w.t.Fatal(err)
	}
	return fresh.forProduct(q)
}

// load imports signals and loads the models.
func (w *world) load(sigs ...recommend.Signal) {
	w.t.Helper()
	if err := w.svc.Import(context.Background(), sigs, nil); err != nil {
		w.t.Fatal(err)
	}
	if err := w.svc.Load(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) tail() {
	w.t.Helper()
	if _, err := w.svc.Tail(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// bought is the signals of subject buying products, a minute apart.
func bought(subject string, products ...string) []recommend.Signal {
	var out []recommend.Signal
	for i, p := range products {
		out = append(out, recommend.Signal{Subject: subject, ProductID: id.Product(p), Kind: recmodel.Purchase,
			At: now.Add(-time.Hour + time.Duration(i)*time.Minute)})
	}
	return out
}

func viewed(subject string, products ...string) []recommend.Signal {
	out := bought(subject, products...)
	for i := range out {
		out[i].Kind = recmodel.View
	}
	return out
}

func ids(l recommend.List) []string {
	out := []string{}
	for _, it := range l.Items {
		out = append(out, string(it.ProductID))
	}
	return out
}

func (w *world) forProduct(q recommend.ProductQuery) recommend.List {
	w.t.Helper()
	l, err := w.svc.ForProduct(context.Background(), q)
	if err != nil {
		w.t.Fatalf("ForProduct(%+v): %v", q, err)
	}
	return l
}

func (w *world) forShopper(q recommend.ShopperQuery) recommend.List {
	w.t.Helper()
	l, err := w.svc.ForShopper(context.Background(), q)
	if err != nil {
		w.t.Fatalf("ForShopper(%+v): %v", q, err)
	}
	return l
}

// camping is the products most tests share.
func camping() []catalog.Product {
	return []catalog.Product{
		product("prd_tent", "Trail Tent", "cat_tents", "sel_a", "Acme", 20000),
		product("prd_stove", "Camp Stove", "cat_stoves", "sel_b", "Blaze", 5000),
		product("prd_fuel", "Fuel Can", "cat_stoves", "sel_c", "Blaze", 800),
		product("prd_bag", "Sleeping Bag", "cat_tents", "sel_d", "Dune", 9000),
		product("prd_gone", "Sold Out Lamp", "cat_tents", "sel_a", "Acme", 3000),
		product("prd_old", "Old Tarp", "cat_tents", "sel_a", "Acme", 1000),
		product("prd_shut", "Closed Store Mug", "cat_stoves", "sel_x", "Xeno", 1200),
		product("prd_pan", "Frying Pan", "cat_kitchen", "sel_e", "Ember", 4000),
	}
}

func TestAlsoBoughtFiltersAndExplains(t *testing.T) {
	ps := camping()
	ps[5].Status = catalog.Archived
	w := newWorld(t, ps...)
	w.stock["sku-prd_gone"] = 0
	w.sellers["sel_x"] = true
	var sigs []recommend.Signal
	for i, other := range []string{"prd_stove", "prd_fuel", "prd_gone", "prd_old", "prd_shut", "prd_stove", "prd_bag"} {
		sigs = append(sigs, bought(fmt.Sprintf("u:usr_%d", i), "prd_tent", other)...)
	}
	sigs = append(sigs, bought("u:usr_me", "prd_fuel")...)
	w.load(sigs...)

	l := w.forProduct(recommend.ProductQuery{Product: "prd_tent", Kind: recommend.AlsoBought})
	if got, want := ids(l), []string{"prd_stove", "prd_bag", "prd_fuel"}; !slices.Equal(got, want) {
		t.Fatalf("also bought with the tent = %v, want %v (archived, sold out and suspended dropped; most bought first)", got, want)
	}
	it := l.Items[0]
	want := recommend.Item{ProductID: "prd_stove", Slug: "Camp Stove", Title: "Camp Stove", Brand: "Blaze", Image: "/api/v1/image/img_prd_stove",
		PriceMin: usd(5000), PriceMax: usd(5000), SellerID: "sel_b", CategoryID: "cat_stoves",
		Reason: recommend.Reason{Code: "bought_with", Text: "Bought together with Trail Tent", ProductID: "prd_tent"}, Score: it.Score}
	if it != want || it.Score <= 0 {
		t.Errorf("first item = %+v\nwant %+v", it, want)
	}
	// Details are read from the catalog as they are now: a renamed product
	// shows its new title; one archived a moment ago (no event yet) is gone.
	stove, bag := w.cat.products["prd_stove"], w.cat.products["prd_bag"]
	stove.Title, bag.Status = "Camp Stove II", catalog.Archived
	w.cat.products["prd_stove"], w.cat.products["prd_bag"] = stove, bag
	l = w.forProduct(recommend.ProductQuery{Product: "prd_tent", Kind: recommend.AlsoBought})
	if got := ids(l); !slices.Equal(got, []string{"prd_stove", "prd_fuel"}) || l.Items[0].Title != "Camp Stove II" {
		t.Errorf("after a rename and an archive = %v (%q), want the stove renamed and the bag gone", got, l.Items[0].Title)
	}
	stove.Title, bag.Status = "Camp Stove", catalog.Active
	w.cat.products["prd_stove"], w.cat.products["prd_bag"] = stove, bag
	// By slug, for a shopper who bought the fuel already.
	l = w.forProduct(recommend.ProductQuery{Product: "Trail Tent", Kind: recommend.AlsoBought, User: "usr_me"})
	if got := ids(l); slices.Contains(got, "prd_fuel") || len(got) != 2 {
		t.Errorf("also bought for a shopper who bought the fuel = %v, want it left out", got)
	}
	// Nothing bought with the pan: an empty list, not nil.
	if l := w.forProduct(recommend.ProductQuery{Product: "prd_pan", Kind: recommend.AlsoBought}); l.Items == nil || len(l.Items) != 0 {
		t.Errorf("also bought with the pan = %#v, want an empty list", l.Items)
	}
	_, err := w.svc.ForProduct(context.Background(), recommend.ProductQuery{Product: "prd_nope", Kind: recommend.AlsoBought})
	if apperr.KindOf(err) != apperr.KindNotFound || apperr.CodeOf(err) != "product_not_found" {
		t.Errorf("unknown product: %v, want NotFound product_not_found", err)
	}
	_, err = w.svc.ForProduct(context.Background(), recommend.ProductQuery{Product: "prd_tent", Kind: "bogus"})
	if apperr.KindOf(err) != apperr.KindInvalid {
		t.Errorf("unknown kind: %v, want Invalid", err)
	}
}

func TestListsSpreadAcrossSellersAndBrands(t *testing.T) {
	ps := []catalog.Product{product("prd_x", "Anchor", "cat_tents", "sel_z", "Zed", 1000)}
	var sigs []recommend.Signal
	for i := range 5 { // five of one seller and brand, bought with the anchor most
		pid := fmt.Sprintf("prd_big%d", i)
		ps = append(ps, product(pid, "Big "+pid, "cat_tents", "sel_big", "Big", 1000))
		for u := range 3 {
			sigs = append(sigs, bought(fmt.Sprintf("u:usr_%d_%d", i, u), "prd_x", pid)...)
		}
	}
	for i := range 2 {
		pid := fmt.Sprintf("prd_small%d", i)
		ps = append(ps, product(pid, "Small "+pid, "cat_tents", fmt.Sprintf("sel_s%d", i), fmt.Sprintf("Small%d", i), 1000))
		sigs = append(sigs, bought(fmt.Sprintf("u:usr_s%d", i), "prd_x", pid)...)
	}
	w := newWorld(t, ps...)
	w.load(sigs...)
	l := w.forProduct(recommend.ProductQuery{Product: "prd_x", Kind: recommend.AlsoBought, Limit: 3})
	sellers := map[id.Seller]int{}
	for _, it := range l.Items {
		sellers[it.SellerID]++
	}
	if len(l.Items) != 3 || sellers["sel_big"] != 1 {
		t.Errorf("limit 3 = %v, want one of the big seller's and the two others", ids(l))
	}
	// With more asked than the others can fill, the big seller fills the rest.
	l = w.forProduct(recommend.ProductQuery{Product: "prd_x", Kind: recommend.AlsoBought, Limit: 6})
	if len(l.Items) != 6 {
		t.Errorf("limit 6 = %v, want 6 items", ids(l))
	}
}

func TestForYouGuestAndUser(t *testing.T) {
	w := newWorld(t, camping()...)
	var sigs []recommend.Signal
	for i := range 3 { // shoppers who looked at the tent looked at the bag
		sigs = append(sigs, viewed(fmt.Sprintf("s:others%04d", i), "prd_tent", "prd_bag")...)
	}
	for i := range 4 { // the pan is trending
		sigs = append(sigs, bought(fmt.Sprintf("u:usr_pan%d", i), "prd_pan")...)
	}
	sigs = append(sigs, bought("u:usr_buyer", "prd_stove")...)
	sigs = append(sigs, bought("u:usr_other", "prd_stove", "prd_fuel")...)
	w.load(sigs...)

	// A new shopper gets trending.
	l := w.forShopper(recommend.ShopperQuery{Kind: recommend.ForYou, Session: "newcomer1"})
	if len(l.Items) == 0 || l.Items[0].ProductID != "prd_pan" || l.Items[0].Reason.Code != "trending" {
		t.Fatalf("for a new guest = %+v, want the trending pan first", l.Items)
	}
	// A guest views the tent (the beacon): the bag, because of it.
	if err := w.svc.View(context.Background(), "", "guest0001", "prd_tent"); err != nil {
		t.Fatal(err)
	}
	w.tail()
	l = w.forShopper(recommend.ShopperQuery{Kind: recommend.ForYou, Session: "guest0001"})
	if len(l.Items) == 0 || l.Items[0].ProductID != "prd_bag" ||
		l.Items[0].Reason != (recommend.Reason{Code: "viewed", Text: "Because you viewed Trail Tent", ProductID: "prd_tent"}) {
		t.Fatalf("for the guest who viewed the tent = %+v, want the bag because of the tent", l.Items)
	}
	if slices.Contains(ids(l), "prd_tent") {
		t.Errorf("for you holds the product the guest viewed: %v", ids(l))
	}
	// Signed in with the same session: the session's views count.
	l = w.forShopper(recommend.ShopperQuery{Kind: recommend.ForYou, User: "usr_buyer", Session: "guest0001"})
	if got := ids(l); !slices.Contains(got, "prd_bag") || !slices.Contains(got, "prd_fuel") || slices.Contains(got, "prd_stove") {
		t.Errorf("for the user with a session = %v, want the bag (session) and fuel (bought with the stove), not the stove", got)
	}
	for _, it := range l.Items {
		if it.ProductID == "prd_fuel" && it.Reason.Code != "bought" {
			t.Errorf("fuel's reason = %+v, want bought (because you bought Camp Stove)", it.Reason)
		}
	}
}

func TestSimilarForANewProduct(t *testing.T) {
	w := newWorld(t, camping()...)
	w.load()
	np := product("prd_new", "Ultralight Tent", "cat_tents", "sel_n", "Acme", 21000)
	w.cat.products[np.ID] = np
	w.bus.deliver(t, eventOf(t, catalog.TopicProductCreated, string(np.ID), catalog.ProductEvent{ID: np.ID, Slug: np.Slug,
		SellerID: np.SellerID, Title: np.Title, Brand: np.Brand, Status: catalog.Active, CategoryIDs: []id.Category{"cat_camp", "cat_tents"},
		Variants: []catalog.VariantDoc{{SKU: "sku-prd_new", Price: usd(21000)}}, PriceMin: usd(21000), PriceMax: usd(21000)}))
	l := w.forProduct(recommend.ProductQuery{Product: "prd_new", Kind: recommend.Similar})
	if len(l.Items) == 0 || l.Items[0].ProductID != "prd_tent" ||
		l.Items[0].Reason != (recommend.Reason{Code: "similar_to", Text: "Similar to Ultralight Tent", ProductID: "prd_new"}) {
		t.Fatalf("similar to a new tent = %+v, want the Acme tent first", l.Items)
	}
}

func TestTrendingPerCategory(t *testing.T) {
	w := newWorld(t, camping()...)
	var sigs []recommend.Signal
	for i := range 3 {
		sigs = append(sigs, viewed(fmt.Sprintf("s:viewer%04d", i), "prd_stove", "prd_bag", "prd_pan")...)
	}
	sigs = append(sigs, viewed("s:viewer9999", "prd_stove")...)
	w.load(sigs...)
	l := w.forShopper(recommend.ShopperQuery{Kind: recommend.Trending})
	if got := ids(l); len(got) < 3 || got[0] != "prd_stove" || l.Items[0].Reason.Text != "Trending" {
		t.Errorf("trending = %v (%+v), want the stove first", got, l.Items)
	}
	l = w.forShopper(recommend.ShopperQuery{Kind: recommend.Trending, Category: "camping"})
	if got := ids(l); slices.Contains(got, "prd_pan") || !slices.Contains(got, "prd_bag") || got[0] != "prd_stove" {
		t.Errorf("trending in camping = %v, want the stove and the bag, not the pan", got)
	}
	l = w.forShopper(recommend.ShopperQuery{Kind: recommend.Trending, Category: "cat_tents"})
	if len(l.Items) == 0 || l.Items[0].ProductID != "prd_bag" ||
		l.Items[0].Reason != (recommend.Reason{Code: "trending", Text: "Trending in Tents", CategoryID: "cat_tents"}) {
		t.Errorf("trending in tents = %+v, want the bag, trending in Tents", l.Items)
	}
	for _, it := range l.Items {
		if it.CategoryID != "cat_tents" {
			t.Errorf("trending in tents holds %s of %s", it.ProductID, it.CategoryID)
		}
	}
	if _, err := w.svc.ForShopper(context.Background(), recommend.ShopperQuery{Kind: recommend.Trending, Category: "nowhere"}); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("trending in an unknown category: %v, want NotFound", err)
	}
}

func TestPurchaseEventShowsAfterTail(t *testing.T) {
	w := newWorld(t, camping()...)
	w.load()
	paid := eventOf(t, order.TopicPaid, "ord_1", order.PaidEvent{OrderID: "ord_1", CustomerID: "usr_1", PaidAt: now,
		SellerOrders: []order.PaidSeller{{SellerID: "sel_a", Lines: []order.PaidLine{{SKU: "sku-prd_tent", ProductID: "prd_tent"}}},
			{SellerID: "sel_d", Lines: []order.PaidLine{{SKU: "sku-prd_bag", ProductID: "prd_bag"}}}}})
	w.bus.deliver(t, paid)
	w.bus.deliver(t, paid) // a redelivery counts once
	if l := w.forProduct(recommend.ProductQuery{Product: "prd_tent", Kind: recommend.AlsoBought}); len(l.Items) != 0 {
		t.Fatalf("also bought before the tail = %v, want none yet", ids(l))
	}
	w.tail()
	l := w.forProduct(recommend.ProductQuery{Product: "prd_tent", Kind: recommend.AlsoBought})
	if got := ids(l); !slices.Equal(got, []string{"prd_bag"}) {
		t.Fatalf("also bought after the tail = %v, want [prd_bag]", got)
	}
	if want := w.reloaded(recommend.ProductQuery{Product: "prd_tent", Kind: recommend.AlsoBought}); l.Items[0].Score != want.Items[0].Score {
		t.Errorf("score = %v, want %v as a fresh load of the table has it (the order counted once)", l.Items[0].Score, want.Items[0].Score)
	}
	// The cart list: what goes with the tent, not the tent.
	l = w.forShopper(recommend.ShopperQuery{Kind: recommend.Cart, Products: []id.Product{"prd_tent"}})
	if got := ids(l); len(got) == 0 || got[0] != "prd_bag" || slices.Contains(got, "prd_tent") {
		t.Errorf("cart list for the tent = %v, want the bag first, then similar, never the tent", got)
	}
	// The buyer is not offered what it bought.
	l = w.forShopper(recommend.ShopperQuery{Kind: recommend.Cart, Products: []id.Product{"prd_tent"}, User: "usr_1"})
	if slices.Contains(ids(l), "prd_bag") {
		t.Errorf("cart list for the buyer = %v, want the bag it bought left out", ids(l))
	}
}

func TestListsReachPastOutOfStock(t *testing.T) {
	ps := []catalog.Product{product("prd_x", "Anchor", "cat_tents", "sel_z", "Zed", 1000)}
	var sigs []recommend.Signal
	for i := range 14 { // the 12 bought most are out of stock
		pid := fmt.Sprintf("prd_%02d", i)
		ps = append(ps, product(pid, "P"+pid, "cat_tents", fmt.Sprintf("sel_%d", i), fmt.Sprintf("B%d", i), 1000))
		for u := range 20 - i {
			sigs = append(sigs, bought(fmt.Sprintf("u:usr_%d_%d", i, u), "prd_x", pid)...)
		}
	}
	w := newWorld(t, ps...)
	for i := range 12 {
		w.stock[fmt.Sprintf("sku-prd_%02d", i)] = 0
	}
	w.load(sigs...)
	l := w.forProduct(recommend.ProductQuery{Product: "prd_x", Kind: recommend.AlsoBought, Limit: 2})
	if got := ids(l); !slices.Equal(got, []string{"prd_12", "prd_13"}) {
		t.Errorf("also bought, limit 2 = %v, want the two in stock past the 12 out of stock", got)
	}
}
