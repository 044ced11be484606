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
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/server"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// boot starts a real server on a free loopback port, as a user would, on
// SQLite (dbURL "") or PostgreSQL.
func boot(t *testing.T, dbURL string) (*server.Server, string) {
	t.Helper()
	return bootConfig(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL})
}

// bootConfig starts a real server with cfg on a free loopback port. With
// BAZAAR_TEST_EVENTS_URL set (CI sets it to NATS for a second run of this
// package), its events go through that broker, in a namespace of its own.
func bootConfig(t *testing.T, cfg server.Config) (*server.Server, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return bootOn(t, cfg, l)
}

// bootOn starts a real server with cfg serving on l (so cfg may name its
// address, as PublicURL does).
func bootOn(t *testing.T, cfg server.Config, l net.Listener) (*server.Server, string) {
	t.Helper()
	if cfg.EventsURL == "" {
		cfg.EventsURL = testEventsURL(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		l.Close()
		t.Fatalf("server.New: %v", err)
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
	return s, "http://" + l.Addr().String()
}

// engines runs fn on SQLite and on PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) { fn(t, sqldbtest.PostgresURL(t)) })
}

type client struct {
	t    *testing.T
	base string
	// mail, when set, reads the text of the newest mail to an address
	// with a subject from where the server sends it (mailpit); unset, the
	// admin mail outbox is read.
	mail func(address, subject string) string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

// do sends a request; headers are "Name: value" strings.
func (c client) do(method, path string, body any, headers ...string) resp {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// must sends a request and fails the test unless the status is want.
func (c client) must(want int, method, path string, body any, headers ...string) map[string]any {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.status != want {
		c.t.Fatalf("%s %s = %d, want %d; body: %s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(c.t)
}

// problem checks a problem+json answer with status and code.
func (c client) problem(status int, code, method, path string, body any, headers ...string) {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.status != status || r.header.Get("Content-Type") != "application/problem+json" {
		c.t.Fatalf("%s %s = %d %s, want %d problem+json; body: %s", method, path, r.status, r.header.Get("Content-Type"), status, r.body)
	}
	if got := r.json(c.t)["code"]; got != code {
		c.t.Fatalf("%s %s code = %v, want %s; body: %s", method, path, got, code, r.body)
	}
}

func bearer(tok string) string { return "Authorization: Bearer " + tok }

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			fmt.Sscan(p, &i)
			if i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	case bool:
		return fmt.Sprint(x)
	}
	return ""
}

func items(m map[string]any) []map[string]any {
	raw, _ := m["items"].([]any)
	out := make([]map[string]any, len(raw))
	for i, x := range raw {
		out[i], _ = x.(map[string]any)
	}
	return out
}

// TestShopperJourney is the "done when" journey: a seller opens a
// store and lists a product with two variants and stock; a customer browses,
// fills a guest cart, signs in and finds it merged, and wishlists the product;
// bad input along the way gets the right problem and changes nothing.
func TestShopperJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		ctx := context.Background()

		if _, err := s.CreateUser(ctx, "admin@example.com", "admin-password-1", "Admin", "admin"); err != nil {
			t.Fatalf("CreateUser(admin): %v", err)
		}
		admin := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "admin@example.com", "password": "admin-password-1"}), "access_token")

		// Categories: Clothing > T-shirts.
		clothing := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Clothing"}, bearer(admin))
		tees := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "T-shirts", "parent_id": clothing["id"]}, bearer(admin))
		if tees["parent_id"] != clothing["id"] || str(tees, "slug") == "" {
			t.Fatalf("category = %v, want parent %v and a slug", tees, clothing["id"])
		}

		// A seller registers, opens a store, lists a product and stocks it.
		reg := c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "Seller@Example.com", "password": "seller-password-1", "name": "Sam Seller", "role": "seller"})
		seller := str(reg, "access_token")
		if str(reg, "token_type") != "Bearer" || str(reg, "refresh_token") == "" || str(reg, "user", "email") != "seller@example.com" {
			t.Fatalf("register response = %v", reg)
		}
		store := c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Sam's Shirts"}, bearer(seller))
		verifyByMail(c, admin, "seller@example.com")
		product := c.must(201, "POST", "/api/v1/product", map[string]any{
			"title": "Organic Cotton Tee", "description": "A soft tee.", "brand": "Acme",
			"category_id": tees["id"], "attributes": map[string]string{"material": "cotton"}, "status": "active",
			"variants": []map[string]any{
				{"sku": "TS-RED-M", "options": map[string]string{"color": "red", "size": "M"}, "price": map[string]any{"amount": 1999, "currency": "USD"}},
				{"sku": "TS-BLU-L", "options": map[string]string{"color": "blue", "size": "L"}, "price": map[string]any{"amount": 2199, "currency": "USD"}},
			},
		}, bearer(seller))
		pid := str(product, "id")
		if str(product, "seller_id") != str(store, "id") || str(product, "slug") == "" || str(product, "variants", "1", "sku") == "" {
			t.Fatalf("product = %v, want seller %v, a slug and two variants", product, store["id"])
		}
		stock := c.must(200, "PUT", "/api/v1/inventory/TS-RED-M", map[string]int{"on_hand": 10}, bearer(seller))
		if str(stock, "on_hand") != "10" || str(stock, "reserved") != "0" || str(stock, "available") != "10" {
			t.Fatalf("stock = %v, want on_hand 10, reserved 0, available 10", stock)
		}
		c.must(200, "PUT", "/api/v1/inventory/TS-BLU-L", map[string]int{"on_hand": 3}, bearer(seller))

		// Another seller can neither see-to-change nor stock this product.
		other := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "other@example.com", "password": "other-password-1", "name": "Olga", "role": "seller"}), "access_token")
		c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Olga's Outlet"}, bearer(other))
		c.problem(404, "not_found", "PUT", "/api/v1/product/"+pid, map[string]any{"title": "Mine now"}, bearer(other))
		c.problem(404, "not_found", "DELETE", "/api/v1/product/"+pid, nil, bearer(other))
		c.problem(404, "not_found", "PUT", "/api/v1/inventory/TS-RED-M", map[string]int{"on_hand": 0}, bearer(other))

		// Browsing: by parent category (sub-categories included), brand, price, slug.
		for _, q := range []string{"", "?category=" + str(clothing, "id"), "?brand=Acme", "?price_min=1000&price_max=2000", "?seller=" + str(store, "id"), "?sort=price_desc"} {
			list := c.must(200, "GET", "/api/v1/product"+q, nil)
			if its := items(list); len(its) != 1 || str(its[0], "id") != pid {
				t.Errorf("GET /api/v1/product%s = %v, want just the tee", q, list)
			}
		}
		for _, q := range []string{"?brand=Nobody", "?price_min=5000"} {
			if its := items(c.must(200, "GET", "/api/v1/product"+q, nil)); len(its) != 0 {
				t.Errorf("GET /api/v1/product%s = %d items, want 0", q, len(its))
			}
		}
		c.problem(400, "validation_failed", "GET", "/api/v1/product?price_min=cheap", nil)
		bySlug := c.must(200, "GET", "/api/v1/product/"+str(product, "slug"), nil)
		if str(bySlug, "id") != pid || str(bySlug, "variants", "0", "available") != "10" {
			t.Errorf("GET by slug = %v, want the tee with 10 available on its first variant", bySlug)
		}

		// A guest cart, then sign in: the cart is merged.
		cust := c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "carla@example.com", "password": "carla-password-1", "name": "Carla", "role": "customer"})
		r := c.do("POST", "/api/v1/cart/item", map[string]any{"sku": "TS-RED-M", "quantity": 2})
		if r.status != 200 && r.status != 201 {
			t.Fatalf("guest add to cart = %d %s", r.status, r.body)
		}
		token := r.header.Get("X-Cart-Token")
		if token == "" || str(r.json(t), "token") != token {
			t.Fatalf("guest cart token header %q, body %s: want the same token in both", token, r.body)
		}
		c.problem(409, "insufficient_stock", "POST", "/api/v1/cart/item", map[string]any{"sku": "TS-RED-M", "quantity": 9}, "X-Cart-Token: "+token)
		c.problem(400, "validation_failed", "POST", "/api/v1/cart/item", map[string]any{"sku": "TS-RED-M", "quantity": -1}, "X-Cart-Token: "+token)
		c.problem(400, "unknown_field", "POST", "/api/v1/cart/item", map[string]any{"sku": "TS-RED-M", "quantity": 1, "price": 1}, "X-Cart-Token: "+token)
		guest := c.must(200, "GET", "/api/v1/cart", nil, "X-Cart-Token: "+token)
		if str(guest, "subtotal", "amount") != "3998" {
			t.Fatalf("guest cart = %v, want subtotal 3998", guest)
		}

		login := c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "carla@example.com", "password": "carla-password-1"})
		customer := str(login, "access_token")
		c.must(200, "POST", "/api/v1/cart/item", map[string]any{"sku": "TS-BLU-L", "quantity": 1}, bearer(customer))
		merged := c.must(200, "GET", "/api/v1/cart", nil, bearer(customer), "X-Cart-Token: "+token)
		if str(merged, "subtotal", "amount") != "6197" || str(merged, "groups", "0", "seller_id") != str(store, "id") {
			t.Fatalf("merged cart = %v, want both lines (3998 + 2199) grouped under the store", merged)
		}
		again := c.must(200, "GET", "/api/v1/cart", nil, bearer(customer), "X-Cart-Token: "+token)
		if str(again, "subtotal", "amount") != "6197" {
			t.Errorf("cart after a second merge = %v, want it unchanged", again)
		}

		// Wishlist.
		c.problem(401, "unauthenticated", "POST", "/api/v1/wishlist", map[string]string{"product_id": pid})
		c.must(201, "POST", "/api/v1/wishlist", map[string]string{"product_id": pid}, bearer(customer))
		wl := c.must(200, "GET", "/api/v1/wishlist", nil, bearer(customer))
		if its := items(wl); len(its) != 1 || str(its[0], "id") != pid {
			t.Errorf("wishlist = %v, want the tee", wl)
		}

		// Tokens: tampered, reused refresh token.
		c.problem(401, "invalid_token", "GET", "/api/v1/me", nil, bearer(customer[:len(customer)-4]+"AAAA"))
		me := c.must(200, "GET", "/api/v1/me", nil, bearer(customer))
		if str(me, "email") != "carla@example.com" && str(me, "user", "email") != "carla@example.com" {
			t.Errorf("GET /me = %v", me)
		}
		refresh := str(cust, "refresh_token")
		rotated := c.must(200, "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": refresh})
		c.problem(401, "refresh_token_reused", "POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": refresh})
		// Reuse revoked the whole family, the rotated token included.
		r = c.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": str(rotated, "refresh_token")})
		if r.status != 401 {
			t.Errorf("refresh with the rotated token after reuse = %d, want 401", r.status)
		}

		// The product stays as it was after all the refused changes.
		final := c.must(200, "GET", "/api/v1/product/"+pid, nil)
		if str(final, "title") != "Organic Cotton Tee" {
			t.Errorf("title = %q after refused updates, want unchanged", str(final, "title"))
		}
	})
}

func TestHealthAndUnknownRoutes(t *testing.T) {
	_, base := boot(t, "")
	c := client{t: t, base: base}
	c.must(200, "GET", "/healthz", nil)
	if m := c.must(200, "GET", "/readyz", nil); str(m, "database") != "sqlite" {
		t.Errorf("readyz = %v, want database sqlite", m)
	}
	c.problem(404, "route_not_found", "GET", "/api/v1/nothing-here", nil)
	_ = time.Second
}
