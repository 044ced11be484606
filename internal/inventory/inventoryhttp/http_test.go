package inventoryhttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/inventory/inventoryhttp"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorysql"
	"github.com/bazaar-market/bazaar/internal/inventory/inventorytest"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := inventorysql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		store := inventorysql.New(db)
		cat := inventorytest.NewCatalog(
			catalog.SKU{SKU: "SKU-A1", ProductID: "prd_a", SellerID: "sel_a", Price: money.New(100, "USD"), Active: true},
			catalog.SKU{SKU: "SKU-B1", ProductID: "prd_b", SellerID: "sel_b", Price: money.New(100, "USD"), Active: true},
		)
		sellers := inventorytest.NewSellers(
			account.Seller{ID: "sel_a", UserID: "usr_sa", Name: "A"},
			account.Seller{ID: "sel_b", UserID: "usr_sb", Name: "B"},
		)
		svc := inventory.New(store, cat, sellers, inventory.Options{})
		whsB, err := store.DefaultWarehouse(ctx, "sel_b", time.Now())
		if err != nil {
			t.Fatal(err)
		}

		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		inventoryhttp.New(svc).Routes(router)
		srv := httptest.NewServer(tokens.Middleware(nil, rest.Error)(router))
		defer srv.Close()
		who := map[string]auth.Principal{
			"sellerA":  {UserID: "usr_sa", Role: auth.Seller},
			"sellerB":  {UserID: "usr_sb", Role: auth.Seller},
			"nostore":  {UserID: "usr_sc", Role: auth.Seller},
			"customer": {UserID: "usr_c", Role: auth.Customer},
			"admin":    {UserID: "usr_adm", Role: auth.Admin},
		}

		tests := []struct {
			name, method, path, body, who string
			setup                         func() error
			status                        int
			want                          []string
		}{
			{name: "contract", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": 10}`, who: "sellerA",
				status: 200, want: []string{`"on_hand":10`, `"reserved":0`, `"available":10`, `"warehouse_name":"Default"`}},
			{name: "other seller's sku", method: "PUT", path: "/api/v1/inventory/SKU-B1", body: `{"on_hand": 1}`, who: "sellerA",
				status: 404, want: []string{`"code":"not_found"`, `SKU \"SKU-B1\" not found`}},
			{name: "unknown sku", method: "PUT", path: "/api/v1/inventory/NOPE", body: `{"on_hand": 1}`, who: "sellerA",
				status: 404, want: []string{`SKU \"NOPE\" not found`}},
			{name: "seller without store", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": 1}`, who: "nostore", status: 404},
			{name: "customer", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": 1}`, who: "customer", status: 403},
			{name: "anonymous", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": 1}`, status: 401},
			{name: "admin any", method: "PUT", path: "/api/v1/inventory/SKU-B1", body: `{"on_hand": 3}`, who: "admin",
				status: 200, want: []string{`"on_hand":3`, `"seller_id":"sel_b"`}},
			{name: "negative", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": -1}`, who: "sellerA",
				status: 400, want: []string{`"field":"on_hand"`}},
			{name: "missing on_hand", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{}`, who: "sellerA",
				status: 400, want: []string{`"field":"on_hand","message":"is required"`}},
			{name: "mass assignment", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": 1, "reserved": 0}`, who: "sellerA",
				status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "foreign warehouse", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: string(`{"on_hand": 1, "warehouse": "` + whsB.ID + `"}`), who: "sellerA",
				status: 404, want: []string{"warehouse"}},
			{name: "below reserved", method: "PUT", path: "/api/v1/inventory/SKU-A1", body: `{"on_hand": 5}`, who: "sellerA",
				setup: func() error {
					return svc.Reserve(ctx, "ord_1", []inventory.Line{{SKU: "SKU-A1", Quantity: 8}}, time.Now().Add(time.Hour))
				},
				status: 409, want: []string{`"code":"below_reserved"`}},
			{name: "get stock", method: "GET", path: "/api/v1/inventory/SKU-A1", who: "sellerA",
				status: 200, want: []string{`"on_hand":10`, `"reserved":8`, `"available":2`, `"product_id":"prd_a"`}},
			{name: "get other's stock", method: "GET", path: "/api/v1/inventory/SKU-A1", who: "sellerB", status: 404},
			{name: "admin gets stock", method: "GET", path: "/api/v1/inventory/SKU-A1", who: "admin", status: 200, want: []string{`"reserved":8`}},
			{name: "list warehouses", method: "GET", path: "/api/v1/warehouse", who: "sellerA",
				status: 200, want: []string{`"name":"Default"`, `"default":true`, `"seller_id":"sel_a"`}},
			{name: "create warehouse", method: "POST", path: "/api/v1/warehouse", body: `{"name": "Berlin"}`, who: "sellerA",
				status: 201, want: []string{`"name":"Berlin"`, `"default":false`, `"id":"whs_`}},
			{name: "create unnamed", method: "POST", path: "/api/v1/warehouse", body: `{"name": "  "}`, who: "sellerA",
				status: 400, want: []string{`"field":"name"`}},
			{name: "create as customer", method: "POST", path: "/api/v1/warehouse", body: `{"name": "X"}`, who: "customer", status: 403},
			{name: "seller B sees only own", method: "GET", path: "/api/v1/warehouse", who: "sellerB",
				status: 200, want: []string{`"seller_id":"sel_b"`}},
			{name: "seller asks for another's", method: "GET", path: "/api/v1/warehouse?seller_id=sel_a", who: "sellerB", status: 404},
			{name: "admin needs seller_id", method: "GET", path: "/api/v1/warehouse", who: "admin", status: 400},
			{name: "admin lists a seller's", method: "GET", path: "/api/v1/warehouse?seller_id=sel_a", who: "admin",
				status: 200, want: []string{`"name":"Berlin"`}},
			{name: "no store", method: "GET", path: "/api/v1/warehouse", who: "nostore", status: 404},
		}
		for _, tc := range tests {
			if tc.setup != nil {
				if err := tc.setup(); err != nil {
					t.Fatalf("%s: setup: %v", tc.name, err)
				}
			}
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if tc.who != "" {
				tok, _, err := tokens.Issue(who[tc.who])
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Errorf("%s: %s %s = %d, want %d; body %s", tc.name, tc.method, tc.path, res.StatusCode, tc.status, b)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s: body %s lacks %s", tc.name, b, w)
				}
			}
		}
		// sellerB's response must not list sellerA's warehouses.
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/warehouse", nil)
		tok, _, _ := tokens.Issue(who["sellerB"])
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(b), "sel_a") {
			t.Errorf("seller B's warehouses include seller A's: %s", b)
		}
	})
}
