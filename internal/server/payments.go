package server

import (
	"context"

	"fmt"
	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"log/slog"
	"strings"

	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw"
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
}

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
				APIBase: r.APIBase, TestTokens: r.TestTokens, Logger: log.With("module", "razorpay")})
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

// stripeTransfers pays sellers out through Stripe Connect.
type stripeTransfers struct{ g *stripegw.Gateway }

func (t stripeTransfers) Transfer(ctx context.Context, in ledger.TransferParams) (string, error) {
	r, err := t.g.Transfer(ctx, stripegw.TransferParams{Destination: in.Destination, Amount: in.Amount,
		IdempotencyKey: in.IdempotencyKey, PayoutID: string(in.PayoutID)})
	return r.ID, err
}

// ledgerSellers tells the ledger which store a seller's user runs.
type ledgerSellers struct{ a *account.Service }

func (l ledgerSellers) SellerOfUser(ctx context.Context, u id.User) (id.Seller, error) {
	s, err := l.a.SellerOfUser(ctx, string(u))
	return id.Seller(s.ID), err
}
