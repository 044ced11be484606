package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/demo"
	"github.com/bazaar-market/bazaar/internal/server"
)

func TestSeedIsIdempotentAndLoginsWork(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		ctx := context.Background()
		var progress bytes.Buffer
		logins, err := s.Seed(ctx, server.SeedOptions{Progress: &progress, PerCategory: 2})
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		want := 0
		for _, st := range demo.Stores {
			want += 2 * len(st.Sells)
		}
		if !strings.Contains(progress.String(), "products 40/40 (40 new)") || want != 40 {
			t.Errorf("progress = %q, want 40 new products reported", progress.String())
		}
		if !strings.Contains(progress.String(), "demo: shopper history ready (") || strings.Contains(progress.String(), "history ready (none new)") {
			t.Errorf("progress = %q, want the shoppers' history loaded", progress.String())
		}
		// The history fills the rails once the server tails it.
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if n := len(items(c.must(200, "GET", "/api/v1/recommendation?kind=trending&limit=12", nil))); n == 12 {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("trending has %d items 15 s after the demo seed, want 12", n)
			}
		}
		roles := map[string]bool{}
		for _, l := range logins {
			tok := c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": l.Email, "password": l.Password})
			if str(tok, "user", "role") != l.Role {
				t.Errorf("login %s has role %q, want %s", l.Email, str(tok, "user", "role"), l.Role)
			}
			roles[l.Role] = true
		}
		if len(roles) != 5 {
			t.Errorf("demo logins cover roles %v, want all five", roles)
		}
		page := c.must(200, "GET", "/api/v1/product?limit=100", nil)
		if n := len(items(page)); n != 40 {
			t.Errorf("listed %d demo products, want 40", n)
		}
		first := items(page)[0]
		if str(first, "images", "0", "url") == "" {
			t.Errorf("demo product %v has no image", first["id"])
		} else if r := c.do("GET", str(first, "images", "0", "url"), nil); r.status != 200 || r.header.Get("Content-Type") != "image/png" {
			t.Errorf("demo image = %d %s, want a PNG", r.status, r.header.Get("Content-Type"))
		}

		progress.Reset()
		if _, err := s.Seed(ctx, server.SeedOptions{Progress: &progress, PerCategory: 2}); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		if !strings.Contains(progress.String(), "(0 new)") || !strings.Contains(progress.String(), "shopper history ready (none new)") {
			t.Errorf("second seed progress = %q, want nothing new", progress.String())
		}
		if n := len(items(c.must(200, "GET", "/api/v1/product?limit=100", nil))); n != 40 {
			t.Errorf("after a second seed: %d products, want still 40", n)
		}
	})
}

// TestSeedDemoActivity seeds the demo customer's orders, returns and
// tickets as `bazaar serve --demo` does, before the server serves (the
// seeding delivers the events itself), then seeds again while it serves:
// every state is there, once, and each account sees its share.
func TestSeedDemoActivity(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		s, err := server.New(ctx, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, EventsURL: testEventsURL(t)},
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("server.New: %v", err)
		}
		var progress bytes.Buffer
		if _, err := s.Seed(ctx, server.SeedOptions{Progress: &progress, PerCategory: 2, ImageSize: 16}); err != nil {
			s.Close()
			t.Fatalf("Seed: %v\n%s", err, progress.String())
		}
		for _, line := range []string{"demo: orders 5/5", "demo: returns 4/4", "demo: tickets 5/5"} {
			if !strings.Contains(progress.String(), line) {
				t.Errorf("progress = %q, want a line %q", progress.String(), line)
			}
		}
		base := serve(t, s)
		progress.Reset()
		if _, err := s.Seed(ctx, server.SeedOptions{Progress: &progress, PerCategory: 2, ImageSize: 16}); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		if strings.Contains(progress.String(), "demo: orders 1/") || !strings.Contains(progress.String(), "none new") {
			t.Errorf("second seed progress = %q, want no new orders", progress.String())
		}

		c := client{t: t, base: base}
		login := func(a demo.Account) string {
			return str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": a.Email, "password": a.Password}), "access_token")
		}
		customer, seller, delivery, agent := login(demo.Accounts[1]), login(demo.Accounts[2]), login(demo.Accounts[3]), login(demo.Accounts[4])
		northwind := str(c.must(200, "GET", "/api/v1/seller/me", nil, bearer(seller)), "id")
		partner := str(c.must(200, "GET", "/api/v1/me", nil, bearer(delivery)), "id")
		count := func(list []map[string]any, key string) map[string]int {
			n := map[string]int{}
			for _, x := range list {
				n[str(x, key)]++
			}
			return n
		}

		// Orders: two delivered (one from the demo seller, one from
		// another), one shipped, one paid awaiting fulfilment, and the one
		// whose return was refunded.
		orders := items(c.must(200, "GET", "/api/v1/order?limit=100", nil, bearer(customer)))
		if got, want := count(orders, "status"), map[string]int{"delivered": 2, "shipped": 1, "paid": 1, "partially_returned": 1}; !maps.Equal(got, want) {
			t.Errorf("the demo customer's orders by status = %v, want %v", got, want)
		}
		deliveredFrom := map[string]bool{}
		for _, o := range orders {
			if str(o, "status") == "delivered" {
				for _, part := range o["seller_orders"].([]any) {
					deliveredFrom[str(part.(map[string]any), "seller_id")] = true
				}
			}
			if str(o, "status") == "paid" && str(o, "seller_orders", "0", "status") != "awaiting_fulfillment" {
				t.Errorf("paid order %s: seller order %s, want awaiting_fulfillment", str(o, "id"), str(o, "seller_orders", "0", "status"))
			}
		}
		if !deliveredFrom[northwind] || len(deliveredFrom) < 2 {
			t.Errorf("delivered orders come from sellers %v, want the demo seller's store %s and another", deliveredFrom, northwind)
		}
		if got := count(items(c.must(200, "GET", "/api/v1/order?limit=100", nil, bearer(seller))), "status"); got["paid"] != 1 || got["delivered"] != 1 {
			t.Errorf("the demo seller's orders by status = %v, want one paid and one delivered", got)
		}

		// Returns: requested, approved with a pickup for the demo delivery
		// partner, rejected with a reason, refunded after a sellable receipt.
		returns := items(c.must(200, "GET", "/api/v1/return?limit=100", nil, bearer(customer)))
		if got, want := count(returns, "status"), map[string]int{"requested": 1, "approved": 1, "rejected": 1, "refunded": 1}; !maps.Equal(got, want) {
			t.Errorf("the demo customer's returns by status = %v, want %v", got, want)
		}
		var rejected string
		for _, r := range returns {
			switch str(r, "status") {
			case "requested":
				if str(r, "seller_id") != northwind {
					t.Errorf("the requested return is with seller %s, want the demo seller %s", str(r, "seller_id"), northwind)
				}
			case "approved":
				if str(r, "pickup", "status") != "scheduled" || str(r, "pickup", "partner_id") != partner {
					t.Errorf("approved return's pickup = %v, want scheduled with the demo delivery partner %s", r["pickup"], partner)
				}
			case "rejected":
				rejected = str(r, "id")
				if str(r, "reject_reason") == "" {
					t.Errorf("rejected return %s has no reason", rejected)
				}
			case "refunded":
				if str(r, "restocked") != "1" || str(r, "refund", "amount") == "0" {
					t.Errorf("refunded return = restocked %s, refund %v; want one unit back in stock and money back", str(r, "restocked"), r["refund"])
				}
			}
		}
		if got := count(items(c.must(200, "GET", "/api/v1/return", nil, bearer(seller))), "status"); got["requested"] != 1 || got["approved"] != 1 {
			t.Errorf("the demo seller's returns by status = %v, want one requested and one approved", got)
		}
		if got := count(items(c.must(200, "GET", "/api/v1/return", nil, bearer(delivery))), "status"); got["approved"] != 1 {
			t.Errorf("the demo delivery partner's pickups by return status = %v, want the approved one", got)
		}
		if n := len(items(c.must(200, "GET", "/api/v1/delivery/shipment?limit=100", nil, bearer(delivery)))); n != 5 {
			t.Errorf("the demo delivery partner has %d shipments, want 5 (four delivered, one on its way)", n)
		}

		// Tickets.
		tickets := items(c.must(200, "GET", "/api/v1/ticket?limit=100", nil, bearer(customer)))
		if got, want := count(tickets, "status"), map[string]int{"open": 2, "awaiting_seller": 1, "awaiting_customer": 1, "resolved": 1}; !maps.Equal(got, want) {
			t.Errorf("the demo customer's tickets by status = %v, want %v", got, want)
		}
		for _, tk := range tickets {
			id := str(tk, "id")
			switch {
			case str(tk, "status") == "open" && str(tk, "return_id") != "":
				if str(tk, "return_id") != rejected || str(tk, "priority") != "high" {
					t.Errorf("escalation ticket = return %s, priority %s; want the rejected return %s, high", str(tk, "return_id"), str(tk, "priority"), rejected)
				}
			case str(tk, "status") == "open":
				if str(tk, "category") != "general" {
					t.Errorf("open ticket %s is about %s, want a general question", id, str(tk, "category"))
				}
			case str(tk, "status") == "awaiting_seller":
				if str(tk, "seller_id") != northwind || str(tk, "seller_order_id") == "" {
					t.Errorf("ticket awaiting the seller = seller %s, seller order %q; want a seller order of %s", str(tk, "seller_id"), str(tk, "seller_order_id"), northwind)
				}
				c.must(200, "GET", "/api/v1/ticket/"+id, nil, bearer(seller))
			case str(tk, "status") == "awaiting_customer":
				internal := func(token string) int {
					n := 0
					for _, m := range c.must(200, "GET", "/api/v1/ticket/"+id, nil, bearer(token))["messages"].([]any) {
						if m.(map[string]any)["internal"] == true {
							n++
						}
					}
					return n
				}
				if internal(agent) != 1 || internal(customer) != 0 {
					t.Errorf("answered ticket %s: support sees %d internal notes, the customer %d; want 1 and 0", id, internal(agent), internal(customer))
				}
			}
		}
		if n := len(items(c.must(200, "GET", "/api/v1/ticket?limit=100", nil, bearer(agent)))); n != 5 {
			t.Errorf("support sees %d tickets, want the 5 demo tickets", n)
		}
	})
}

// serve serves s on a free loopback port until the test ends, as
// bootConfig does for a server it makes.
func serve(t *testing.T, s *server.Server) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		s.Close()
	})
	return "http://" + l.Addr().String()
}
