package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accounthttp"
	"github.com/bazaar-market/bazaar/internal/account/accountsql"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/cart/carthttp"
	"github.com/bazaar-market/bazaar/internal/cart/cartsql"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloghttp"
	"github.com/bazaar-market/bazaar/internal/catalog/catalogsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventhttp"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventoryhttp"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/orderhttp"
	"github.com/bazaar-market/bazaar/internal/order/ordersql"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/review"
	"github.com/bazaar-market/bazaar/internal/review/reviewhttp"
	"github.com/bazaar-market/bazaar/internal/review/reviewsql"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/search/searchbleve"
	"github.com/bazaar-market/bazaar/internal/search/searchhttp"
	"github.com/bazaar-market/bazaar/internal/search/searchsql"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmenthttp"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentsql"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// modules holds every built module of this process.
type modules struct {
	account   *account.Service
	catalog   *catalog.Service
	inventory *inventory.Service
	cart      *cart.Service
	payment   *payment.Service
	gateway   *testgateway.Gateway
	order     *order.Service
	shipment  *shipment.Service
	search    *search.Service
	review    *review.Service
}

// check is the auth middleware's hook: it confirms the caller's account is
// still active and its session not revoked.
func (m *modules) check(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	return m.account.Check(ctx, p)
}

// wire migrates and builds every module and mounts their routes. Modules are
// built in dependency order (account <- catalog <- inventory <- cart), none
// refers back: the availability a product shows, which inventory owns, is
// added by the catalog's door (cataloghttp), built after both.
func (s *Server) wire(ctx context.Context) error {
	for _, migrate := range []func(context.Context, *sqldb.DB) error{
		accountsql.Migrate,
		catalogsql.Migrate,
		inventorysql.Migrate,
		cartsql.Migrate,
		paymentsql.Migrate,
		testgateway.Migrate,
		ordersql.Migrate,
		shipmentsql.Migrate,
		searchsql.Migrate,
		reviewsql.Migrate,
	} {
		if err := migrate(ctx, s.db); err != nil {
			return err
		}
	}
	m := &s.mods
	m.account = account.New(accountsql.New(s.db), s.tokens, account.Options{})
	m.catalog = catalog.New(catalogsql.New(s.db), m.account, catalog.Options{
		ImageDir: filepath.Join(s.cfg.DataDir, "images"),
	})
	m.inventory = inventory.New(inventorysql.New(s.db), m.catalog, m.account, inventory.Options{Logger: s.log.With("module", "inventory")})
	m.cart = cart.New(cartsql.New(s.db), m.catalog, m.inventory, m.account, cart.Options{})
	// The built-in test gateway reports outcomes as signed webhooks through
	// the real webhook route, exactly as an external gateway would. The
	// handler exists only once every route is mounted, hence the closure.
	m.gateway = testgateway.New(s.db, testgateway.Options{
		Deliver: func(ctx context.Context, h http.Header, body []byte) error {
			return paymenthttp.Loopback(s.handler, testgateway.Name)(ctx, h, body)
		},
		Logger: s.log.With("module", "testgateway"),
	})
	m.payment = payment.New(paymentsql.New(s.db), m.gateway, payment.Options{Logger: s.log.With("module", "payment")})
	// The order module reaches inventory and carts only through their
	// services (never its own transaction): when the modules are split into
	// services, remote clients go here.
	m.order = order.New(ordersql.New(s.db), order.Deps{
		Catalog: m.catalog, Carts: m.cart, Addresses: m.account, Sellers: m.account, Payments: m.payment,
		Stock: m.inventory,
	}, order.Options{ReservationTTL: s.cfg.ReservationTTL, Logger: s.log.With("module", "order")})
	m.order.Subscribe(s.bus)
	m.shipment = shipment.New(shipmentsql.New(s.db), m.order, m.account, shipment.Options{})
	m.shipment.Subscribe(s.bus)
	m.review = review.New(reviewsql.New(s.db), m.catalog, m.order, m.account, review.Options{})
	if s.cfg.SearchSynonyms != "" {
		f, err := os.Open(s.cfg.SearchSynonyms)
		if err != nil {
			return fmt.Errorf("search synonyms: %w", err)
		}
		s.synonyms, err = search.ParseSynonyms(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("search synonyms %s: %w", s.cfg.SearchSynonyms, err)
		}
	}
	// Search only subscribes and answers queries. Its index lives in the
	// data dir and is opened when first needed, so commands that build the
	// modules but neither search nor relay events (migrate, seed, user)
	// leave alone an index a running server holds.
	replica, err := s.searchReplica()
	if err != nil {
		return err
	}
	s.replica = replica
	srch, err := search.New(catalogsql.New(s.db), m.inventory, m.account, searchsql.New(s.db), s.searchOptions())
	if err != nil {
		return err
	}
	m.search = srch
	m.search.Subscribe(s.bus)

	accounthttp.New(m.account).Routes(s.router)
	cataloghttp.New(m.catalog, m.inventory).Routes(s.router)
	inventoryhttp.New(m.inventory).Routes(s.router)
	carthttp.New(m.cart).Routes(s.router)
	paymenthttp.New(m.payment).Routes(s.router)
	orderhttp.New(m.order).Routes(s.router)
	shipmenthttp.New(m.shipment).Routes(s.router)
	searchhttp.New(m.search).Routes(s.router)
	reviewhttp.New(m.review).Routes(s.router)
	eventhttp.New(event.NewConsole(s.bus)).Routes(s.router)
	return s.serveOpenAPI(
		eventhttp.New(event.NewConsole(s.bus)).Ops(),
		accounthttp.New(m.account).Ops(),
		cataloghttp.New(m.catalog, m.inventory).Ops(),
		inventoryhttp.New(m.inventory).Ops(),
		carthttp.New(m.cart).Ops(),
		paymenthttp.New(m.payment).Ops(),
		orderhttp.New(m.order).Ops(),
		shipmenthttp.New(m.shipment).Ops(),
		searchhttp.New(m.search).Ops(),
		reviewhttp.New(m.review).Ops(),
	)
}

// searchOptions places the search index in the data dir, on the embedded engine.
func (s *Server) searchOptions() search.Options {
	return search.Options{Dir: filepath.Join(s.cfg.DataDir, "search"), Open: searchbleve.Open, Logger: s.log.With("module", "search"),
		Queue: searchsql.New(s.db).ForReplica(s.replica), Replica: s.replica, Synonyms: s.synonyms}
}

// background lists the periodic jobs Serve runs next to the HTTP server.
// Singleton jobs run under a lease: however many processes share the
// database, each runs in one of them at a time. The search jobs are per
// replica and run in every process.
func (s *Server) background() []func(ctx context.Context) {
	m := &s.mods
	single := func(name string, job func(ctx context.Context)) func(ctx context.Context) {
		return func(ctx context.Context) { s.leases.Run(ctx, name, job) }
	}
	return []func(ctx context.Context){
		single("inventory.sweeper", func(ctx context.Context) { m.inventory.RunSweeper(ctx, 15*time.Second) }),
		single("testgateway.deliver", func(ctx context.Context) { m.gateway.Run(ctx) }),
		single("payment.reconciler", func(ctx context.Context) { m.payment.RunReconciler(ctx, time.Minute) }),
		single("order.expirer", func(ctx context.Context) { m.order.RunExpirer(ctx, 15*time.Second) }),
		// A new data dir (or a replica) starts with an empty index: build it
		// from the database in the background; searches answer meanwhile.
		func(ctx context.Context) {
			if err := m.search.ReindexIfNeeded(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("search: build the index", "err", err)
			}
		},
		func(ctx context.Context) { m.search.Run(ctx) },
		func(ctx context.Context) { m.search.RunQueue(ctx) },
		single("server.purge", func(ctx context.Context) {
			every(ctx, time.Hour, func(ctx context.Context) {
				if _, err := m.cart.PurgeGuestCarts(ctx, time.Now().Add(-cart.GuestTTL)); err != nil {
					s.log.Warn("purge guest carts", "err", err)
				}
				if _, err := m.account.PurgeExpiredTokens(ctx); err != nil {
					s.log.Warn("purge refresh tokens", "err", err)
				}
				if _, err := s.keys.Purge(ctx); err != nil {
					s.log.Warn("purge idempotency keys", "err", err)
				}
			})
		}),
	}
}

// every runs f now and then every d until ctx ends.
func every(ctx context.Context, d time.Duration, f func(ctx context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
