package server

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/demo"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/review/reviewsql"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
)

// SeedOptions controls demo seeding.
type SeedOptions struct {
	Progress io.Writer // where progress lines go; nil for none
	// PerCategory is how many products each demo store lists per category
	// (default 10: about 200 products).
	PerCategory int
	// ImageSize is the side of generated product images (default 480 px).
	ImageSize int
	// NoActivity leaves out the demo customer's orders, returns and
	// tickets. Seeding them delivers events in this process (payments
	// settle and orders move only as their events are consumed), which
	// `bazaar seed` must not do: a server running on the same data dir
	// holds the search index.
	NoActivity bool
	// PayMethod is the method token the demo orders are paid with; empty
	// for the one the gateway taking dollars is known to accept
	// server-side (demoPayMethod). A test double of a gateway names its own.
	PayMethod string
}

// Login is a demo account's credentials, printed at start.
type Login = demo.Login

// Seed loads the demo marketplace idempotently, through the modules' own
// services, and returns one login per role.
func (s *Server) Seed(ctx context.Context, opts SeedOptions) ([]Login, error) {
	m := &s.mods
	seeder := demo.Seeder{
		Accounts:    m.account,
		Catalog:     m.catalog,
		Stock:       m.inventory,
		Reviews:     m.review,
		Recommend:   m.recommend,
		PerCategory: opts.PerCategory,
		ImageSize:   opts.ImageSize,
	}
	method, payable := s.demoPayMethod()
	if opts.PayMethod != "" {
		method, payable = opts.PayMethod, true
	}
	if !opts.NoActivity && !payable {
		s.log.Warn("demo orders, returns and tickets left out: dollars are routed to a gateway that takes no server-side test payments")
	}
	if !opts.NoActivity && payable {
		seeder.Orders, seeder.Shipments, seeder.Support, seeder.Events = m.order, m.shipment, m.support, settler{s}
		seeder.PayMethod = method
	}
	return seeder.Seed(ctx, opts.Progress)
}

// demoPayMethod is the method token the demo orders (in dollars) are paid
// with server-side, if the gateway taking dollars has one.
func (s *Server) demoPayMethod() (string, bool) {
	routes, _ := parseRoutes(s.cfg.Payments.Gateways)
	switch routes["USD"] {
	case "", "test":
		return "tok_visa", true
	case "razorpay":
		return "rzp_test_success", s.cfg.Payments.Razorpay.TestTokens
	case "stripe":
		// Stripe's test mode takes its test payment methods; stripe-mock
		// (an API base) answers fixtures that decline them.
		st := s.cfg.Payments.Stripe
		return "pm_card_visa", strings.HasPrefix(st.SecretKey, "sk_test_") && st.APIBase == ""
	}
	return "", false
}

// settler lets the demo seeding's payments and events run their course in
// this process, whether or not Serve runs: the test gateway settles its
// intents and sends their webhooks through the handler, and the bus
// delivers the outbox to the consumers (Drain relays one batch at a time
// with the relay Serve runs, never the same events twice).
type settler struct{ s *Server }

func (t settler) Settle(ctx context.Context) error {
	if _, err := t.s.mods.gateway.Flush(ctx); err != nil {
		return err
	}
	_, err := t.s.bus.Drain(ctx)
	return err
}

// CreateUser creates an account of any role (the CLI's bootstrap path).
func (s *Server) CreateUser(ctx context.Context, email, password, name, role string) (string, error) {
	u, err := s.mods.account.CreateUser(ctx, account.NewUser{Email: email, Password: password, Name: name, Role: auth.Role(role)})
	if err != nil {
		return "", err
	}
	return string(u.ID), nil
}

// SeedCatalog loads a synthetic marketplace catalog of the generator
// (cataloggen): its stores, category tree, products with variants, opening
// stock and ratings and sales, in bulk and without events, then rebuilds
// the search index (a running server swaps it in within seconds). It is
// deterministic for cfg.Seed, and refuses a seed already loaded. Both steps
// report to progress (nil for none).
func (s *Server) SeedCatalog(ctx context.Context, cfg cataloggen.Config, progress io.Writer) (cataloggen.Stats, search.ReindexStats, error) {
	opts := cataloggen.Options{Config: cfg}
	if progress != nil {
		opts.Progress = search.NewProgress(progress, cfg.Products, "seeding products")
	}
	inv := inventorysql.New(s.db)
	opts.Stock = func(ctx context.Context, ps []catalog.Product) error {
		var levels []inventorysql.Import
		for _, p := range ps {
			for _, v := range p.Variants {
				levels = append(levels, inventorysql.Import{
					Item:   inventory.Item{SKU: v.SKU, ProductID: p.ID, SellerID: p.SellerID},
					OnHand: cataloggen.OnHand(v.SKU),
				})
			}
		}
		return inv.ImportStock(ctx, levels, time.Now())
	}
	// The generated ratings are the review module's too, as ratings
	// without text: the product page's summary and search agree.
	opts.Ratings = func(ctx context.Context, rs []cataloggen.Rated) error {
		imp := make([]review.Imported, len(rs))
		for i, r := range rs {
			imp[i].ProductID = r.ProductID
			for j, n := range r.Stars {
				imp[i].Stars[j] = int(n)
			}
		}
		return reviewsql.New(s.db).ImportRatings(ctx, imp, time.Now())
	}
	opts.Signals = putSignals(searchsql.New(s.db))
	st, err := cataloggen.Seed(ctx, s.mods.account, catalogsql.New(s.db), opts)
	if err != nil {
		return st, search.ReindexStats{}, err
	}
	rs, err := s.Reindex(ctx, progress)
	return st, rs, err
}

// putSignals loads generated ratings and sales as the search module's
// ranking signals.
func putSignals(store *searchsql.Store) func(ctx context.Context, sigs []cataloggen.Signal) error {
	return func(ctx context.Context, sigs []cataloggen.Signal) error {
		out := make([]search.Signal, len(sigs))
		for i, sg := range sigs {
			out[i] = search.Signal(sg)
		}
		return store.PutSignals(ctx, out)
	}
}

// Reindex rebuilds the search index from the database into a new folder
// and points the data dir at it; a server running on the same data dir
// swaps it in within seconds, answering from the old index meanwhile.
func (s *Server) Reindex(ctx context.Context, progress io.Writer) (search.ReindexStats, error) {
	m := &s.mods
	return search.Rebuild(ctx, m.catalog.Feed(), m.inventory, m.account, searchsql.New(s.db), s.searchOptions(), progress)
}
