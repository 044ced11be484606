// Command bazaar runs the Bazaar marketplace.
//
//	bazaar serve [--addr :8080] [--data ./bazaar-data] [--database-url URL] [--demo]
//	bazaar migrate
//	bazaar seed [--products N --seed S]
//	bazaar reindex
//	bazaar recommend eval [--products 10000 --shoppers N --weeks W --seed S]
//	bazaar user create --email E (--password P | --password-stdin) --role R [--name N]
//	bazaar openapi [-o FILE]
//	bazaar version
//
// Every flag has a BAZAAR_* environment twin (BAZAAR_ADDR, BAZAAR_DATA_DIR,
// BAZAAR_DATABASE_URL, BAZAAR_LOG_LEVEL, BAZAAR_LOG_FORMAT, BAZAAR_DEMO,
// BAZAAR_JWT_KEY, BAZAAR_OIDC_PROVIDERS, BAZAAR_PUBLIC_URL, ...); a flag
// given on the command line wins.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bazaar-market/bazaar/internal/account/accountoidc"
	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/edge"
	"github.com/bazaar-market/bazaar/internal/ratelimit"
	"github.com/bazaar-market/bazaar/internal/server"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bazaar:", err)
		if e, ok := apperr.As(err); ok {
			for _, f := range e.Fields {
				fmt.Fprintf(os.Stderr, "  %s: %s\n", f.Field, f.Message)
			}
		}
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `Bazaar: an open-source marketplace platform.

Usage:
  bazaar serve [flags]      run the marketplace (all modules, REST API)
  bazaar migrate [flags]    apply database migrations and exit
  bazaar seed [flags]       load the demo catalog (idempotent; serve --demo adds orders, returns, tickets); --products N --seed S: a synthetic catalog
  bazaar reindex [flags]    rebuild the search index from the database (online)
  bazaar recommend eval     measure the recommendation models on synthetic shoppers (no database); prints a Markdown table
  bazaar user create ...    create an account of any role (admin, delivery, support, ...)
  bazaar openapi [-o FILE]  print the REST API's OpenAPI document (no running server needed)
  bazaar version            print the version

Run 'bazaar COMMAND -h' for a command's flags.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "seed":
		return seed(ctx, args[1:], stdout, stderr)
	case "reindex":
		return reindex(ctx, args[1:], stdout, stderr)
	case "recommend":
		if len(args) < 2 || args[1] != "eval" {
			return usageError{"usage: bazaar recommend eval [--products N --shoppers N --weeks W --seed S]"}
		}
		return recommendEval(ctx, args[2:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			return usageError{"usage: bazaar user create --email E (--password P | --password-stdin) --role R"}
		}
		return createUser(ctx, args[2:], stdin, stdout, stderr)
	case "openapi":
		return openapi(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "bazaar", versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// common holds the flags every command that opens the database takes.
type common struct {
	cfg       server.Config
	edge      edgeFlags
	logLevel  string
	logFormat string
	errs      []error // secrets that could not be read
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.cfg.DataDir, "data", env("BAZAAR_DATA_DIR", "./bazaar-data"), "data directory: SQLite database, search index, images and attachments (BAZAAR_DATA_DIR)")
	fs.StringVar(&c.cfg.DatabaseURL, "database-url", env("BAZAAR_DATABASE_URL", ""), "postgres://... to use PostgreSQL; empty for SQLite in the data dir (BAZAAR_DATABASE_URL)")
	fs.StringVar(&c.logLevel, "log-level", env("BAZAAR_LOG_LEVEL", "info"), "debug, info, warn or error (BAZAAR_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", env("BAZAAR_LOG_FORMAT", "text"), "text or json (BAZAAR_LOG_FORMAT)")
	c.cfg.JWTKey = os.Getenv("BAZAAR_JWT_KEY")
	fs.DurationVar(&c.cfg.ReservationTTL, "reservation-ttl", envDuration("BAZAAR_RESERVATION_TTL", 15*time.Minute), "how long an unpaid order holds its stock (BAZAAR_RESERVATION_TTL)")
	fs.StringVar(&c.cfg.SearchSynonyms, "search-synonyms", env("BAZAAR_SEARCH_SYNONYMS", ""), "a file of search synonyms replacing the built-in list, one rule a line: 'tee, t-shirt' or 'sneakers => running shoes' (BAZAAR_SEARCH_SYNONYMS)")
	fs.StringVar(&c.cfg.EventsURL, "events-url", env("BAZAAR_EVENTS_URL", ""), "relay events through a broker: nats://host:4222, amqp://user:pass@host:5672/ or kafka://host:9092; empty for in process (BAZAAR_EVENTS_URL)")
	fs.StringVar(&c.cfg.SearchReplica, "search-replica", env("BAZAAR_SEARCH_REPLICA", ""), "this process's search replica name; empty: kept in the data dir (BAZAAR_SEARCH_REPLICA)")
	fs.DurationVar(&c.cfg.PayoutInterval, "payout-interval", envDuration("BAZAAR_PAYOUT_INTERVAL", 7*24*time.Hour), "how often sellers' available balances are paid out (BAZAAR_PAYOUT_INTERVAL)")
	fs.DurationVar(&c.cfg.RecommendHorizon, "recommend-horizon", envDuration("BAZAAR_RECOMMEND_HORIZON", 180*24*time.Hour), "how far back shoppers' views, cart adds, purchases, ratings and returns count for recommendations (BAZAAR_RECOMMEND_HORIZON)")
	fs.DurationVar(&c.cfg.RecommendTrainEvery, "recommend-train-every", envDuration("BAZAAR_RECOMMEND_TRAIN_EVERY", 10*time.Minute), "how often the recommendation models are retrained (BAZAAR_RECOMMEND_TRAIN_EVERY)")
	p := &c.cfg.Payments
	fs.StringVar(&p.Gateways, "payment-gateways", env("BAZAAR_PAYMENT_GATEWAYS", ""), "currencies taken by real gateways, such as USD:stripe,EUR:stripe,INR:razorpay; others use the built-in test gateway (BAZAAR_PAYMENT_GATEWAYS)")
	fs.StringVar(&p.Stripe.PublishableKey, "stripe-publishable-key", env("BAZAAR_STRIPE_PUBLISHABLE_KEY", ""), "Stripe's publishable key, given to the browser (BAZAAR_STRIPE_PUBLISHABLE_KEY)")
	fs.StringVar(&p.Stripe.APIBase, "stripe-api-base", env("BAZAAR_STRIPE_API_BASE", ""), "Stripe's API URL; stripe-mock's in tests (BAZAAR_STRIPE_API_BASE)")
	fs.StringVar(&p.Razorpay.KeyID, "razorpay-key-id", env("BAZAAR_RAZORPAY_KEY_ID", ""), "Razorpay's key ID, given to Checkout (BAZAAR_RAZORPAY_KEY_ID)")
	fs.StringVar(&p.Razorpay.APIBase, "razorpay-api-base", env("BAZAAR_RAZORPAY_API_BASE", ""), "Razorpay's API URL; a fake's in tests (BAZAAR_RAZORPAY_API_BASE)")
	fs.BoolVar(&p.Razorpay.TestTokens, "razorpay-test-tokens", env("BAZAAR_RAZORPAY_TEST_TOKENS", "") == "true", "accept rzp_test_* method tokens (a local fake only) (BAZAAR_RAZORPAY_TEST_TOKENS)")
	fs.StringVar(&p.CODLimits, "cod-limits", env("BAZAAR_COD_LIMITS", server.DefaultCODLimits), "the largest order paid in cash on delivery, per currency, such as INR:50000,USD:500 (* for any other currency); off takes no cash on delivery (BAZAAR_COD_LIMITS)")
	fs.StringVar(&p.Capture, "payment-capture", env("BAZAAR_PAYMENT_CAPTURE", "automatic"), "when card payments are captured: automatic (at checkout) or manual (authorised at checkout, captured when the parcels are handed over, voided if cancelled), for every gateway or per gateway such as stripe:manual,razorpay:automatic (BAZAAR_PAYMENT_CAPTURE)")
	fs.BoolVar(&p.Fakes, "payment-fakes", envBool("BAZAAR_PAYMENT_FAKES"), "serve a fake Razorpay (API and Checkout) in process under /_fake/razorpay/ and take Razorpay payments through it; demos and tests only (BAZAAR_PAYMENT_FAKES)")
	// Secrets: the environment or a file named by NAME_FILE, never a flag.
	p.Stripe.SecretKey = c.secret("BAZAAR_STRIPE_SECRET_KEY")
	p.Stripe.WebhookSecrets = c.secrets("BAZAAR_STRIPE_WEBHOOK_SECRET")
	p.Razorpay.KeySecret = c.secret("BAZAAR_RAZORPAY_KEY_SECRET")
	p.Razorpay.WebhookSecrets = c.secrets("BAZAAR_RAZORPAY_WEBHOOK_SECRET")
	// The SMTP URL holds a password: prefer BAZAAR_SMTP_URL or
	// BAZAAR_SMTP_URL_FILE to the flag, which other users can see in ps.
	fs.StringVar(&c.cfg.SMTPURL, "smtp-url", c.secret("BAZAAR_SMTP_URL"), "send e-mail through this SMTP server, smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...:465; empty: mail is logged and kept in the outbox admins read (BAZAAR_SMTP_URL or BAZAAR_SMTP_URL_FILE; prefer them to the flag)")
	fs.StringVar(&c.cfg.MailFrom, "mail-from", env("BAZAAR_MAIL_FROM", "Bazaar <no-reply@localhost>"), "the From address of e-mail (BAZAAR_MAIL_FROM)")
	fs.StringVar(&c.cfg.PublicURL, "public-url", env("BAZAAR_PUBLIC_URL", ""), "the site's public base URL, such as https://shop.example.com, that sign-in callbacks and links in e-mail are built from; empty: each request's own host for callbacks, the listen address for e-mail (BAZAAR_PUBLIC_URL)")
	fs.IntVar(&c.cfg.LowStock, "low-stock", envInt("BAZAAR_LOW_STOCK", 5), "tell a seller when a SKU's available stock falls to this or below, once per fall; 0 means 5, negative never (BAZAAR_LOW_STOCK)")
	fs.Func("oidc-providers", "OpenID Connect providers to sign in with: name=issuer|client_id[|label],... such as google=https://accounts.google.com|ID; each secret in BAZAAR_OIDC_<NAME>_CLIENT_SECRET or ..._FILE (BAZAAR_OIDC_PROVIDERS)", c.oidcProviders)
	if v := os.Getenv("BAZAAR_OIDC_PROVIDERS"); v != "" {
		if err := c.oidcProviders(v); err != nil {
			c.errs = append(c.errs, fmt.Errorf("BAZAAR_OIDC_PROVIDERS: %w", err))
		}
	}
	fs.Func("live-origins", "other sites' origins allowed to open live-update sockets, comma-separated host patterns (*.example.com) or scheme://host; this server's own host and --public-url's always are (BAZAAR_LIVE_ORIGINS)", c.liveOrigins)
	if v := os.Getenv("BAZAAR_LIVE_ORIGINS"); v != "" {
		_ = c.liveOrigins(v)
	}
	fs.BoolVar(&c.cfg.GraphiQL, "graphiql", envBoolOr("BAZAAR_GRAPHIQL", true), "serve GraphiQL at /graphql to browsers; false answers them 404 (the API is unchanged) (BAZAAR_GRAPHIQL)")
	fs.DurationVar(&c.cfg.IdempotencyLock, "idempotency-lock", envDuration("BAZAAR_IDEMPOTENCY_LOCK", 30*time.Second), "how long a request that died mid-way keeps its Idempotency-Key locked (BAZAAR_IDEMPOTENCY_LOCK)")
}

// edgeFlags are the serve command's gateway-edge flags that need parsing.
type edgeFlags struct {
	rateLimit                  bool
	rateIP, rateUser, rateAuth string
	register                   string
	proxies, cors              string
	maxBody                    int64
}

// registerEdge adds the gateway edge's flags (see docs/edge.md).
func (c *common) registerEdge(fs *flag.FlagSet) {
	e := &c.edge
	ec := &c.cfg.Edge
	fs.StringVar(&ec.RedisURL, "redis-url", env("BAZAAR_REDIS_URL", ""), "share rate limits and sign-in throttles between processes through this Redis, redis://host:6379/0; empty keeps them in each process (BAZAAR_REDIS_URL)")
	fs.BoolVar(&e.rateLimit, "rate-limit", env("BAZAAR_RATE_LIMIT", "true") != "false", "rate-limit the API doors and registrations; false for load tests (BAZAAR_RATE_LIMIT)")
	fs.StringVar(&e.rateIP, "rate-limit-ip", env("BAZAAR_RATE_LIMIT_IP", "600/1m"), "token bucket per client IP on every API request, N/D: a burst of N refilled at N per D (BAZAAR_RATE_LIMIT_IP)")
	fs.StringVar(&e.rateUser, "rate-limit-user", env("BAZAAR_RATE_LIMIT_USER", "1200/1m"), "token bucket per signed-in user on every API request (BAZAAR_RATE_LIMIT_USER)")
	fs.StringVar(&e.rateAuth, "rate-limit-auth", env("BAZAAR_RATE_LIMIT_AUTH", "60/1m"), "token bucket per client IP on sign-in, registration, token refresh and password reset (BAZAAR_RATE_LIMIT_AUTH)")
	fs.StringVar(&e.register, "rate-limit-register", env("BAZAAR_RATE_LIMIT_REGISTER", "20/1h"), "accounts registered per client IP, N/D: at most N in any D (BAZAAR_RATE_LIMIT_REGISTER)")
	fs.StringVar(&e.proxies, "trusted-proxies", env("BAZAAR_TRUSTED_PROXIES", ""), "comma-separated CIDRs of the proxies and CDN allowed to name the client in X-Forwarded-For; none by default (BAZAAR_TRUSTED_PROXIES)")
	fs.StringVar(&e.cors, "cors-origins", env("BAZAAR_CORS_ORIGINS", ""), "comma-separated origins (https://shop.example.com, or *) whose pages may call the API; none by default (BAZAAR_CORS_ORIGINS)")
	fs.Int64Var(&e.maxBody, "max-body", int64(envInt("BAZAAR_MAX_BODY", 32<<20)), "largest request body in bytes; uploads and JSON have lower limits of their own (BAZAAR_MAX_BODY)")
	fs.DurationVar(&ec.Cache.Fresh, "cache-fresh", envDuration("BAZAAR_CACHE_FRESH", 0), "keep public catalog, search and review answers in memory this long and answer repeats from there (a micro-cache when no CDN is in front); 0: off (BAZAAR_CACHE_FRESH)")
	fs.StringVar(&ec.TLSCert, "tls-cert", env("BAZAAR_TLS_CERT", ""), "PEM certificate (chain) to serve HTTPS with HTTP/2 and HSTS; with --tls-key (BAZAAR_TLS_CERT)")
	fs.StringVar(&ec.TLSKey, "tls-key", env("BAZAAR_TLS_KEY", ""), "PEM private key of --tls-cert (BAZAAR_TLS_KEY)")
}

// edgeDone turns the parsed edge flags into the server's Edge config.
func (c *common) edgeDone() error {
	e := &c.edge
	ec := &c.cfg.Edge
	if (ec.TLSCert == "") != (ec.TLSKey == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}
	var err error
	if ec.TrustedProxies, err = edge.ParsePrefixes(e.proxies); err != nil {
		return usageError{fmt.Sprintf("--trusted-proxies: %v", err)}
	}
	ec.CORSOrigins = edge.ParseOrigins(e.cors)
	ec.MaxBody = e.maxBody
	if !e.rateLimit {
		return nil
	}
	for _, f := range []struct {
		name string
		v    string
		to   *ratelimit.Bucket
	}{{"--rate-limit-ip", e.rateIP, &ec.RateIP}, {"--rate-limit-user", e.rateUser, &ec.RateUser}, {"--rate-limit-auth", e.rateAuth, &ec.RateAuth}} {
		if *f.to, err = edge.ParseBucket(f.v); err != nil {
			return usageError{fmt.Sprintf("%s: %q is not N/D, such as 600/1m", f.name, f.v)}
		}
	}
	reg, err := edge.ParseBucket(e.register)
	if err != nil {
		return usageError{fmt.Sprintf("--rate-limit-register: %q is not N/D, such as 10/1h", e.register)}
	}
	if reg.Burst > 0 {
		ec.Register = ratelimit.Rule{Limit: reg.Burst, Window: time.Duration(float64(reg.Burst) / reg.Rate * float64(time.Second))}
	}
	return nil
}

// liveOrigins sets the origins allowed to open live sockets from a
// comma-separated list.
func (c *common) liveOrigins(v string) error {
	c.cfg.LiveOrigins = nil
	for o := range strings.SplitSeq(v, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.cfg.LiveOrigins = append(c.cfg.LiveOrigins, o)
		}
	}
	return nil
}

// oidcProviders sets the OpenID Connect providers from a
// name=issuer|client_id[|label] list, each with its client secret from the
// environment (a secret is never a flag).
func (c *common) oidcProviders(v string) error {
	cfgs, err := accountoidc.ParseProviders(v)
	if err != nil {
		return err
	}
	for i := range cfgs {
		cfgs[i].ClientSecret = c.secret(accountoidc.SecretEnv(cfgs[i].Name))
	}
	c.cfg.OIDC = cfgs
	return nil
}

func (c *common) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level: %q is not debug, info, warn or error", c.logLevel)}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format: %q is not text or json", c.logFormat)}
}

// command returns a command's flag set with the flags every command takes.
func command(name string, stderr io.Writer) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	c.register(fs)
	return fs, c
}

// server builds the server the flags describe, logging to stderr.
func (c *common) server(ctx context.Context, stderr io.Writer) (*server.Server, error) {
	if err := errors.Join(c.errs...); err != nil {
		return nil, err
	}
	log, err := c.logger(stderr)
	if err != nil {
		return nil, err
	}
	return server.New(ctx, c.cfg, log)
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := command("serve", stderr)
	fs.StringVar(&c.cfg.Addr, "addr", env("BAZAAR_ADDR", ":8080"), "listen address (BAZAAR_ADDR)")
	fs.BoolVar(&c.cfg.Demo, "demo", envBool("BAZAAR_DEMO"), "load demo data at start and print the demo logins (BAZAAR_DEMO)")
	c.registerEdge(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.edgeDone(); err != nil {
		return err
	}
	s, err := c.server(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if c.cfg.Demo {
		logins, err := s.Seed(ctx, server.SeedOptions{Progress: stderr})
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		printLogins(stdout, logins)
	}
	l, err := net.Listen("tcp", c.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

func printLogins(w io.Writer, logins []server.Login) {
	if len(logins) == 0 {
		return
	}
	fmt.Fprintln(w, "Demo accounts (email / password / role):")
	for _, l := range logins {
		fmt.Fprintf(w, "  %-28s %-20s %s\n", l.Email, l.Password, l.Role)
	}
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := command("migrate", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := c.server(ctx, stderr) // New applies every module's migrations
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func seed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := command("seed", stderr)
	products := fs.Int("products", 0, "instead of the demo shop, generate a synthetic marketplace of this many products (with stores, categories, stock, ratings)")
	genSeed := fs.Uint64("seed", 1, "with --products: the generator's seed (the same seed makes the same catalog)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *products < 0 {
		return usageError{"--products must not be negative"}
	}
	s, err := c.server(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	if *products > 0 {
		bulkGC()
		st, rs, err := s.SeedCatalog(ctx, cataloggen.Config{Products: *products, Seed: *genSeed}, stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "seeded %d products (%d variants), %d stores, %d categories in %v (%.0f products/s)\n",
			st.Products, st.Variants, st.Sellers, st.Categories, st.Took.Round(time.Millisecond), float64(st.Products)/st.Took.Seconds())
		fmt.Fprintf(stdout, "indexed %d products for search in %v (%.0f products/s)\n", rs.Products, rs.Took.Round(time.Millisecond), rs.Rate())
		return nil
	}
	// The events the seed writes stay in the outbox: the server delivers
	// them (now if it runs, else when it starts), so this process never
	// touches the search index a running server holds. The demo orders,
	// returns and tickets need their events delivered as they are made:
	// `bazaar serve --demo` adds them.
	logins, err := s.Seed(ctx, server.SeedOptions{Progress: stderr, NoActivity: true})
	if err != nil {
		return err
	}
	fmt.Fprintln(stderr, "demo: orders, returns and tickets are added by `bazaar serve --demo`")
	printLogins(stdout, logins)
	return nil
}

func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := command("reindex", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := c.server(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	bulkGC()
	rs, err := s.Reindex(ctx, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "indexed %d products in %v (%.0f products/s); a running server swaps the new index in within seconds\n",
		rs.Products, rs.Took.Round(time.Millisecond), rs.Rate())
	return nil
}

// bulkGC lets a bulk load (seed --products, reindex) use more memory for
// fewer garbage collections, unless GOGC says otherwise: indexing 100,000
// products went from 4,990 to 6,480 a second for 308 -> 546 MB of RSS.
func bulkGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

func createUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, c := command("user create", stderr)
	var email, password, role, name string
	var fromStdin bool
	fs.StringVar(&email, "email", "", "e-mail address (required)")
	fs.StringVar(&password, "password", "", "password (prefer --password-stdin: arguments show in ps)")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.StringVar(&role, "role", "", "customer, seller, admin, delivery or support (required)")
	fs.StringVar(&name, "name", "", "display name (defaults to the e-mail's local part)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fromStdin {
		if password != "" {
			return usageError{"give --password or --password-stdin, not both"}
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if email == "" || role == "" || password == "" {
		return usageError{"--email, --role and a password (--password or --password-stdin) are required"}
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	s, err := c.server(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := s.CreateUser(ctx, email, password, name, role)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s user %s (%s)\n", role, email, id)
	return nil
}

// secret reads a secret from the environment variable name, or from the
// file that name_FILE names (mounted secrets), trimmed of surrounding space.
// A file that cannot be read stops the command (reported by server).
func (c *common) secret(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	if path := os.Getenv(name + "_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			c.errs = append(c.errs, fmt.Errorf("%s_FILE: %w", name, err))
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	return ""
}

// secrets reads a comma-separated list of secrets (two while one rotates).
func (c *common) secrets(name string) []string {
	var out []string
	for s := range strings.SplitSeq(c.secret(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envDuration reads a duration such as "15m"; a malformed value is reported
// when flags are parsed, as the flag's default would be silently wrong.
func envDuration(name string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		fmt.Fprintf(os.Stderr, "bazaar: %s=%q is not a positive duration such as 15m; using %s\n", name, v, def)
		return def
	}
	return d
}

// envInt reads a whole number; a malformed value is reported and the
// default used, as envDuration does.
func envInt(name string, def int) int {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bazaar: %s=%q is not a whole number; using %d\n", name, v, def)
		return def
	}
	return n
}

// envBoolOr is env name as a boolean, def when unset or not a boolean.
func envBoolOr(name string, def bool) bool {
	if b, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return b
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if dirty {
				rev += "-dirty"
			}
			return "dev-" + rev
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}
