package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/payment/stripegw/stripemock"
	"github.com/bazaar-market/bazaar/internal/server"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// BenchmarkCheckoutHTTP measures checkout throughput through the real HTTP
// API: each operation is one order placed (POST /api/v1/order, two sellers'
// SKUs, stock reserved) and paid (POST /api/v1/payment with tok_visa; the
// test gateway's webhook then commits the stock in the background), by 8
// concurrent customers over loopback.
//
//	BAZAAR_TEST_POSTGRES_URL=... go test -run '^$' -bench CheckoutHTTP -benchtime 2000x -count 5 ./internal/server/
func BenchmarkCheckoutHTTP(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			benchCheckout(b, benchDB(b, engine), server.Payments{}, "tok_visa", nil)
		})
	}
}

// BenchmarkCheckoutGateways is BenchmarkCheckoutHTTP with the built-in
// test gateway and with the Stripe driver (dollars routed to Stripe,
// paying with pm_card_visa, server-confirmed), side by side in one run.
// Stripe is stripe-mock behind stripemock.Front (stripe-mock validates
// every request against Stripe's OpenAPI spec; the front keeps the intents
// and sends Stripe's signed webhooks to the server), all on this machine:
// the figure is the driver's and the shop's cost, not Stripe's latency.
//
//	BAZAAR_TEST_POSTGRES_URL=... go test -run '^$' -bench CheckoutGateways -benchtime 500x ./internal/server/
func BenchmarkCheckoutGateways(b *testing.B) {
	mock := stripemock.Start(b)
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			b.Run("test", func(b *testing.B) {
				benchCheckout(b, benchDB(b, engine), server.Payments{}, "tok_visa", nil)
			})
			b.Run("stripe", func(b *testing.B) {
				front := stripemock.NewFront(b, mock, stripemock.FrontOptions{})
				pay := server.Payments{Gateways: "USD:stripe", Stripe: server.StripeConfig{SecretKey: stripemock.Key,
					PublishableKey: "pk_test_123", APIBase: front.URL, WebhookSecrets: []string{front.WebhookSecret()}}}
				benchCheckout(b, benchDB(b, engine), pay, "pm_card_visa", func(base string) {
					front.SetDeliver(stripemock.PostTo(base+"/api/v1/payment/webhook/stripe"), false)
				})
			})
		})
	}
}

// benchDB is the database URL of an engine: "" for SQLite.
func benchDB(b *testing.B, engine string) string {
	if engine == "postgres" {
		return sqldbtest.PostgresURL(b)
	}
	return ""
}

// benchCheckout boots a server with pay, lists two sellers' SKUs and has 8
// customers place and pay orders with method (started is told the
// server's base URL), reporting orders/s.
func benchCheckout(b *testing.B, dbURL string, pay server.Payments, method string, started func(base string)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := server.New(ctx, server.Config{DataDir: b.TempDir(), DatabaseURL: dbURL, EventsURL: testEventsURL(b), Payments: pay}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Serve(ctx, l) }()
	base := "http://" + l.Addr().String()
	if started != nil {
		started(base)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	call := func(method, path, token string, body any, want int) map[string]any {
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(j))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		if res.StatusCode != want {
			b.Fatalf("%s %s = %d, want %d: %v", method, path, res.StatusCode, want, m)
		}
		return m
	}
	if _, err := s.CreateUser(ctx, "bench-admin@example.com", "password-123", "A", "admin"); err != nil {
		b.Fatal(err)
	}
	admin := call("POST", "/api/v1/auth/login", "", map[string]string{"email": "bench-admin@example.com", "password": "password-123"}, 200)["access_token"].(string)
	cat := call("POST", "/api/v1/category", admin, map[string]any{"name": "Bench"}, 201)["id"]
	for i := range 2 {
		// Made by the operator (verified), so they may list at once.
		email := fmt.Sprintf("bench-seller%d@example.com", i)
		if _, err := s.CreateUser(ctx, email, "password-123", "S", "seller"); err != nil {
			b.Fatal(err)
		}
		tok := call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": "password-123"}, 200)["access_token"].(string)
		call("POST", "/api/v1/seller", tok, map[string]string{"name": fmt.Sprintf("Bench Store %d", i)}, 201)
		sku := fmt.Sprintf("BENCH-%d", i)
		call("POST", "/api/v1/product", tok, map[string]any{"title": "Bench thing", "brand": "B", "category_id": cat, "status": "active",
			"variants": []map[string]any{{"sku": sku, "options": map[string]string{}, "price": map[string]any{"amount": 1000 + i, "currency": "USD"}}}}, 201)
		call("PUT", "/api/v1/inventory/"+sku, tok, map[string]int{"on_hand": 1_000_000}, 200)
	}
	const customers = 8
	tokens := make([]string, customers)
	for i := range tokens {
		tokens[i] = call("POST", "/api/v1/auth/register", "", map[string]string{"email": fmt.Sprintf("bench-buyer%d@example.com", i), "password": "password-123", "name": "B", "role": "customer"}, 201)["access_token"].(string)
	}
	order := map[string]any{
		"lines":            []map[string]any{{"sku": "BENCH-0", "quantity": 1}, {"sku": "BENCH-1", "quantity": 2}},
		"shipping_address": map[string]string{"name": "B", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
	}
	var next atomic.Int64
	b.SetParallelism(customers / 2) // 2 cores x 4 = 8 concurrent customers
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		tok := tokens[next.Add(1)%customers]
		for pb.Next() {
			o := call("POST", "/api/v1/order", tok, order, 201)
			call("POST", "/api/v1/payment", tok, map[string]any{"order_id": o["id"], "method": method}, 201)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
}
