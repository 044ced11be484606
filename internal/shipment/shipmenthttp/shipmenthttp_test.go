package shipmenthttp_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bazaar-market/bazaar/internal/account"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/event/eventbrokertest"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/shipment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmenthttp"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentsql"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmenttest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var users = []account.User{
	{ID: "usr_sa", Role: auth.Seller, Status: account.UserActive},
	{ID: "usr_sb", Role: auth.Seller, Status: account.UserActive},
	{ID: "usr_snostore", Role: auth.Seller, Status: account.UserActive},
	{ID: "usr_cust", Role: auth.Customer, Status: account.UserActive},
	{ID: "usr_cust2", Role: auth.Customer, Status: account.UserActive},
	{ID: "usr_p1", Role: auth.Delivery, Status: account.UserActive},
	{ID: "usr_p2", Role: auth.Delivery, Status: account.UserActive},
	{ID: "usr_sup", Role: auth.Support, Status: account.UserActive},
	{ID: "usr_adm", Role: auth.Admin, Status: account.UserActive},
}

func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := event.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := shipmentsql.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		store := shipmentsql.New(db)
		orders := shipmenttest.NewOrders()
		partners := shipmenttest.NewPartners(users,
			account.Seller{ID: "sel_a", UserID: "usr_sa"}, account.Seller{ID: "sel_b", UserID: "usr_sb"})
		svc := shipment.New(store, orders, partners, shipment.Options{})
		bus := eventbrokertest.Bus(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		svc.Subscribe(bus)

		// One order of usr_cust from sel_a (two seller orders) and sel_b.
		paid := order.PaidEvent{OrderID: "ord_1", CustomerID: "usr_cust", PaidAt: time.Now(),
			ShippingAddress: order.Address{Name: "Ana Lima", Line1: "1 Main St", City: "Lisbon", Country: "PT"},
			SellerOrders: []order.PaidSeller{
				{SellerOrderID: "sor_a", SellerID: "sel_a", Lines: []order.PaidLine{{SKU: "MUG-1", ProductID: "prd_1", Title: "Mug", Quantity: 1}}},
				{SellerOrderID: "sor_b", SellerID: "sel_b", Lines: []order.PaidLine{{SKU: "TEE-1", ProductID: "prd_2", Title: "Tee", Quantity: 2}}},
				{SellerOrderID: "sor_c", SellerID: "sel_a", Lines: []order.PaidLine{{SKU: "MUG-2", ProductID: "prd_3", Title: "Cup", Quantity: 1}}},
			}}
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return event.Publish(ctx, tx, order.TopicPaid, "ord_1", paid) }); err != nil {
			t.Fatal(err)
		}
		if n, err := bus.Drain(ctx); err != nil || n != 0 {
			t.Fatalf("Drain = %d, %v", n, err)
		}
		ids := map[string]string{}
		for _, sel := range []string{"sel_a", "sel_b"} {
			list, err := store.Shipments(ctx, shipment.Filter{SellerID: id.Seller(sel), Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range list {
				ids["{"+strings.TrimPrefix(string(s.SellerOrderID), "sor_")+"}"] = string(s.ID)
			}
		}
		if len(ids) != 3 {
			t.Fatalf("shipments after the paid event: %v, want 3", ids)
		}
		expand := func(s string) string {
			for k, v := range ids {
				s = strings.ReplaceAll(s, k, v)
			}
			return s
		}

		_, key, _ := ed25519.GenerateKey(rand.Reader)
		tokens := auth.NewTokens(key, 15*time.Minute)
		router := rest.NewRouter()
		h := shipmenthttp.New(svc)
		h.Routes(router)
		srv := httptest.NewServer(tokens.Middleware(nil, rest.Error)(router))
		defer srv.Close()

		changed := []string{shipment.TopicStatusChanged.Name()}
		tests := []struct {
			name, who, method, path, body string
			setup                         func()
			status                        int
			want, absent                  []string
			events                        []string // topics published by the request
		}{
			{name: "customer tracks", who: "usr_cust", method: "GET", path: "/api/v1/shipment/{a}", status: 200,
				want: []string{`"id":"{a}"`, `"order_id":"ord_1"`, `"seller_order_id":"sor_a"`, `"seller_id":"sel_a"`, `"status":"pending"`,
					`"carrier":"Bazaar Delivery"`, `"tracking_id":"BZ`, `"shipping_address":{"name":"Ana Lima","line1":"1 Main St"`,
					`"items":[{"sku":"MUG-1"`, `"timeline":[{"status":"pending","location":"","note":"label created","proof":"","at":"`},
				absent: []string{`"partner_id"`}},
			{name: "other customer", who: "usr_cust2", method: "GET", path: "/api/v1/shipment/{a}", status: 404,
				want: []string{`"code":"not_found"`}},
			{name: "anonymous", method: "GET", path: "/api/v1/shipment/{a}", status: 401},
			{name: "other seller reads", who: "usr_sb", method: "GET", path: "/api/v1/shipment/{a}", status: 404},
			{name: "unassigned partner reads", who: "usr_p1", method: "GET", path: "/api/v1/shipment/{a}", status: 404},
			{name: "missing", who: "usr_adm", method: "GET", path: "/api/v1/shipment/shp_missing", status: 404},
			{name: "other seller packs", who: "usr_sb", method: "POST", path: "/api/v1/shipment/{a}/pack", status: 404},
			{name: "customer packs", who: "usr_cust", method: "POST", path: "/api/v1/shipment/{a}/pack", status: 403},
			{name: "handover before packing", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/handover", status: 409,
				want: []string{`"code":"illegal_transition"`}},
			{name: "pack", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/pack", status: 200,
				want: []string{`"status":"packed"`, `"note":"packed by the seller"`}, absent: []string{`"actor_id"`}, events: changed},
			{name: "pack twice", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/pack", status: 409,
				want: []string{`"code":"illegal_transition"`, `a packed shipment cannot become packed`}},
			{name: "handover to a customer", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/handover",
				body: `{"partner_id":"usr_cust"}`, status: 422, want: []string{`"code":"invalid_partner"`}},
			{name: "handover mass assignment", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/handover",
				body: `{"partner_id":"usr_p2","status":"delivered"}`, status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "handover to the least loaded", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/handover", status: 200,
				want: []string{`"status":"handed_over"`, `"partner_id":"usr_p1"`}, events: changed},
			{name: "handover of a cancelled seller order", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{c}/handover",
				body: `{}`,
				setup: func() {
					_, _ = svc.Pack(auth.With(ctx, auth.Principal{UserID: "usr_sa", Role: auth.Seller}), id.Shipment(ids["{c}"]))
					orders.Cancel("sor_c")
				},
				status: 409, want: []string{`"code":"order_cancelled"`}},
			{name: "cancelled stays packed", who: "usr_sa", method: "GET", path: "/api/v1/shipment/{c}", status: 200,
				want: []string{`"status":"packed"`}, absent: []string{`"partner_id"`}},
			{name: "my deliveries", who: "usr_p1", method: "GET", path: "/api/v1/delivery/shipment", status: 200,
				want: []string{`"items":[{"id":"{a}"`, `"phone":""`}, absent: []string{"{b}", "{c}", "next_cursor"}},
			{name: "no deliveries", who: "usr_p2", method: "GET", path: "/api/v1/delivery/shipment", status: 200,
				want: []string{`{"items":[]}`}},
			{name: "bad status filter", who: "usr_p1", method: "GET", path: "/api/v1/delivery/shipment?status=lost", status: 400,
				want: []string{`"field":"status"`}},
			{name: "bad limit", who: "usr_p1", method: "GET", path: "/api/v1/delivery/shipment?limit=0", status: 400,
				want: []string{`"field":"limit"`}},
			{name: "customer lists deliveries", who: "usr_cust", method: "GET", path: "/api/v1/delivery/shipment", status: 403},
			{name: "other partner posts", who: "usr_p2", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"picked_up"}`, status: 404},
			{name: "seller posts", who: "usr_sa", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"picked_up"}`, status: 403},
			{name: "skip ahead", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"delivered"}`, status: 409, want: []string{`"code":"illegal_transition"`}},
			{name: "unknown status", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"lost"}`, status: 400, want: []string{`"field":"status"`}},
			{name: "no body", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event", status: 400,
				want: []string{`"code":"empty_body"`}},
			{name: "picked up", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"picked_up","location":"Lisbon hub"}`, status: 200,
				want: []string{`"status":"picked_up","location":"Lisbon hub"`}, events: changed},
			{name: "in transit", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"in_transit"}`, status: 200, events: changed},
			{name: "out for delivery", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"out_for_delivery","location":"Lisbon"}`, status: 200, events: changed},
			{name: "failed attempt", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"failed_attempt","note":"nobody home"}`, status: 200, events: changed},
			{name: "out again", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"out_for_delivery"}`, status: 200, events: changed},
			{name: "delivered", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"delivered","location":"1 Main St","proof":"signed by Ana"}`, status: 200,
				want: []string{`"status":"delivered"`, `"proof":"signed by Ana"`}, events: changed},
			{name: "after delivery", who: "usr_p1", method: "POST", path: "/api/v1/shipment/{a}/event",
				body: `{"status":"returned_to_seller"}`, status: 409},
			{name: "customer sees delivered", who: "usr_cust", method: "GET", path: "/api/v1/shipment/{a}", status: 200,
				want:   []string{`"status":"delivered","carrier"`, `"note":"nobody home"`, `"location":"1 Main St","note":"","proof":"signed by Ana"`},
				absent: []string{`"actor_id"`}},
			{name: "support sees actors", who: "usr_sup", method: "GET", path: "/api/v1/shipment/{a}", status: 200,
				want: []string{`"actor_id":"usr_p1"`, `"actor_id":"usr_sa"`}},
			{name: "seller list", who: "usr_sa", method: "GET", path: "/api/v1/seller/shipment?limit=1", status: 200,
				want: []string{`"items":[{"id":"{c}"`, `"next_cursor":"`}, absent: []string{"{b}"}},
			{name: "seller list by status", who: "usr_sb", method: "GET", path: "/api/v1/seller/shipment?status=pending", status: 200,
				want: []string{`"items":[{"id":"{b}"`}, absent: []string{"{a}", "{c}"}},
			{name: "partner lists seller's", who: "usr_p1", method: "GET", path: "/api/v1/seller/shipment", status: 403},
			{name: "seller without store", who: "usr_snostore", method: "GET", path: "/api/v1/seller/shipment", status: 404},
		}
		for _, tc := range tests {
			if tc.setup != nil {
				tc.setup()
			}
			before := len(shipmenttest.Outbox(t, db))
			req, _ := http.NewRequest(tc.method, srv.URL+expand(tc.path), strings.NewReader(tc.body))
			if tc.who != "" {
				i := slices.IndexFunc(users, func(u account.User) bool { return u.ID == id.User(tc.who) })
				tok, _, err := tokens.Issue(auth.Principal{UserID: id.User(tc.who), Role: users[i].Role})
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
				if !strings.Contains(string(b), expand(w)) {
					t.Errorf("%s: body %s lacks %s", tc.name, b, expand(w))
				}
			}
			for _, w := range tc.absent {
				if strings.Contains(string(b), expand(w)) {
					t.Errorf("%s: body %s has %s", tc.name, b, expand(w))
				}
			}
			var topics []string
			for _, e := range shipmenttest.Outbox(t, db)[before:] {
				topics = append(topics, e.Topic)
			}
			if diff := cmp.Diff(tc.events, topics, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: events (-want +got):\n%s", tc.name, diff)
			}
		}

		// Every route is documented, and only those.
		if _, err := rest.OpenAPI(rest.Spec{Title: "t", Version: "1", Ops: h.Ops()}); err != nil {
			t.Errorf("OpenAPI: %v", err)
		}
		var documented []string
		for _, op := range h.Ops() {
			documented = append(documented, op.Method+" "+op.Path)
		}
		slices.Sort(documented)
		if diff := cmp.Diff(router.Routes(), documented); diff != "" {
			t.Errorf("documented routes (-registered +documented):\n%s", diff)
		}
	})
}
