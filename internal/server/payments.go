package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw"
)

// Payments configures the real payment gateways. Currencies that Gateways
// does not route go through the built-in test gateway.
type Payments struct {
	// Gateways routes currencies to gateways: "USD:stripe,EUR:stripe,INR:razorpay"
	// (BAZAAR_PAYMENT_GATEWAYS).
	Gateways string
	Stripe   StripeConfig
	Razorpay RazorpayConfig
	// Fakes serves a fake Razorpay in process under /_fake/razorpay/ (its
	// API, a stand-in for Checkout's script and the page it pays through)
	// and points the Razorpay driver at it, so Razorpay's whole checkout can
	// be tried with no account and no network (BAZAAR_PAYMENT_FAKES). For
	// demos and tests only: anyone can "pay" there.
	Fakes bool
	// Capture says when card payments are captured: "automatic" (the
	// default, at checkout) or "manual" (authorised at checkout, captured
	// when the parcels are handed over), for every gateway or per gateway:
	// "stripe:manual,razorpay:automatic" (BAZAAR_PAYMENT_CAPTURE).
	Capture string
	// CODLimits is the largest order total taken in cash on delivery per
	// currency, in major units: "INR:50000,USD:500", "*" for any other
	// currency, "off" for none, empty for DefaultCODLimits (BAZAAR_COD_LIMITS).
	CODLimits string
}

// DefaultCODLimits is the cash-on-delivery limit when none is configured.
const DefaultCODLimits = "INR:50000,*:500"

// FakesPrefix is where --payment-fakes serves the Razorpay fake.
const FakesPrefix = "/_fake/razorpay"

// StripeConfig is Stripe's account. The secret key and webhook secrets come
// from the environment or files, never from flags (which other users of the
// machine can read), and are never logged.
type StripeConfig struct {
	SecretKey      string   // BAZAAR_STRIPE_SECRET_KEY
	PublishableKey string   // BAZAAR_STRIPE_PUBLISHABLE_KEY: public, given to the browser
	WebhookSecrets []string // BAZAAR_STRIPE_WEBHOOK_SECRET: "whsec_a,whsec_b" while rotating
	APIBase        string   // BAZAAR_STRIPE_API_BASE: stripe-mock's URL in tests; empty for Stripe
}

// RazorpayConfig is Razorpay's account; secrets as for Stripe.
type RazorpayConfig struct {
	KeyID          string   // BAZAAR_RAZORPAY_KEY_ID: public, given to Checkout
	KeySecret      string   // BAZAAR_RAZORPAY_KEY_SECRET
	WebhookSecrets []string // BAZAAR_RAZORPAY_WEBHOOK_SECRET: comma-separated while rotating
	APIBase        string   // BAZAAR_RAZORPAY_API_BASE: a fake's URL in tests; empty for Razorpay
	// TestTokens accepts the rzp_test_* method tokens (only against a fake).
	TestTokens bool

	transport http.RoundTripper // the in-process fake's, under Fakes
	script    string            // Checkout's script, when not Razorpay's
}

// parseCapture reads BAZAAR_PAYMENT_CAPTURE: "automatic", "manual", or
// gateway:mode pairs, into the gateways that capture later. "manual" alone
// names every gateway given.
func parseCapture(s string, gateways []string) (map[string]bool, error) {
	out := map[string]bool{}
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "automatic":
		return out, nil
	case "manual":
		for _, g := range gateways {
			out[g] = true
		}
		return out, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		gw, mode, ok := strings.Cut(strings.TrimSpace(part), ":")
		gw, mode = strings.TrimSpace(gw), strings.TrimSpace(mode)
		if !ok || !slices.Contains(gateways, gw) || (mode != "manual" && mode != "automatic") {
			return nil, fmt.Errorf("BAZAAR_PAYMENT_CAPTURE: %q is not automatic, manual or gateway:mode with a gateway of %s and a mode automatic or manual", part, strings.Join(gateways, ", "))
		}
		out[gw] = mode == "manual"
	}
	return out, nil
}

// parseRoutes reads "USD:stripe,INR:razorpay".
func parseRoutes(s string) (map[string]string, error) {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cur, gw, ok := strings.Cut(part, ":")
		cur, gw = strings.ToUpper(strings.TrimSpace(cur)), strings.ToLower(strings.TrimSpace(gw))
		if !ok || !money.ValidCurrency(cur) || gw == "" {
			return nil, fmt.Errorf("BAZAAR_PAYMENT_GATEWAYS: %q is not CURRENCY:gateway (USD:stripe)", part)
		}
		if _, dup := out[cur]; dup {
			return nil, fmt.Errorf("BAZAAR_PAYMENT_GATEWAYS: %s is routed twice", cur)
		}
		out[cur] = gw
	}
	return out, nil
}

// paymentRoutes builds the gateways the configuration routes currencies to.
func paymentRoutes(cfg Payments, log *slog.Logger) (map[string]payment.Gateway, error) {
	routes, err := parseRoutes(cfg.Gateways)
	if err != nil {
		return nil, err
	}
	built := map[string]payment.Gateway{}
	gateway := func(name string) (payment.Gateway, error) {
		if g, ok := built[name]; ok {
			return g, nil
		}
		var g payment.Gateway
		switch name {
		case "test":
			return nil, nil // the default
		case "stripe":
			st := cfg.Stripe
			if st.SecretKey == "" || len(st.WebhookSecrets) == 0 {
				return nil, fmt.Errorf("stripe needs BAZAAR_STRIPE_SECRET_KEY and BAZAAR_STRIPE_WEBHOOK_SECRET")
			}
			sg, err := stripegw.New(stripegw.Options{SecretKey: st.SecretKey, PublishableKey: st.PublishableKey,
				WebhookSecrets: st.WebhookSecrets, APIBase: st.APIBase, Logger: log.With("module", "stripe")})
			if err != nil {
				return nil, err
			}
			g = sg
		case "razorpay":
			r := cfg.Razorpay
			if r.KeyID == "" || r.KeySecret == "" || len(r.WebhookSecrets) == 0 {
				return nil, fmt.Errorf("razorpay needs BAZAAR_RAZORPAY_KEY_ID, BAZAAR_RAZORPAY_KEY_SECRET and BAZAAR_RAZORPAY_WEBHOOK_SECRET")
			}
			rg, err := razorpaygw.New(razorpaygw.Options{KeyID: r.KeyID, KeySecret: r.KeySecret, WebhookSecrets: r.WebhookSecrets,
				APIBase: r.APIBase, TestTokens: r.TestTokens, Transport: r.transport, CheckoutScript: r.script,
				Logger: log.With("module", "razorpay")})
			if err != nil {
				return nil, err
			}
			g = rg
		default:
			return nil, fmt.Errorf("BAZAAR_PAYMENT_GATEWAYS: unknown gateway %q (test, stripe, razorpay)", name)
		}
		built[name] = g
		return g, nil
	}
	out := map[string]payment.Gateway{}
	for cur, name := range routes {
		g, err := gateway(name)
		if err != nil {
			return nil, err
		}
		if g != nil {
			out[cur] = g
		}
	}
	return out, nil
}

// paymentFakes makes the Razorpay fake --payment-fakes serves and points
// cfg's Razorpay at it: the fake's keys unless cfg names test keys, test
// method tokens on (the demo orders are paid with them), the API reached
// through an in-process transport and Checkout's script at the fake.
//
// The driver calls the fake in process rather than through this server's
// listen address because it needs the fake before the server listens (the
// demo data is paid for while seeding) and because the address the server
// listens on is not necessarily one it can reach itself (":0", a proxy in
// front, TLS terminated elsewhere).
//
// Fakes are refused with any real gateway API: a Razorpay API base (the
// fake is the API), live Razorpay keys, or Stripe routed to Stripe's API
// rather than to a mock.
func paymentFakes(cfg *Payments) (*razorpayfake.Fake, error) {
	routes, err := parseRoutes(cfg.Gateways)
	if err != nil {
		return nil, err
	}
	r := &cfg.Razorpay
	if r.APIBase != "" {
		return nil, fmt.Errorf("--payment-fakes serves Razorpay's API in process and cannot be used with BAZAAR_RAZORPAY_API_BASE=%s; unset one of them", r.APIBase)
	}
	if strings.HasPrefix(r.KeyID, "rzp_live_") {
		return nil, fmt.Errorf("--payment-fakes cannot be used with a live Razorpay key (BAZAAR_RAZORPAY_KEY_ID=%s)", r.KeyID)
	}
	for cur, gw := range routes {
		if gw != "stripe" {
			continue
		}
		u, err := url.Parse(cfg.Stripe.APIBase)
		if cfg.Stripe.APIBase == "" || err != nil || u.Hostname() == "stripe.com" || strings.HasSuffix(u.Hostname(), ".stripe.com") {
			return nil, fmt.Errorf("--payment-fakes cannot be used with Stripe's real API (%s is routed to stripe): point BAZAAR_STRIPE_API_BASE at stripe-mock or route %s elsewhere", cur, cur)
		}
	}
	if r.KeyID == "" || r.KeySecret == "" {
		r.KeyID, r.KeySecret = razorpayfake.DefaultKeyID, razorpayfake.DefaultKeySecret
	}
	if len(r.WebhookSecrets) == 0 {
		r.WebhookSecrets = []string{razorpayfake.DefaultWebhookSecret}
	}
	fake := razorpayfake.New(razorpayfake.Options{KeyID: r.KeyID, KeySecret: r.KeySecret, WebhookSecret: r.WebhookSecrets[0]})
	r.APIBase = "http://razorpay-fake.invalid/v1" // never dialled: the transport answers in process
	r.transport = fake.Transport()
	r.script = FakesPrefix + "/checkout.js"
	r.TestTokens = true
	return fake, nil
}

// mountPaymentFakes points the Razorpay configuration at a fake, to be
// served under FakesPrefix (withFakes). The fake's webhooks go to this server's own
// webhook route, in process, as the test gateway's do.
func (s *Server) mountPaymentFakes() error {
	fake, err := paymentFakes(&s.cfg.Payments)
	if err != nil {
		return err
	}
	log := s.log.With("module", "razorpayfake")
	deliver := func(ctx context.Context, h http.Header, body []byte) error {
		return paymenthttp.Loopback(s.handler, razorpaygw.Name)(ctx, h, body)
	}
	s.fakes = http.StripPrefix(FakesPrefix, fake.Site(razorpayfake.SiteOptions{Deliver: deliver, Logger: log}))
	s.log.Warn("PAYMENT FAKES ARE ON: Razorpay is a fake in this process (" + FakesPrefix + "/), anyone can pay any order with it " +
		"and no money moves. For demos and tests only; never run a shop with --payment-fakes.")
	return nil
}

// withFakes serves the payment fakes under FakesPrefix, in front of the
// API's middleware: the fake's API has Razorpay's Basic auth, not ours.
func (s *Server) withFakes(next http.Handler) http.Handler {
	if s.fakes == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, FakesPrefix+"/") {
			s.fakes.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// stripeTransfers pays sellers out through Stripe Connect.
type stripeTransfers struct{ g *stripegw.Gateway }

func (t stripeTransfers) Transfer(ctx context.Context, in ledger.TransferParams) (string, error) {
	r, err := t.g.Transfer(ctx, stripegw.TransferParams{Destination: in.Destination, Amount: in.Amount,
		IdempotencyKey: in.IdempotencyKey, PayoutID: string(in.PayoutID)})
	return r.ID, err
}

// codPolicy is the cash-on-delivery rule of the configuration.
func codPolicy(limits string) (*payment.CODPolicy, error) {
	if strings.TrimSpace(limits) == "" {
		limits = DefaultCODLimits
	}
	l, err := payment.ParseCODLimits(limits)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return &payment.CODPolicy{Limits: l}, nil
}

// ledgerSellers tells the ledger which store a seller's user runs.
type ledgerSellers struct{ a *account.Service }

func (l ledgerSellers) SellerOfUser(ctx context.Context, u id.User) (id.Seller, error) {
	s, err := l.a.SellerOfUser(ctx, u)
	return id.Seller(s.ID), err
}

// paymentParts tells the payment module an order's seller orders (the one
// a goodwill refund is charged to must be one of them). It reads the order
// as the caller, an admin or support, who may see every order.
type paymentParts struct{ mods *modules }

func (p paymentParts) SellerOrders(ctx context.Context, orderID id.Order) ([]id.SellerOrder, error) {
	d, err := p.mods.order.Order(ctx, orderID)
	if err != nil {
		return nil, err
	}
	out := make([]id.SellerOrder, 0, len(d.Order.SellerOrders))
	for _, so := range d.Order.SellerOrders {
		out = append(out, so.ID)
	}
	return out, nil
}
