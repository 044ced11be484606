// Package server is the composition root: it opens the database and the event
// bus, builds every module, mounts the REST API and runs the HTTP server. It
// is the only package that imports every module.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account/accountoidc"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/auth/authsql"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/idempotency"
	"github.com/bazaar-market/bazaar/internal/lease"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// Config is everything the server can be told, from flags or BAZAAR_* env.
type Config struct {
	Addr        string        // listen address, ":8080"
	DataDir     string        // SQLite file, search index, images, attachments
	DatabaseURL string        // empty: SQLite in DataDir; postgres://... for PostgreSQL
	JWTKey      string        // base64 Ed25519 seed; empty: one kept in the database, shared by every process
	AccessTTL   time.Duration // access token lifetime
	Demo        bool          // seed demo data at start
	// ReservationTTL is how long an unpaid order holds its stock (15m).
	ReservationTTL time.Duration
	// IdempotencyLock is how long a running request holds its
	// Idempotency-Key; a request that died with its process frees its key
	// after this (30s).
	IdempotencyLock time.Duration
	// SearchSynonyms is a file of search synonyms (search.ParseSynonyms
	// format) that replaces the built-in list; empty for the built-in one.
	SearchSynonyms string
	// EventsURL chooses the broker events are relayed through: empty for
	// in process; nats://, amqp:// or kafka:// for a real broker
	// (BAZAAR_EVENTS_URL).
	EventsURL string
	// SearchReplica names this process's search replica (its index, refresh
	// queue and event consumer). Empty: the name kept in the data dir's
	// search-replica file, made up on first start, so processes with their
	// own data dirs on one database are distinct replicas by themselves.
	SearchReplica string
	// Payments configures Stripe and Razorpay and which currencies they
	// take; everything else goes through the built-in test gateway.
	Payments Payments
	// PayoutInterval is how often sellers are paid out (a week when zero).
	PayoutInterval time.Duration
	// RecommendHorizon is how far back shoppers' signals count for
	// recommendations (180 days when zero); RecommendTrainEvery how often
	// the models are retrained (10 minutes when zero).
	RecommendHorizon    time.Duration
	RecommendTrainEvery time.Duration
	// SMTPURL is the SMTP server e-mail goes through
	// (smtp://user:pass@host:port); empty: each mail is logged and marked
	// sent in the outbox admins read.
	SMTPURL string
	// MailFrom is the From address of e-mail.
	MailFrom string
	// PublicURL is the site's public base URL ("https://shop.example.com"),
	// which OpenID Connect callback URLs and the links in e-mail are built
	// from; empty: each request's own scheme and Host for callbacks, and
	// the listen address for e-mail.
	PublicURL string
	// LowStock is the available quantity of a SKU at or below which its
	// seller is told it runs low (5 when zero; negative: never).
	LowStock int
	// OIDC are the OpenID Connect providers users may sign in with.
	OIDC []accountoidc.Config
	// LiveOrigins are the origins (host patterns, or scheme://host) of
	// other sites' pages allowed to open live-update sockets; the
	// server's own host and PublicURL's always are.
	LiveOrigins []string
	// Process names this process for job leases; empty: the host and the
	// data dir, so a process restarted after a crash takes its jobs back at
	// once rather than after their leases run out.
	Process string
}

// Server is a built Bazaar: every module wired over one database and bus.
type Server struct {
	cfg     Config
	log     *slog.Logger
	db      *sqldb.DB
	bus     *event.Bus
	broker  event.Broker
	leases  *lease.Leases
	tokens  *auth.Tokens
	keys    *idempotency.Keys
	metrics *metrics
	router  *rest.Router

	handler  http.Handler
	mods     modules
	fakes    http.Handler     // the payment fakes (--payment-fakes), or nil
	units    []hosted         // the modules this process hosts
	replica  string           // this process's search replica
	synonyms *search.Synonyms // nil: the built-in list
}

// New opens the database, runs every module's migrations and builds the
// modules and the HTTP handler. Close releases what it opened.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.ReservationTTL == 0 {
		cfg.ReservationTTL = 15 * time.Minute
	}
	db, err := sqldb.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, db: db, router: rest.NewRouter()}
	if err := s.build(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) build(ctx context.Context) error {
	if err := authsql.Migrate(ctx, s.db); err != nil {
		return err
	}
	key, err := authsql.LoadKey(ctx, s.db, s.cfg.JWTKey, s.cfg.DataDir)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	s.tokens = auth.NewTokens(key, s.cfg.AccessTTL)
	if err := event.Migrate(ctx, s.db); err != nil {
		return err
	}
	if err := lease.Migrate(ctx, s.db); err != nil {
		return err
	}
	if s.cfg.Process == "" {
		s.cfg.Process = processName(s.cfg.DataDir)
	}
	s.leases = lease.New(s.db, s.cfg.Process, s.log.With("component", "leases"))
	broker, err := openBroker(ctx, s.cfg.EventsURL, s.log.With("component", "broker"))
	if err != nil {
		return fmt.Errorf("events broker: %w", err)
	}
	s.broker = broker
	opts := []event.Option{event.WithLeases(s.leases)}
	if broker != nil {
		opts = append(opts, event.WithBroker(broker))
	}
	s.bus = event.NewBus(s.db, s.log.With("component", "events"), opts...)
	if err := idempotency.Migrate(ctx, s.db); err != nil {
		return err
	}
	s.keys = idempotency.New(s.db)
	s.keys.ErrorWriter = writeError
	if s.cfg.IdempotencyLock > 0 {
		s.keys.Lock = s.cfg.IdempotencyLock
	}
	if err := s.wire(ctx); err != nil {
		return err
	}
	if err := s.mountRPC(); err != nil {
		return err
	}
	s.router.Mount("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	s.router.Mount("GET /readyz", http.HandlerFunc(s.ready))
	s.metrics = newMetrics(s.db, s.bus, s.mods.search, s.replica, s.mods.live)
	s.router.Mount("GET /metrics", s.metrics.handler())
	s.handler = rest.Chain(s.router,
		rest.ObserveWith(s.log, s.metrics.record),
		s.tokens.Middleware(s.mods.check, writeError),
		s.keys.Middleware,
	)
	s.handler = s.withWeb(s.withFakes(s.handler))
	return nil
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		rest.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
		return
	}
	rest.JSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(s.db.Dialect)})
}

// Handler is the whole HTTP API, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the documented API routes.
func (s *Server) Routes() []string { return s.router.Routes() }

// DB is the server's database (for commands and tests).
func (s *Server) DB() *sqldb.DB { return s.db }

// Bus is the server's event bus (for commands and tests).
func (s *Server) Bus() *event.Bus { return s.bus }

// Close closes the search index, the broker and the database.
func (s *Server) Close() error {
	var err error
	if s.mods.search != nil {
		err = s.mods.search.Close()
	}
	if s.broker != nil {
		err = errors.Join(err, s.broker.Close())
	}
	return errors.Join(err, s.db.Close())
}

// Serve runs the relay and answers HTTP on l until ctx ends, then shuts down
// gracefully: in-flight requests get up to 15 s to finish.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// HTTP/1.1 and, without TLS, HTTP/2 with prior knowledge (h2c), so gRPC
	// clients reach the same port as browsers.
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true)
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	var jobs sync.WaitGroup
	jobs.Go(func() { _ = s.bus.Run(relayCtx) })
	for _, job := range s.background() {
		jobs.Go(func() { job(relayCtx) })
	}
	// Shutdown neither closes nor waits for upgraded connections: the live
	// sockets are told the server is going away.
	srv.RegisterOnShutdown(s.mods.live.Close)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	s.warnSharedInProcess(ctx)
	s.log.Info("bazaar listening", "addr", "http://"+displayAddr(l.Addr()), "database", string(s.db.Dialect),
		"events", s.eventsName(), "process", s.cfg.Process, "search_replica", s.mods.search.Consumer())

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
	}
	stopRelay()
	jobs.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// warnSharedInProcess warns when another process relays this database's
// events while this one delivers events in process: this process's
// consumers (its search index) would miss what the other delivers.
func (s *Server) warnSharedInProcess(ctx context.Context) {
	if s.cfg.EventsURL != "" {
		return
	}
	if h, err := s.leases.HolderOf(ctx, "event.relay"); err == nil && h != "" && h != s.cfg.Process {
		s.log.Warn("another process relays this database's events, in process: this process's consumers will miss them; "+
			"run one process per database, or set BAZAAR_EVENTS_URL to a broker in every process", "relay", h)
	}
}

// eventsName says where events go, for the log: "in-process" or the
// broker's URL scheme.
func (s *Server) eventsName() string {
	if s.cfg.EventsURL == "" {
		return "in-process"
	}
	scheme, _, _ := strings.Cut(s.cfg.EventsURL, "://")
	return scheme
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
