package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v86/webhook"

	"github.com/bazaar-market/bazaar/internal/payment/stripegw/stripemock"
	"github.com/bazaar-market/bazaar/internal/server"
)

// TestStripeCheckout runs a checkout with dollars routed to Stripe
// (stripe-mock, which validates every request): the web checkout learns it
// pays with Stripe's Payment Element, the payment comes back awaiting the
// browser with a client secret, a forged webhook is refused, and Stripe's
// signed payment_intent.succeeded makes the order paid, once however often
// it is sent.
func TestStripeCheckout(t *testing.T) {
	base := stripemock.Start(t)
	const whsec = "whsec_test_secret"
	s, url := bootConfig(t, server.Config{DataDir: t.TempDir(), Payments: server.Payments{
		Gateways: "USD:stripe",
		Stripe:   server.StripeConfig{SecretKey: "sk_test_123", PublishableKey: "pk_test_123", WebhookSecrets: []string{whsec}, APIBase: base},
	}})
	if _, err := s.Seed(context.Background(), server.SeedOptions{PerCategory: 1, ImageSize: 16, NoActivity: true}); err != nil {
		t.Fatal(err)
	}
	c := client{t: t, base: url}
	checkout := c.must(200, "GET", "/api/v1/payment/checkout?currency=USD", nil)
	if checkout["gateway"] != "stripe" || checkout["client_side"] != true || checkout["publishable_key"] != "pk_test_123" {
		t.Fatalf("checkout = %v; want stripe, client side, the publishable key", checkout)
	}
	if strings.Contains(string(c.do("GET", "/api/v1/payment/checkout?currency=USD", nil).body), "sk_test") {
		t.Fatal("the checkout configuration shows the secret key")
	}
	tok := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "customer@demo.bazaar.dev", "password": "demo-customer-pass"}), "access_token")
	sku := str(c.must(200, "GET", "/api/v1/product?limit=1", nil), "items", "0", "variants", "0", "sku")
	ord := c.must(201, "POST", "/api/v1/order", map[string]any{
		"lines":            []map[string]any{{"sku": sku, "quantity": 1}},
		"shipping_address": map[string]string{"name": "C", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
	}, bearer(tok))
	pay := c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": ord["id"]}, bearer(tok), "Idempotency-Key: stripe-pay-1")
	if pay["gateway"] != "stripe" || pay["status"] != "processing" || str(pay, "next_action", "type") != "use_sdk" ||
		!strings.Contains(str(pay, "next_action", "client_secret"), "_secret_") || str(pay, "next_action", "publishable_key") != "pk_test_123" {
		t.Fatalf("payment = %v; want processing through stripe, awaiting the Payment Element", pay)
	}
	var intent string
	if err := s.DB().Read().QueryRow(`SELECT gateway_intent_id FROM payment_payments WHERE id = $1`, pay["id"]).Scan(&intent); err != nil || intent == "" {
		t.Fatalf("intent of %v: %q, %v", pay["id"], intent, err)
	}
	total := ord["total"].(map[string]any)["amount"]
	event, _ := json.Marshal(map[string]any{"id": "evt_stripe_1", "object": "event", "type": "payment_intent.succeeded", "api_version": "2026-06-24.dahlia",
		"created": time.Now().Unix(), "data": map[string]any{"object": map[string]any{
			"id": intent, "object": "payment_intent", "status": "succeeded", "amount": total, "amount_received": total, "currency": "usd",
			"metadata": map[string]any{"payment_id": pay["id"], "order_id": ord["id"]}}}})
	post := func(secret string) int {
		p := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: event, Secret: secret, Timestamp: time.Now()})
		req, _ := http.NewRequest("POST", url+"/api/v1/payment/webhook/stripe", bytes.NewReader(event))
		req.Header.Set("Stripe-Signature", p.Header)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := post("whsec_forged"); got != 400 {
		t.Fatalf("forged webhook = %d, want 400", got)
	}
	if got := str(c.must(200, "GET", "/api/v1/order/"+str(ord, "id"), nil, bearer(tok)), "status"); got != "pending_payment" {
		t.Fatalf("order after a forged webhook = %s, want pending_payment", got)
	}
	for range 2 {
		if got := post(whsec); got != 200 {
			t.Fatalf("webhook = %d, want 200", got)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for str(c.must(200, "GET", "/api/v1/order/"+str(ord, "id"), nil, bearer(tok)), "status") != "paid" {
		if time.Now().After(deadline) {
			t.Fatal("the order never became paid after Stripe's webhook")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var n int
	if err := s.DB().Read().QueryRow(`SELECT count(*) FROM event_outbox WHERE topic = 'payment.succeeded.v1'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("payment.succeeded.v1 published %d times (%v), want once", n, err)
	}
}
