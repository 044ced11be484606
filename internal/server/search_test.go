package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog/cataloggen"
	"github.com/bazaar-market/bazaar/internal/server"
)

// openShop makes an admin (through the CLI's path), a category and a
// seller with a store; it returns the admin's and the seller's tokens, the
// category and the store.
func openShop(t *testing.T, s *server.Server, c client, category, storeName string) (admin string, cat map[string]any, seller string, store map[string]any) {
	t.Helper()
	if _, err := s.CreateUser(context.Background(), "admin@example.com", "admin-password-1", "Admin", "admin"); err != nil {
		t.Fatal(err)
	}
	admin = str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "admin@example.com", "password": "admin-password-1"}), "access_token")
	cat = c.must(201, "POST", "/api/v1/category", map[string]any{"name": category}, bearer(admin))
	seller = str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "seller@example.com", "password": "seller-password-1", "name": "Sam", "role": "seller"}), "access_token")
	store = c.must(201, "POST", "/api/v1/seller", map[string]string{"name": storeName}, bearer(seller))
	verifyByMail(c, admin, "seller@example.com")
	return admin, cat, seller, store
}

// TestSearchKeptInStep drives search through the real server on both
// engines: a product listed through the API becomes searchable (typos
// included) within seconds, its stock shows, and it disappears when
// archived or when its store is suspended.
func TestSearchKeptInStep(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		admin, cat, seller, store := openShop(t, s, c, "Kettles", "Kettle Corner")
		product := c.must(201, "POST", "/api/v1/product", map[string]any{
			"title": "Brushed Copper Whistling Kettle", "description": "Boils fast on gas and induction.", "brand": "Hearthly",
			"category_id": cat["id"], "attributes": map[string]string{"material": "copper"}, "status": "active",
			"variants": []map[string]any{{"sku": "KT-COP-1", "price": map[string]any{"amount": 4599, "currency": "USD"}}},
		}, bearer(seller))
		pid := str(product, "id")

		// find polls until the query's hits satisfy ok (the index is fed by
		// events through the outbox) and returns the last page.
		find := func(q string, ok func(hits []map[string]any) bool) []map[string]any {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				hits := items(c.must(200, "GET", "/api/v1/search?"+q, nil))
				if ok(hits) {
					return hits
				}
				if time.Now().After(deadline) {
					t.Fatalf("GET /api/v1/search?%s = %v, still not as expected after 10 s", q, hits)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		has := func(hits []map[string]any) bool { return len(hits) == 1 && str(hits[0], "id") == pid }
		none := func(hits []map[string]any) bool { return len(hits) == 0 }

		hits := find("q="+url.QueryEscape("whistling kettle"), has)
		if str(hits[0], "availability") != "out_of_stock" || str(hits[0], "seller_name") != "Kettle Corner" {
			t.Errorf("hit = %v, want out_of_stock (no stock yet) from Kettle Corner", hits[0])
		}
		c.must(200, "PUT", "/api/v1/inventory/KT-COP-1", map[string]int{"on_hand": 4}, bearer(seller))
		find("q=kettle&in_stock=true", has)
		find("q=kettel", has)                               // one typo
		find("q=cop", has)                                  // prefix of the last word
		find("q=kettle&brand=hearthly&price_max=5000", has) // filters
		find("q=kettle&price_min=5000", none)

		// Stock changes that keep it in stock leave the document alone;
		// selling out and restocking move it out of and back into the
		// in-stock results.
		c.must(200, "PUT", "/api/v1/inventory/KT-COP-1", map[string]int{"on_hand": 2}, bearer(seller))
		c.must(200, "PUT", "/api/v1/inventory/KT-COP-1", map[string]int{"on_hand": 0}, bearer(seller))
		find("q=kettle&in_stock=true", none)
		if hits := find("q=kettle", has); str(hits[0], "availability") != "out_of_stock" {
			t.Errorf("sold out hit = %v, want out_of_stock", hits[0])
		}
		c.must(200, "PUT", "/api/v1/inventory/KT-COP-1", map[string]int{"on_hand": 3}, bearer(seller))
		find("q=kettle&in_stock=true", has)

		// Facets come with the first page.
		res := c.must(200, "GET", "/api/v1/search?q=kettle", nil)
		if str(res, "total") != "1" || str(res, "facets", "brand", "0", "label") != "Hearthly" || str(res, "facets", "brand", "0", "count") != "1" {
			t.Errorf("GET /api/v1/search?q=kettle = %v, want total 1 and a Hearthly brand facet of 1", res)
		}
		sugg := items(c.must(200, "GET", "/api/v1/search/suggest?q=hearth", nil))
		if len(sugg) == 0 {
			t.Error("suggest?q=hearth = no suggestions, want the brand Hearthly")
		}
		c.problem(400, "validation_failed", "GET", "/api/v1/search?sort=cheapest", nil)
		c.problem(400, "validation_failed", "GET", "/api/v1/search?limit=1000", nil)

		// A suspended store's products leave the results, and come back.
		c.must(200, "PUT", "/api/v1/admin/seller/"+str(store, "id")+"/suspend", map[string]string{"reason": "audit"}, bearer(admin))
		find("q=kettle", none)
		c.must(200, "PUT", "/api/v1/admin/seller/"+str(store, "id")+"/reinstate", nil, bearer(admin))
		find("q=kettle", has)

		// Archiving removes it.
		c.do("DELETE", "/api/v1/product/"+pid, nil, bearer(seller))
		find("q=kettle", none)
	})
}

// TestSeedCatalog loads a small synthetic marketplace the way `bazaar seed
// --products N` does: the products are searchable and purchasable (stock
// was loaded), and loading the same seed again is refused.
func TestSeedCatalog(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		ctx := context.Background()
		st, rs, err := s.SeedCatalog(ctx, cataloggen.Config{Products: 300, Seed: 7}, nil)
		if err != nil {
			t.Fatalf("SeedCatalog: %v", err)
		}
		if st.Products != 300 || rs.Products == 0 || rs.Products > 300 {
			t.Fatalf("SeedCatalog = %+v, %+v; want 300 products, all active ones indexed", st, rs)
		}
		// The serving process adopts the index rebuilt beside it.
		deadline := time.Now().Add(15 * time.Second)
		var res map[string]any
		for {
			res = c.must(200, "GET", "/api/v1/search?in_stock=true&limit=5", nil)
			if len(items(res)) > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		hits := items(res)
		if len(hits) == 0 {
			t.Fatalf("GET /api/v1/search?in_stock=true = %v, want seeded products", res)
		}
		// Stock is real inventory: the product page shows it too.
		p := c.must(200, "GET", "/api/v1/product/"+str(hits[0], "id"), nil)
		avail := 0
		for _, v := range items(map[string]any{"items": p["variants"]}) {
			if str(v, "available") != "0" {
				avail++
			}
		}
		if avail == 0 {
			t.Errorf("product %v has no variant available, want the seeded stock", p["id"])
		}
		// Ratings are the review module's too (as ratings without text):
		// the product page's summary says what search says.
		rated := items(c.must(200, "GET", "/api/v1/search?sort=rating&limit=1", nil))
		if len(rated) != 1 || str(rated[0], "rating_count") == "0" {
			t.Fatalf("top rated = %v, want a rated product", rated)
		}
		sum := c.must(200, "GET", "/api/v1/product/"+str(rated[0], "id")+"/review", nil)["summary"].(map[string]any)
		if got, want := str(sum, "average")+"/"+str(sum, "count")+"/"+str(sum, "reviews"), str(rated[0], "rating")+"/"+str(rated[0], "rating_count")+"/0"; got != want {
			t.Errorf("the top rated product's summary (average/count/written) = %s, search says %s", got, want)
		}
		if _, _, err := s.SeedCatalog(ctx, cataloggen.Config{Products: 300, Seed: 7}, nil); !apperr.Is(err, apperr.KindConflict) {
			t.Errorf("SeedCatalog again = %v, want a Conflict", err)
		}
	})
}

// TestSearchSynonymsFile: BAZAAR_SEARCH_SYNONYMS replaces the built-in
// list; a malformed file stops the server from starting.
func TestSearchSynonymsFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "synonyms.txt")
	if err := os.WriteFile(file, []byte("# ours\nsamovar => kettle\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, base := bootConfig(t, server.Config{DataDir: filepath.Join(dir, "data"), SearchSynonyms: file})
	c := client{t: t, base: base}
	ctx := context.Background()
	if _, _, err := s.SeedCatalog(ctx, cataloggen.Config{Products: 50, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "admin@example.com", "admin-password-1", "Admin", "admin"); err != nil {
		t.Fatal(err)
	}
	admin := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "admin@example.com", "password": "admin-password-1"}), "access_token")
	cat := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Kettles"}, bearer(admin))
	seller := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "k@example.com", "password": "seller-password-1", "name": "K", "role": "seller"}), "access_token")
	c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "K Store"}, bearer(seller))
	verifyByMail(c, admin, "k@example.com")
	c.must(201, "POST", "/api/v1/product", map[string]any{"title": "Stovetop Kettle", "brand": "Hearthly", "category_id": cat["id"], "status": "active",
		"variants": []map[string]any{{"sku": "SYN-1", "price": map[string]any{"amount": 2500, "currency": "USD"}}}}, bearer(seller))
	deadline := time.Now().Add(10 * time.Second)
	for {
		hits := items(c.must(200, "GET", "/api/v1/search?q=samovar", nil))
		if len(hits) == 1 && str(hits[0], "title") == "Stovetop Kettle" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("search?q=samovar = %v, want the kettle through the configured synonym", hits)
		}
		time.Sleep(50 * time.Millisecond)
	}

	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("kettle =>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := server.New(ctx, server.Config{DataDir: filepath.Join(dir, "data2"), SearchSynonyms: bad}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "synonyms") {
		t.Errorf("server.New with a malformed synonyms file = %v, want an error about the synonyms", err)
	}
}

// TestSearchPopularFollowsSales: a paid order counts its units into the
// products' sales, and sort=popular puts what sells first; cancelling the
// order takes them back.
func TestSearchPopularFollowsSales(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		_, cat, seller, _ := openShop(t, s, c, "Lamps", "Lamp Store")
		ids := map[string]string{}
		for _, sku := range []string{"LAMP-A", "LAMP-B"} {
			p := c.must(201, "POST", "/api/v1/product", map[string]any{"title": "Desk Lamp " + sku, "brand": "Lumen", "category_id": cat["id"], "status": "active",
				"variants": []map[string]any{{"sku": sku, "price": map[string]any{"amount": 3000, "currency": "USD"}}}}, bearer(seller))
			ids[sku] = str(p, "id")
			c.must(200, "PUT", "/api/v1/inventory/"+sku, map[string]int{"on_hand": 10}, bearer(seller))
		}
		popular := "/api/v1/search?sort=popular&category=" + str(cat, "id")
		var first string
		eventually(t, "both lamps indexed", func() string {
			hits := items(c.must(200, "GET", popular, nil))
			if len(hits) != 2 {
				return fmt.Sprintf("%d hits", len(hits))
			}
			first = str(hits[0], "id")
			return ""
		})
		// Buy the one that is not first yet.
		buy := "LAMP-A"
		if first == ids["LAMP-A"] {
			buy = "LAMP-B"
		}
		customer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "buyer@example.com", "password": "password-123", "name": "B", "role": "customer"}), "access_token")
		o := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": buy, "quantity": 3}},
			"shipping_address": map[string]string{"name": "B", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}, bearer(customer))
		c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": o["id"], "method": "tok_visa"}, bearer(customer))
		eventually(t, "the bought lamp ranks first by popularity", func() string {
			hits := items(c.must(200, "GET", popular, nil))
			if len(hits) != 2 || str(hits[0], "id") != ids[buy] {
				return fmt.Sprintf("popular = %v, want %s first", hits, buy)
			}
			return ""
		})
		// Cancelled before shipping: the units are no longer sold, and the
		// order goes back to what it was.
		c.must(200, "PUT", "/api/v1/order/"+str(o, "id")+"/cancel", map[string]string{}, bearer(customer))
		eventually(t, "the cancelled sale no longer counts", func() string {
			hits := items(c.must(200, "GET", popular, nil))
			if len(hits) != 2 || str(hits[0], "id") != first {
				return fmt.Sprintf("popular = %v, want %s first again", hits, first)
			}
			return ""
		})
	})
}

// deliveryPartner creates the delivery partner driver@example.com and
// returns its access token and user ID.
func deliveryPartner(t *testing.T, s *server.Server, c client) (token, userID string) {
	t.Helper()
	if _, err := s.CreateUser(context.Background(), "driver@example.com", "password-123", "Dee", "delivery"); err != nil {
		t.Fatal(err)
	}
	token = str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "driver@example.com", "password": "password-123"}), "access_token")
	me := c.must(200, "GET", "/api/v1/me", nil, bearer(token))
	return token, str(me, "id") + str(me, "user", "id")
}
