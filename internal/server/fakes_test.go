package server_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
	"github.com/bazaar-market/bazaar/internal/server"
)

// TestPaymentFakes runs Razorpay's browser checkout against the fake that
// --payment-fakes serves in process: the web checkout is told to load the
// fake's Checkout script, which is served; the Razorpay driver creates its
// order in the fake (reachable by its API under /_fake/razorpay/v1); a
// declined payment, whose webhook reaches the server, leaves the attempt
// open with the bank's reason; the next try is paid, confirmed with the
// proof the fake's Checkout endpoint returns, and the order is paid.
func TestPaymentFakes(t *testing.T) {
	s, url := bootConfig(t, server.Config{DataDir: t.TempDir(), Payments: server.Payments{Gateways: "USD:razorpay", Fakes: true}})
	if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 1, ImageSize: 16, NoActivity: true}); err != nil {
		t.Fatal(err)
	}
	c := client{t: t, base: url}

	checkout := c.must(200, "GET", "/api/v1/payment/checkout?currency=USD", nil)
	if checkout["gateway"] != "razorpay" || checkout["script_url"] != "/_fake/razorpay/checkout.js" || checkout["publishable_key"] != razorpayfake.DefaultKeyID {
		t.Fatalf("checkout = %v; want razorpay with the fake's key and script", checkout)
	}
	js := c.do("GET", "/_fake/razorpay/checkout.js", nil)
	if js.status != 200 || !strings.HasPrefix(js.header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(js.body), "window.Razorpay = Razorpay") {
		t.Fatalf("GET checkout.js = %d %s, %d bytes; want the fake's script", js.status, js.header.Get("Content-Type"), len(js.body))
	}
	if got := c.do("GET", "/api/v1/payment/checkout?currency=EUR", nil).json(t)["script_url"]; got != nil {
		t.Errorf("script_url for EUR (the test gateway) = %v, want none", got)
	}

	tok := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "customer@demo.bazaar.dev", "password": "demo-customer-pass"}), "access_token")
	sku := str(c.must(200, "GET", "/api/v1/product?limit=1", nil), "items", "0", "variants", "0", "sku")
	ord := c.must(201, "POST", "/api/v1/order", map[string]any{
		"lines":            []map[string]any{{"sku": sku, "quantity": 1}},
		"shipping_address": map[string]string{"name": "C", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
	}, bearer(tok))
	orderID := str(ord, "id")
	pay := c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": orderID}, bearer(tok), "Idempotency-Key: fakes-pay-1")
	rzpOrder := str(pay, "next_action", "gateway_order_id")
	if str(pay, "next_action", "type") != "use_sdk" || !strings.HasPrefix(rzpOrder, "order_") {
		t.Fatalf("payment = %v; want one awaiting Razorpay Checkout", pay)
	}
	// The driver made its order in the fake: the fake's API, through the
	// server and with Razorpay's Basic auth, knows it.
	api := c.do("GET", "/_fake/razorpay/v1/orders/"+rzpOrder, nil,
		"Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(razorpayfake.DefaultKeyID+":"+razorpayfake.DefaultKeySecret)))
	if api.status != 200 || api.json(t)["receipt"] != pay["id"] {
		t.Fatalf("GET the fake's order %s = %d %s; want the order made for payment %v", rzpOrder, api.status, api.body, pay["id"])
	}
	if got := c.do("GET", "/_fake/razorpay/v1/orders/"+rzpOrder, nil).status; got != 401 {
		t.Errorf("the fake's API without Basic auth = %d, want 401", got)
	}

	failed := c.must(200, "POST", "/_fake/razorpay/checkout/"+rzpOrder, map[string]string{"outcome": "failure"})
	if str(failed, "error", "reason") != "payment_declined" || !strings.Contains(str(failed, "error", "description"), "declined by the bank") {
		t.Fatalf("declined payment = %v; want Checkout's error with the bank's reason", failed)
	}
	// The decline reached the server by webhook: the attempt stays open for
	// another try in Checkout, with the bank's reason.
	waitOrder(t, c, orderID, tok, func(o map[string]any) bool { return str(o, "payments", "0", "failure_code") == "payment_declined" })
	if got := str(c.must(200, "GET", "/api/v1/order/"+orderID, nil, bearer(tok)), "payments", "0", "failure_message"); !strings.Contains(got, "declined") {
		t.Errorf("payment's failure message = %q, want the bank's decline", got)
	}

	again := c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": orderID}, bearer(tok), "Idempotency-Key: fakes-pay-2")
	rzpOrder2 := str(again, "next_action", "gateway_order_id")
	if again["id"] != pay["id"] || rzpOrder2 != rzpOrder {
		t.Fatalf("second try = %v; want the same open payment and Razorpay order %s", again, rzpOrder)
	}
	if got := c.do("POST", "/_fake/razorpay/checkout/order_nope", map[string]string{"outcome": "success"}).status; got != 400 {
		t.Errorf("paying an unknown order in the fake = %d, want 400", got)
	}
	proof := c.must(200, "POST", "/_fake/razorpay/checkout/"+rzpOrder2, map[string]string{"outcome": "success"})
	if proof["razorpay_order_id"] != rzpOrder2 || str(proof, "razorpay_signature") == "" {
		t.Fatalf("paid = %v; want Checkout's proof", proof)
	}
	forged := map[string]any{"razorpay_order_id": rzpOrder2, "razorpay_payment_id": proof["razorpay_payment_id"], "razorpay_signature": strings.Repeat("0", 64)}
	// The webhooks settled the payment already; a forged proof changes nothing either way.
	if r := c.do("POST", "/api/v1/payment/"+str(again, "id")+"/confirm", forged, bearer(tok)); r.status != 200 && r.status != 400 {
		t.Errorf("confirm with a forged signature = %d, want 400 (or the settled payment)", r.status)
	}
	done := c.must(200, "POST", "/api/v1/payment/"+str(again, "id")+"/confirm", proof, bearer(tok))
	if done["status"] != "succeeded" {
		t.Fatalf("confirmed payment = %v, want succeeded", done)
	}
	waitOrder(t, c, orderID, tok, func(o map[string]any) bool { return o["status"] == "paid" })
}

// TestPaymentFakesRefused: --payment-fakes never runs next to a real
// gateway API, and says why.
func TestPaymentFakesRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  server.Payments
		want string
	}{
		{"razorpay API base", server.Payments{Gateways: "INR:razorpay", Fakes: true,
			Razorpay: server.RazorpayConfig{APIBase: "https://api.razorpay.com/v1"}}, "BAZAAR_RAZORPAY_API_BASE"},
		{"razorpay API base of another fake", server.Payments{Fakes: true,
			Razorpay: server.RazorpayConfig{APIBase: "http://127.0.0.1:9/v1"}}, "BAZAAR_RAZORPAY_API_BASE"},
		{"live razorpay key", server.Payments{Gateways: "INR:razorpay", Fakes: true,
			Razorpay: server.RazorpayConfig{KeyID: "rzp_live_abc", KeySecret: "s", WebhookSecrets: []string{"w"}}}, "live Razorpay key"},
		{"stripe's real API", server.Payments{Gateways: "USD:stripe,INR:razorpay", Fakes: true,
			Stripe: server.StripeConfig{SecretKey: "sk_test_1", WebhookSecrets: []string{"whsec_1"}}}, "Stripe's real API"},
		{"stripe's real API named", server.Payments{Gateways: "USD:stripe", Fakes: true,
			Stripe: server.StripeConfig{SecretKey: "sk_test_1", WebhookSecrets: []string{"whsec_1"}, APIBase: "https://api.stripe.com"}}, "Stripe's real API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := server.New(context.Background(), server.Config{DataDir: t.TempDir(), Payments: tc.cfg}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err == nil {
				s.Close()
				t.Fatalf("server.New(%+v) = nil error, want one mentioning %q", tc.cfg, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--payment-fakes") {
				t.Errorf("server.New error = %q, want it to name --payment-fakes and %q", err, tc.want)
			}
		})
	}
}

func waitOrder(t *testing.T, c client, id, tok string, ok func(map[string]any) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		o := c.must(200, "GET", "/api/v1/order/"+id, nil, bearer(tok))
		if ok(o) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %s never got there: %v", id, o)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
