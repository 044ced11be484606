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
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/account/accountoidc"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/auth/authsql"
	"github.com/bazaar-market/bazaar/internal/edge"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/graphql"
	"github.com/bazaar-market/bazaar/internal/idempotency"
	"github.com/bazaar-market/bazaar/internal/lease"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/rpc"
	"github.com/bazaar-market/bazaar/internal/search"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/redis/go-redis/v9"
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
	// Edge configures the middleware every door runs behind (rate limits,
	// Redis, CORS, trusted proxies, TLS, body limits, caching).
	Edge Edge
	// GraphQLMaxDepth and GraphQLMaxComplexity limit GraphQL operations
	// (12 and 2000 when zero).
	GraphQLMaxDepth      int
	GraphQLMaxComplexity int
	// GraphiQL serves GraphiQL (bundled with the web UI) at GET /graphql to
	// browsers that ask for HTML; off, they get a 404 (--graphiql,
	// BAZAAR_GRAPHIQL, on by default in the command).
	GraphiQL bool
}

// Edge configures the gateway edge (see docs/edge.md). Its zero value has
// no HTTP rate limits and no registration limit (tests and embedding);
// the bazaar command sets production defaults.
type Edge struct {
	// RedisURL is the Redis server rate limits are shared through
	// (redis://host:port/db); empty keeps them in this process.
	RedisURL string
	// RedisPrefix starts the keys of the limits in Redis ("bazaar:rl:");
	// processes that share limits share it.
	RedisPrefix string
	// RateIP, RateUser and RateAuth are the token buckets per client IP,
	// per signed-in user, and per client IP on sign-in, registration,
	// token refresh and password reset; a zero bucket is off.
	RateIP, RateUser, RateAuth ratelimit.Bucket
	// Register caps registrations per client IP; zero: no limit.
	Register ratelimit.Rule
	// TrustedProxies may set X-Forwarded-For; none by default, so the
	// peer address is the client.
	TrustedProxies []netip.Prefix
	// CORSOrigins are the origins whose pages may call the API ("*": any).
	CORSOrigins []string
	// MaxBody caps request bodies (32 MiB when zero; negative: no cap).
	MaxBody int64
	// TLSCert and TLSKey are PEM files: with them the server speaks HTTPS
	// (HTTP/2 by ALPN) and sends HSTS.
	TLSCert, TLSKey string
	// Cache is the caching policy of public reads (defaults: edge.Cache).
	Cache edge.Cache
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
	redis   *redis.Client     // nil without Edge.RedisURL
	limits  ratelimit.Store   // where the account's limiters live
	buckets ratelimit.Buckets // the API doors' token buckets

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
	s.keys.ErrorWriter = s.writeError
	if s.cfg.IdempotencyLock > 0 {
		s.keys.Lock = s.cfg.IdempotencyLock
	}
	if err := s.openLimits(ctx); err != nil {
		return err
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
	s.mountGraphQL()
	s.metrics = newMetrics(s.db, s.bus, s.mods.search, s.replica, s.mods.live)
	s.router.Mount("GET /metrics", s.metrics.handler())
	s.handler = s.chain(s.router)
	// The web UI is outside the API chain but not outside the edge: the
	// real client address and the security headers hold for every answer.
	s.handler = rest.Chain(s.withWeb(s.withFakes(s.handler)), edge.RealIP(s.cfg.Edge.TrustedProxies), edge.Secure(s.hsts()))
	return nil
}

// writeError answers a request the edge refuses (rate limit, bad token,
// body too large) in the shape of its door.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if r.URL.Path == "/graphql" {
		graphql.WriteError(w, r, err)
		return
	}
	if rpc.IsRPC(r) {
		rpc.WriteError(w, r, err)
		return
	}
	rest.Error(w, r, err)
}

// chain is the one middleware stack every door (REST, GraphQL, gRPC) is
// mounted behind, outermost first.
func (s *Server) chain(h http.Handler) http.Handler {
	e := s.cfg.Edge
	maxBody := e.MaxBody
	if maxBody == 0 {
		maxBody = 32 << 20 // uploads check their own, lower, limits
	}
	limits := &edge.Limits{IP: e.RateIP, User: e.RateUser, Auth: e.RateAuth, Buckets: s.buckets, Error: s.writeError}
	// RealIP and Secure wrap this chain and the web UI alike (build).
	return rest.Chain(h,
		rest.ObserveWith(s.log, s.metrics.record), // request ID, log, metrics (refusals included)
		edge.CORS(e.CORSOrigins),
		edge.Compress,
		edge.BodyLimit(maxBody, s.writeError),
		limits.ByIP,
		s.tokens.Middleware(s.mods.check, s.writeError),
		limits.ByUser,
		e.Cache.Middleware,
		s.keys.Middleware,
	)
}

// hsts is the Strict-Transport-Security of HTTPS answers: two years,
// subdomains included, when the server holds a certificate.
func (s *Server) hsts() string {
	if s.cfg.Edge.TLSCert == "" {
		return ""
	}
	return "max-age=63072000; includeSubDomains"
}

// openLimits connects to Redis when configured, so every process shares
// the API's token buckets and the account's sign-in throttles; otherwise
// they live in this process.
func (s *Server) openLimits(ctx context.Context) error {
	if s.cfg.Edge.RedisURL == "" {
		s.limits = ratelimit.MemoryStore{}
		s.buckets = ratelimit.NewMemoryBuckets(nil)
		return nil
	}
	c, err := ratelimit.OpenRedis(ctx, s.cfg.Edge.RedisURL)
	if err != nil {
		return err
	}
	s.redis = c
	r := ratelimit.NewRedis(c, s.cfg.Edge.RedisPrefix, nil)
	s.limits, s.buckets = r, r.Buckets()
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
	if s.redis != nil {
		err = errors.Join(err, s.redis.Close())
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
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// HTTP/1.1 and HTTP/2: over TLS by ALPN; without TLS with prior
	// knowledge (h2c), so gRPC clients reach the same port as browsers.
	tls := s.cfg.Edge.TLSCert != "" || s.cfg.Edge.TLSKey != ""
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	if tls {
		srv.Protocols.SetHTTP2(true)
	} else {
		srv.Protocols.SetUnencryptedHTTP2(true)
	}
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
	scheme := "http://"
	if tls {
		scheme = "https://"
		go func() { errc <- srv.ServeTLS(l, s.cfg.Edge.TLSCert, s.cfg.Edge.TLSKey) }()
	} else {
		go func() { errc <- srv.Serve(l) }()
	}
	s.warnSharedInProcess(ctx)
	s.log.Info("bazaar listening", "addr", scheme+displayAddr(l.Addr()), "database", string(s.db.Dialect),
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
