package server

import (
	"context"
	"fmt"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/account/accounthttp"
	"github.com/bazaar-market/bazaar/internal/account/accountoidc"
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
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgerhttp"
	"github.com/bazaar-market/bazaar/internal/ledger/ledgersql"
	"github.com/bazaar-market/bazaar/internal/live"
	"github.com/bazaar-market/bazaar/internal/live/livehttp"
	"github.com/bazaar-market/bazaar/internal/notify"
	"github.com/bazaar-market/bazaar/internal/notify/notifyhttp"
	"github.com/bazaar-market/bazaar/internal/notify/notifysmtp"
	"github.com/bazaar-market/bazaar/internal/notify/notifysql"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/orderhttp"
	"github.com/bazaar-market/bazaar/internal/order/ordersql"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/recommend"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendhttp"
	"github.com/bazaar-market/bazaar/internal/recommend/recommendsql"
	"github.com/bazaar-market/bazaar/internal/rest"
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
	"github.com/bazaar-market/bazaar/internal/support"
	"github.com/bazaar-market/bazaar/internal/support/supporthttp"
	"github.com/bazaar-market/bazaar/internal/support/supportsql"
	"github.com/bazaar-market/bazaar/internal/unit"
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
	recommend *recommend.Service
	review    *review.Service
	support   *support.Service
	ledger    *ledger.Service
	notify    *notify.Service
	live      *live.Hub
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
		supportsql.Migrate,
		ledgersql.Migrate,
		notifysql.Migrate,
		recommendsql.Migrate,
	} {
		if err := migrate(ctx, s.db); err != nil {
			return err
		}
	}
	m := &s.mods
	var providers []account.IdentityProvider
	for _, c := range s.cfg.OIDC {
		c.Logger = s.log.With("module", "account", "oidc", c.Name)
		providers = append(providers, accountoidc.New(c))
	}
	// Account mail goes through notify's outbox, built further down: the
	// adapter reaches it through m when a mail is sent.
	register := s.cfg.Edge.Register
	if register == (ratelimit.Rule{}) {
		register = ratelimit.Rule{Limit: -1} // off unless configured (see Edge)
	}
	m.account = account.New(accountsql.New(s.db), s.tokens, account.Options{Providers: providers,
		Mailer: accountMailer{m}, Logger: s.log.With("module", "account"), Limits: s.limits, RegisterLimit: register})
	m.catalog = catalog.New(catalogsql.New(s.db), m.account, catalog.Options{
		ImageDir: filepath.Join(s.cfg.DataDir, "images"),
		Verified: m.account, // sellers verify their e-mail before listing
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
	if s.cfg.Payments.Fakes {
		if err := s.mountPaymentFakes(); err != nil {
			return fmt.Errorf("payment fakes: %w", err)
		}
	}
	routes, err := paymentRoutes(s.cfg.Payments, s.log)
	if err != nil {
		return fmt.Errorf("payment gateways: %w", err)
	}
	for cur, g := range routes {
		s.log.Info("payments routed", "currency", cur, "gateway", g.Name())
	}
	cod, err := codPolicy(s.cfg.Payments.CODLimits)
	if err != nil {
		return fmt.Errorf("cash on delivery: %w", err)
	}
	manual, err := parseCapture(s.cfg.Payments.Capture, []string{"test", "stripe", "razorpay"})
	if err != nil {
		return err
	}
	m.payment = payment.New(paymentsql.New(s.db), m.gateway, payment.Options{Logger: s.log.With("module", "payment"), Route: routes,
		COD: cod, Sellers: ledgerSellers{m.account}, Parts: paymentParts{m}, ManualCapture: manual})
	// The order module reaches inventory and carts only through their
	// services (never its own transaction): when the modules are split into
	// services, remote clients go here.
	m.order = order.New(ordersql.New(s.db), order.Deps{
		Catalog: m.catalog, Carts: m.cart, Addresses: m.account, Sellers: m.account, Payments: m.payment,
		Stock: m.inventory,
	}, order.Options{ReservationTTL: s.cfg.ReservationTTL, Logger: s.log.With("module", "order")})
	m.shipment = shipment.New(shipmentsql.New(s.db), m.order, m.account, shipment.Options{})
	m.review = review.New(reviewsql.New(s.db), m.catalog, m.order, m.account, review.Options{})
	m.support = support.New(supportsql.New(s.db), support.Deps{
		Orders: m.order, Products: m.catalog, Refunds: m.payment, Stock: m.inventory, People: m.account, Loads: m.shipment,
	}, support.Options{FileDir: filepath.Join(s.cfg.DataDir, "attachments"), Logger: s.log.With("module", "support")})
	var transfers ledger.Transferer
	for _, g := range routes {
		if sg, ok := g.(*stripegw.Gateway); ok {
			transfers = stripeTransfers{sg} // payouts to connected accounts
		}
	}
	m.ledger = ledger.New(ledgersql.New(s.db), ledger.Deps{Sellers: ledgerSellers{m.account}, Transfers: transfers},
		ledger.Options{PayoutInterval: s.cfg.PayoutInterval, Logger: s.log.With("module", "ledger")})
	var sender notify.Sender
	if s.cfg.SMTPURL != "" {
		smtp, err := notifysmtp.New(s.cfg.SMTPURL, s.cfg.MailFrom)
		if err != nil {
			return err
		}
		sender = smtp
	}
	m.live = live.NewHub(live.Options{})
	m.notify = notify.New(notifysql.New(s.db), notifyPeople{m.account}, notify.Options{Sender: sender,
		Logger: s.log.With("module", "notify"), BaseURL: s.publicURL(), LowStock: s.cfg.LowStock, OnNotified: liveNotices(m.live)})
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
	srch, err := search.New(m.catalog.Feed(), m.inventory, m.account, searchsql.New(s.db), s.searchOptions())
	if err != nil {
		return err
	}
	m.search = srch
	// Recommendations keep their models in memory, one copy per process
	// (named like its search replica), loaded from the signals table by a
	// job and kept in step by tailing it.
	m.recommend = recommend.New(recommendsql.New(s.db), m.catalog.Feed(), m.inventory, m.account, recommend.Options{
		Horizon: s.cfg.RecommendHorizon, TrainEvery: s.cfg.RecommendTrainEvery, Replica: s.replica, Refs: m.catalog,
		Logger: s.log.With("module", "recommend")})

	// Each module as this process hosts it: its doors (REST routes and
	// their OpenAPI operations), its event consumers and its jobs.
	s.units = []hosted{
		{name: "account", doors: []door{accounthttp.New(m.account, accounthttp.Options{PublicURL: s.cfg.PublicURL})}, jobs: m.account.Jobs()},
		{name: "catalog", doors: []door{cataloghttp.New(m.catalog, m.inventory)}},
		{name: "inventory", doors: []door{inventoryhttp.New(m.inventory)}, jobs: m.inventory.Jobs()},
		{name: "cart", doors: []door{carthttp.New(m.cart)}, jobs: m.cart.Jobs()},
		{name: "payment", doors: []door{paymenthttp.New(m.payment)}, jobs: append(m.payment.Jobs(), m.gateway.Jobs()...)},
		{name: "order", doors: []door{orderhttp.New(m.order)}, subscribe: m.order.Subscribe, jobs: m.order.Jobs()},
		{name: "shipment", doors: []door{shipmenthttp.New(m.shipment)}, subscribe: m.shipment.Subscribe},
		{name: "review", doors: []door{reviewhttp.New(m.review)}},
		{name: "support", doors: []door{supporthttp.New(m.support)}, subscribe: m.support.Subscribe, jobs: m.support.Jobs()},
		{name: "ledger", doors: []door{ledgerhttp.New(m.ledger)}, jobs: m.ledger.Jobs(), subscribe: func(sub event.Subscriber) {
			m.ledger.Subscribe(sub, ledger.Feed{Orders: m.order, Catalog: m.catalog, Payments: m.payment, Returns: m.support})
		}},
		{name: "notify", doors: []door{notifyhttp.New(m.notify)}, subscribe: m.notify.Subscribe, jobs: m.notify.Jobs()},
		{name: "search", doors: []door{searchhttp.New(m.search)}, subscribe: m.search.Subscribe, jobs: m.search.Jobs()},
		{name: "recommend", doors: []door{recommendhttp.New(m.recommend, recommendhttp.Options{})}, subscribe: m.recommend.Subscribe,
			jobs: m.recommend.Jobs()},
		{name: "live", doors: []door{livehttp.New(m.live, s.authenticateLive, livehttp.Options{OriginPatterns: s.liveOrigins()})},
			subscribe: live.Feed{Hub: m.live, Sellers: m.account, Consumer: s.liveConsumer()}.Subscribe, jobs: m.live.Jobs()},
		{name: "event", doors: []door{eventhttp.New(event.NewConsole(s.bus))}},
	}
	var ops [][]rest.Op
	for _, u := range s.units {
		for _, d := range u.doors {
			d.Routes(s.router)
			ops = append(ops, d.Ops())
		}
		if u.subscribe != nil {
			u.subscribe(s.bus)
		}
	}
	return s.serveOpenAPI(ops...)
}

// hosted is one module as the composition root hosts it.
type hosted struct {
	name      string
	doors     []door
	subscribe func(event.Subscriber)
	jobs      []unit.Job
}

// door is a module's REST adapter.
type door interface {
	Routes(r *rest.Router)
	Ops() []rest.Op
}

// searchOptions places the search index in the data dir, on the embedded engine.
func (s *Server) searchOptions() search.Options {
	return search.Options{Dir: filepath.Join(s.cfg.DataDir, "search"), Open: searchbleve.Open, Logger: s.log.With("module", "search"),
		Queue: searchsql.New(s.db).ForReplica(s.replica), Replica: s.replica, Synonyms: s.synonyms}
}

// background lists the jobs Serve runs next to the HTTP server: every
// hosted module's, and the purge of expired idempotency keys. Singleton
// jobs run under a lease: however many processes share the database, each
// runs in one of them at a time.
func (s *Server) background() []func(ctx context.Context) {
	jobs := []unit.Job{{Name: "server.purge", Singleton: true, Every: time.Hour, Tick: func(ctx context.Context) error {
		_, err := s.keys.Purge(ctx)
		return err
	}}}
	for _, u := range s.units {
		jobs = append(jobs, u.jobs...)
	}
	out := make([]func(ctx context.Context), 0, len(jobs))
	for _, j := range jobs {
		run := j.Run
		if j.Tick != nil {
			run = func(ctx context.Context) {
				every(ctx, j.Every, func(ctx context.Context) {
					if err := j.Tick(ctx); err != nil && ctx.Err() == nil {
						s.log.Warn("job failed", "job", j.Name, "err", err)
					}
				})
			}
		}
		if j.Singleton {
			out = append(out, func(ctx context.Context) { s.leases.Run(ctx, j.Name, run) })
		} else {
			out = append(out, run)
		}
	}
	return out
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
