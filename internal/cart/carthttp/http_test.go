package carthttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/cart"
	"github.com/bazaar-market/bazaar/internal/cart/carthttp"
	"github.com/bazaar-market/bazaar/internal/cart/cartsql"
	"github.com/bazaar-market/bazaar/internal/cart/carttest"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

type step struct {
	name               string
	method, path, body string
	who                string // signed-in user, "" for a guest
	token              string // a saved token's name to send in X-Cart-Token; "cookie:NAME" sends it as the cookie
	before             func()
	status             int
	want, not          []string
	save               string            // save the response's X-Cart-Token under this name
	saveLines          map[string]string // save the ID of the line of SKU (key) as name (value)
}

func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if err := cartsql.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		if err := event.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		cat := carttest.NewCatalog()
		usd := func(n int64) money.Money { return money.New(n, "USD") }
		cat.PutSKU(catalog.SKU{SKU: "TEE-S", ProductID: "prd_tee", ProductTitle: "Tee", ProductSlug: "tee", SellerID: "sel_1",
			Options: map[string]string{"size": "S"}, Price: usd(1500), Image: "/img/tee.jpg", Active: true})
		cat.PutSKU(catalog.SKU{SKU: "MUG", ProductID: "prd_mug", ProductTitle: "Mug", SellerID: "sel_2", Price: usd(800), Active: true})
		cat.PutSKU(catalog.SKU{SKU: "OLD", ProductID: "prd_old", SellerID: "sel_2", Price: usd(100), Active: false})
		cat.PutSKU(catalog.SKU{SKU: "EURO", ProductID: "prd_eur", SellerID: "sel_2", Price: money.New(900, "EUR"), Active: true})
		for _, p := range []catalog.ProductRef{
			{ID: "prd_tee", Title: "Tee", Active: true}, {ID: "prd_mug", Title: "Mug", Active: true},
			{ID: "prd_eur", Title: "Euro thing", Active: true}, {ID: "prd_old", Title: "Old", Active: false},
		} {
			cat.PutProduct(p)
		}
		stock := carttest.NewStock()
		stock.Set("TEE-S", 5)
		stock.Set("MUG", 2)
		stock.Set("EURO", 10)
		stock.Set("OLD", 10)
		sellers := carttest.Sellers{"sel_1": {ID: "sel_1", Name: "Tees Inc"}, "sel_2": account.Seller{ID: "sel_2", Name: "Mugs Ltd"}}
		svc := cart.New(cartsql.New(db), cat, stock, sellers, cart.Options{})

		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		carthttp.New(svc).Routes(router)
		srv := httptest.NewServer(tokens.Middleware(nil, rest.Error)(router))
		defer srv.Close()

		saved := map[string]string{"garbage": "not-a-token"}
		expand := func(s string) string {
			for k, v := range saved {
				s = strings.ReplaceAll(s, "{"+k+"}", v)
			}
			return s
		}
		steps := []step{
			{name: "guest's first call", method: "GET", path: "/api/v1/cart", status: 200,
				want: []string{`"token":"`, `"groups":[]`, `"subtotal":{"amount":0,"currency":"USD"}`, `"item_count":0`}, save: "g1"},
			{name: "add", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"TEE-S","quantity":2}`, token: "g1", status: 200,
				want: []string{`"token":"{g1}"`, `"seller_id":"sel_1","seller_name":"Tees Inc"`, `"sku":"TEE-S"`, `"product_id":"prd_tee"`,
					`"options":{"size":"S"}`, `"quantity":2`, `"unit_price":{"amount":1500,"currency":"USD"}`,
					`"line_total":{"amount":3000,"currency":"USD"}`, `"available":5`, `"in_stock":true`, `"purchasable":true`,
					`"subtotal":{"amount":3000,"currency":"USD"}`, `"item_count":2`},
				saveLines: map[string]string{"TEE-S": "tee1"}},
			{name: "more than available", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"TEE-S","quantity":4}`, token: "g1",
				status: 409, want: []string{`"code":"insufficient_stock"`, `only 5 available`}},
			{name: "unknown sku", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"NOPE","quantity":1}`, token: "g1", status: 404},
			{name: "inactive", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"OLD","quantity":1}`, token: "g1",
				status: 422, want: []string{`"code":"not_purchasable"`}},
			{name: "zero", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"MUG","quantity":0}`, token: "g1",
				status: 400, want: []string{`"field":"quantity"`}},
			{name: "too many", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"MUG","quantity":1000}`, token: "g1", status: 400},
			{name: "price from client", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"MUG","quantity":1,"unit_price":1}`, token: "g1",
				status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "second seller", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"MUG","quantity":1}`, token: "g1", status: 200,
				want: []string{`"seller_name":"Mugs Ltd"`, `"subtotal":{"amount":3800,"currency":"USD"}`, `"item_count":3`}},
			{name: "cookie works too", method: "GET", path: "/api/v1/cart", token: "cookie:g1", status: 200, want: []string{`"TEE-S"`, `"MUG"`}},
			{name: "garbage token starts afresh", method: "GET", path: "/api/v1/cart", token: "garbage", status: 200,
				want: []string{`"groups":[]`}, not: []string{"not-a-token"}, save: "g2"},
			{name: "other guest's line", method: "PUT", path: "/api/v1/cart/item/{tee1}", body: `{"quantity":1}`, token: "g2", status: 404},
			{name: "other guest deletes", method: "DELETE", path: "/api/v1/cart/item/{tee1}", token: "g2", status: 404},
			{name: "set quantity", method: "PUT", path: "/api/v1/cart/item/{tee1}", body: `{"quantity":5}`, token: "g1", status: 200,
				want: []string{`"quantity":5`, `"subtotal":{"amount":8300,`}},
			{name: "set above stock", method: "PUT", path: "/api/v1/cart/item/{tee1}", body: `{"quantity":6}`, token: "g1",
				status: 409, want: []string{`only 5 available`}},
			{name: "stock drops: flagged, not dropped", method: "GET", path: "/api/v1/cart", token: "g1", before: func() { stock.Set("TEE-S", 1) },
				status: 200, want: []string{`"quantity":5`, `"available":1,"in_stock":false`, `"subtotal":{"amount":800,"currency":"USD"}`, `"item_count":6`}},
			{name: "lowering is allowed", method: "PUT", path: "/api/v1/cart/item/{tee1}", body: `{"quantity":4}`, token: "g1", status: 200,
				want: []string{`"quantity":4`}},
			{name: "other currency is flagged", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"EURO","quantity":1}`, token: "g1",
				before: func() { stock.Set("TEE-S", 5) }, status: 200,
				want: []string{`"currency_mismatch":true`, `"subtotal":{"amount":6800,"currency":"USD"}`}},
			// u1 already has a mug; signing in with g1 merges it.
			{name: "user cart", method: "POST", path: "/api/v1/cart/item", body: `{"sku":"MUG","quantity":1}`, who: "usr_1", status: 200,
				not: []string{`"token"`}},
			// TEE-S: the guest's 4 are capped at the 3 now available.
			{name: "merge on sign-in", method: "GET", path: "/api/v1/cart", who: "usr_1", token: "g1", before: func() { stock.Set("TEE-S", 3) },
				status: 200,
				want:   []string{`"sku":"TEE-S","product_id":"prd_tee"`, `"quantity":3`, `"sku":"MUG"`, `"quantity":2`, `"sku":"EURO"`, `"item_count":6`},
				not:    []string{`"token"`}, saveLines: map[string]string{"MUG": "mug1"}},
			{name: "merge replay", method: "POST", path: "/api/v1/cart/merge", who: "usr_1", token: "cookie:g1", status: 200,
				want: []string{`"item_count":6`}},
			{name: "merged guest token is spent", method: "GET", path: "/api/v1/cart", token: "g1", status: 200,
				want: []string{`"groups":[]`}, not: []string{`"{g1}"`}},
			{name: "merge needs sign-in", method: "POST", path: "/api/v1/cart/merge", token: "g2", status: 401},
			{name: "other user's line", method: "DELETE", path: "/api/v1/cart/item/{mug1}", who: "usr_2", status: 404},
			{name: "guest deletes user's line", method: "DELETE", path: "/api/v1/cart/item/{mug1}", token: "g2", status: 404},
			{name: "delete", method: "DELETE", path: "/api/v1/cart/item/{mug1}", who: "usr_1", status: 204},
			{name: "deleted", method: "GET", path: "/api/v1/cart", who: "usr_1", status: 200, not: []string{`"MUG"`}},

			{name: "wishlist needs sign-in", method: "GET", path: "/api/v1/wishlist", status: 401},
			{name: "wish add as guest", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_tee"}`, status: 401},
			{name: "wish add", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_tee"}`, who: "usr_1", status: 201,
				want: []string{`"id":"prd_tee"`, `"title":"Tee"`, `"added_at":"`}},
			{name: "wish add again", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_tee"}`, who: "usr_1", status: 200},
			{name: "wish inactive", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_old"}`, who: "usr_1", status: 404},
			{name: "wish unknown", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_none"}`, who: "usr_1", status: 404},
			{name: "wish empty", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":""}`, who: "usr_1", status: 400},
			{name: "wish add 2", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_mug"}`, who: "usr_1", status: 201},
			{name: "wish add 3", method: "POST", path: "/api/v1/wishlist", body: `{"product_id":"prd_eur"}`, who: "usr_1", status: 201},
			{name: "wishlist page 1", method: "GET", path: "/api/v1/wishlist?limit=2", who: "usr_1", status: 200,
				want: []string{`"id":"prd_eur"`, `"id":"prd_mug"`, `"next_cursor":"`}, not: []string{`"prd_tee"`}},
			{name: "other user's wishlist is empty", method: "GET", path: "/api/v1/wishlist", who: "usr_2", status: 200,
				want: []string{`"items":[]`}},
			{name: "bad cursor", method: "GET", path: "/api/v1/wishlist?cursor=zzz", who: "usr_1", status: 400, want: []string{`"field":"cursor"`}},
			{name: "wish delete", method: "DELETE", path: "/api/v1/wishlist/prd_mug", who: "usr_1", status: 204},
			{name: "wish delete again", method: "DELETE", path: "/api/v1/wishlist/prd_mug", who: "usr_1", status: 204},
			{name: "wishlist after delete", method: "GET", path: "/api/v1/wishlist", who: "usr_1", status: 200,
				want: []string{`"prd_eur"`, `"prd_tee"`}, not: []string{`"prd_mug"`, `next_cursor`}},
		}
		var nextCursor string
		for _, st := range steps {
			if st.before != nil {
				st.before()
			}
			path := expand(st.path)
			req, _ := http.NewRequest(st.method, srv.URL+path, strings.NewReader(st.body))
			if st.who != "" {
				tok, _, err := tokens.Issue(auth.Principal{UserID: id.User(st.who), Role: auth.Customer})
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			if name, ok := strings.CutPrefix(st.token, "cookie:"); ok {
				req.AddCookie(&http.Cookie{Name: carthttp.CookieName, Value: saved[name]})
			} else if st.token != "" {
				req.Header.Set(carthttp.TokenHeader, saved[st.token])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body := string(b)
			if res.StatusCode != st.status {
				t.Errorf("%s: %s %s = %d, want %d; body %s", st.name, st.method, path, res.StatusCode, st.status, body)
				continue
			}
			for _, w := range st.want {
				if w = expand(w); !strings.Contains(body, w) {
					t.Errorf("%s: body lacks %s: %s", st.name, w, body)
				}
			}
			for _, n := range st.not {
				if n = expand(n); strings.Contains(body, n) {
					t.Errorf("%s: body has %s: %s", st.name, n, body)
				}
			}
			if st.save != "" {
				tok := res.Header.Get(carthttp.TokenHeader)
				var v struct {
					Token string `json:"token"`
				}
				_ = json.Unmarshal(b, &v)
				if _, ok := cart.HashToken(tok); !ok || v.Token != tok {
					t.Fatalf("%s: header token %q, body token %q, want the same well-formed token", st.name, tok, v.Token)
				}
				c := cookie(res, carthttp.CookieName)
				if c == nil || c.Value != tok || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
					t.Errorf("%s: cookie %+v, want HttpOnly, SameSite=Lax, Path=/ with the token", st.name, c)
				}
				saved[st.save] = tok
			}
			if st.who != "" && res.Header.Get(carthttp.TokenHeader) != "" {
				t.Errorf("%s: a signed-in user got a cart token", st.name)
			}
			if st.who != "" && strings.HasPrefix(st.token, "cookie:") {
				if c := cookie(res, carthttp.CookieName); c == nil || c.MaxAge >= 0 {
					t.Errorf("%s: the merged guest cookie was not dropped: %+v", st.name, c)
				}
			}
			for sku, name := range st.saveLines {
				var v cart.View
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatal(err)
				}
				for _, g := range v.Groups {
					for _, l := range g.Lines {
						if l.SKU == sku {
							saved[name] = string(l.ID)
						}
					}
				}
				if saved[name] == "" {
					t.Fatalf("%s: no line of %s in %s", st.name, sku, body)
				}
			}
			if strings.Contains(body, `"next_cursor"`) {
				var p struct {
					NextCursor string `json:"next_cursor"`
				}
				_ = json.Unmarshal(b, &p)
				nextCursor = p.NextCursor
			}
		}
		// The second wishlist page continues where the first stopped.
		if nextCursor == "" {
			t.Fatal("no cursor was returned")
		}
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/wishlist?limit=2&cursor="+nextCursor, nil)
		tok, _, _ := tokens.Issue(auth.Principal{UserID: "usr_1", Role: auth.Customer})
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), `"prd_tee"`) || strings.Contains(string(b), `"prd_eur"`) {
			t.Errorf("wishlist page 2 = %d %s, want prd_tee only", res.StatusCode, b)
		}
	})
}

func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}
