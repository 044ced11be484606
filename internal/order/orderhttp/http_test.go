package orderhttp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/idempotency"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/order/orderhttp"
	"github.com/bazaar-market/bazaar/internal/order/ordertest"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// server serves the order and payment routes behind the server's own
// middleware: request IDs, bearer tokens and Idempotency-Key.
type server struct {
	*ordertest.Env
	url    string
	tokens *auth.Tokens
}

func start(t *testing.T, db *sqldb.DB) *server {
	t.Helper()
	e := ordertest.NewEnv(t, db, order.Options{})
	if err := idempotency.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	tokens := auth.NewTokens(key, 15*time.Minute)
	h := rest.Chain(e.Router, rest.Observe(ordertest.Quiet), tokens.Middleware(nil, rest.Error), idempotency.New(db).Middleware)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.AddSeller("sel_a", "usr_sa")
	e.AddSeller("sel_b", "usr_sb")
	e.AddSKU(t, catalog.SKU{SKU: "TEE", SellerID: "sel_a", Price: money.New(1500, "USD"), Active: true}, 20)
	e.AddSKU(t, catalog.SKU{SKU: "LAMP", SellerID: "sel_b", Price: money.New(6000, "USD"), Active: true}, 20)
	return &server{Env: e, url: srv.URL, tokens: tokens}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

// do sends a request as user ("" for anonymous; "usr_sa" etc. are sellers,
// "usr_admin" an admin). headers are "Name: value".
func (s *server) do(t *testing.T, user, method, path, body string, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		role := auth.Customer
		switch {
		case strings.HasPrefix(user, "usr_s"):
			role = auth.Seller
		case user == "usr_admin":
			role = auth.Admin
		}
		tok, _, err := s.tokens.Issue(auth.Principal{UserID: id.User(user), Role: role})
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, b}
}

const placeBody = `{"lines":[{"sku":"TEE","quantity":2},{"sku":"LAMP","quantity":1}],
	"shipping_address":{"name":"Ada","line1":"1 Main St","city":"Springfield","postal_code":"12345","country":"us"}}`

func TestRoutes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := start(t, db)
		saved := map[string]string{}
		expand := func(p string) string {
			for k, v := range saved {
				p = strings.ReplaceAll(p, "{"+k+"}", v)
			}
			return p
		}
		steps := []struct {
			name               string
			user, method, path string
			body               string
			settle             bool // let payments and events settle first
			status             int
			want               []string // fragments of the body
			save               map[string]string
		}{
			{name: "anonymous place", method: "POST", path: "/api/v1/order", body: placeBody, status: 401, want: []string{`"code":"unauthenticated"`}},
			{name: "unknown field", user: "usr_ada", method: "POST", path: "/api/v1/order", body: `{"lines":[],"total":1}`, status: 400, want: []string{`"code":"unknown_field"`}},
			{name: "seller place", user: "usr_sa", method: "POST", path: "/api/v1/order", body: placeBody, status: 403},
			{name: "empty cart", user: "usr_ada", method: "POST", path: "/api/v1/order", body: `{"address_id":"adr_none"}`, status: 422, want: []string{`"code":"cart_empty"`}},
			{name: "unknown SKU", user: "usr_ada", method: "POST", path: "/api/v1/order", status: 422,
				body: `{"lines":[{"sku":"NOPE","quantity":1}],"shipping_address":{"name":"A","line1":"1","city":"C","postal_code":"1","country":"US"}}`,
				want: []string{`"code":"sku_unavailable"`, `"field":"lines[0].sku"`}},
			{name: "too many", user: "usr_ada", method: "POST", path: "/api/v1/order", status: 409,
				body: `{"lines":[{"sku":"TEE","quantity":21}],"shipping_address":{"name":"A","line1":"1","city":"C","postal_code":"1","country":"US"}}`,
				want: []string{`"code":"insufficient_stock"`}},
			{name: "place", user: "usr_ada", method: "POST", path: "/api/v1/order", body: placeBody, status: 201,
				want: []string{`"status":"pending_payment"`, `"total":{"amount":9499,"currency":"USD"}`, `"country":"US"`, `"seller_orders":[`, `"reservation_expires_at":"`},
				save: map[string]string{"order": "id", "sorA": "seller_orders.0.id", "sorB": "seller_orders.1.id"}},
			{name: "owner reads", user: "usr_ada", method: "GET", path: "/api/v1/order/{order}", status: 200, want: []string{`"payments":[]`, `"sku":"TEE"`}},
			{name: "another reads", user: "usr_bo", method: "GET", path: "/api/v1/order/{order}", status: 404},
			{name: "seller reads its part", user: "usr_sb", method: "GET", path: "/api/v1/order/{order}", status: 200, want: []string{`"sku":"LAMP"`, `"total":{"amount":6000,"currency":"USD"}`}},
			{name: "owner lists", user: "usr_ada", method: "GET", path: "/api/v1/order?status=pending_payment&limit=5", status: 200, want: []string{`"items":[{`}},
			{name: "bad status", user: "usr_ada", method: "GET", path: "/api/v1/order?status=nope", status: 400},
			{name: "bad limit", user: "usr_ada", method: "GET", path: "/api/v1/order?limit=0", status: 400},
			{name: "bad cursor", user: "usr_ada", method: "GET", path: "/api/v1/order?cursor=zzz", status: 400},
			{name: "pay another's", user: "usr_bo", method: "POST", path: "/api/v1/payment", body: `{"order_id":"{order}","method":"tok_visa"}`, status: 404},
			{name: "pay with a card number", user: "usr_ada", method: "POST", path: "/api/v1/payment", body: `{"order_id":"{order}","method":"4242424242424242"}`, status: 400},
			{name: "pay", user: "usr_ada", method: "POST", path: "/api/v1/payment", body: `{"order_id":"{order}","method":"tok_visa"}`, status: 201,
				want: []string{`"order_id":"{order}"`, `"amount":{"amount":9499,"currency":"USD"}`, `"gateway":"test"`, `"refunds":[]`}},
			{name: "paid", settle: true, user: "usr_ada", method: "GET", path: "/api/v1/order/{order}", status: 200,
				want: []string{`"status":"paid"`, `"status":"awaiting_fulfillment"`, `"status":"succeeded"`, `"paid_at":"`}},
			{name: "pay again", user: "usr_ada", method: "POST", path: "/api/v1/payment", body: `{"order_id":"{order}","method":"tok_visa"}`, status: 409, want: []string{`"code":"already_paid"`}},
			{name: "seller queue", user: "usr_sa", method: "GET", path: "/api/v1/seller/order?status=awaiting_fulfillment", status: 200, want: []string{`"id":"{sorA}"`, `"shipping_address":{`}},
			{name: "customer queue", user: "usr_ada", method: "GET", path: "/api/v1/seller/order", status: 403},
			{name: "seller cancels without a reason", user: "usr_sa", method: "PUT", path: "/api/v1/seller/order/{sorA}/cancel", body: `{}`, status: 400},
			{name: "seller cancels another's part", user: "usr_sa", method: "PUT", path: "/api/v1/seller/order/{sorB}/cancel", body: `{"reason":"x"}`, status: 404},
			{name: "seller cancels", user: "usr_sa", method: "PUT", path: "/api/v1/seller/order/{sorA}/cancel", body: `{"reason":"damaged"}`, status: 200,
				want: []string{`"status":"cancelled"`, `"cancel_reason":"damaged"`}},
			{name: "another cancels", user: "usr_bo", method: "PUT", path: "/api/v1/order/{order}/cancel", status: 404},
			{name: "customer cancels with no body", user: "usr_ada", method: "PUT", path: "/api/v1/order/{order}/cancel", status: 200,
				want: []string{`"status":"cancelled"`, `"cancel_reason":"cancelled by the customer"`}},
			{name: "refunded", settle: true, user: "usr_ada", method: "GET", path: "/api/v1/order/{order}", status: 200,
				want: []string{`"status":"refunded"`, `"refunded":{"amount":9499,"currency":"USD"}`}},
			{name: "cancel again", user: "usr_ada", method: "PUT", path: "/api/v1/order/{order}/cancel", body: `{"reason":"again"}`, status: 409, want: []string{`"code":"order_cancelled"`}},
		}
		for _, st := range steps {
			if st.settle {
				s.Settle(t)
			}
			r := s.do(t, st.user, st.method, expand(st.path), expand(st.body))
			if r.status != st.status {
				t.Fatalf("%s: %s %s = %d, want %d; body %s", st.name, st.method, st.path, r.status, st.status, r.body)
			}
			for _, w := range st.want {
				if !strings.Contains(string(r.body), expand(w)) {
					t.Errorf("%s: body lacks %s: %s", st.name, expand(w), r.body)
				}
			}
			if r.status >= 400 && r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: error Content-Type %q", st.name, r.header.Get("Content-Type"))
			}
			for name, path := range st.save {
				saved[name] = pick(t, r.json(t), path)
			}
		}
	})
}

// pick reads a dotted path ("seller_orders.0.id") out of a JSON object.
func pick(t *testing.T, v any, path string) string {
	t.Helper()
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			v = x[i]
		}
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s is %v, not a string", path, v)
	}
	return s
}

// TestIdempotency sends the same POST /api/v1/order and POST
// /api/v1/payment 10 times at once and 10 times in a row with one
// Idempotency-Key: exactly one order and one charge come of it.
func TestIdempotency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := start(t, db)
		burst := func(method, path, body, key string) []reply {
			var mu sync.Mutex
			var out []reply
			var wg sync.WaitGroup
			for range 10 {
				wg.Go(func() {
					r := s.do(t, "usr_ada", method, path, body, "Idempotency-Key: "+key)
					mu.Lock()
					out = append(out, r)
					mu.Unlock()
				})
			}
			wg.Wait()
			for range 10 {
				out = append(out, s.do(t, "usr_ada", method, path, body, "Idempotency-Key: "+key))
			}
			return out
		}
		check := func(what string, rs []reply) string {
			t.Helper()
			var first []byte
			for i, r := range rs {
				switch {
				case r.status == 409 && i < 10 && strings.Contains(string(r.body), "idempotency_key_in_use"):
					continue // a duplicate while the first ran: safe to retry
				case r.status != 201:
					t.Fatalf("%s #%d = %d: %s", what, i, r.status, r.body)
				case first == nil:
					first = r.body
				case !bytes.Equal(first, r.body):
					t.Errorf("%s #%d answered differently:\n%s\nvs\n%s", what, i, r.body, first)
				}
				if i >= 10 && r.header.Get("Idempotent-Replayed") != "true" {
					t.Errorf("%s #%d was not a replay", what, i)
				}
			}
			var m map[string]any
			if err := json.Unmarshal(first, &m); err != nil {
				t.Fatal(err)
			}
			return m["id"].(string)
		}
		orderID := check("POST /api/v1/order", burst("POST", "/api/v1/order", placeBody, "key-order-1"))
		page, err := s.Orders.Orders(ordertest.As(context.Background(), "usr_ada", auth.Customer), order.Query{})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != id.Order(orderID) {
			t.Fatalf("orders after 20 identical requests: %+v, %v; want just %s", page.Items, err, orderID)
		}
		if on, res := s.Level(t, "TEE"); on != 20 || res != 2 {
			t.Errorf("TEE on_hand %d reserved %d, want 20 and 2", on, res)
		}
		payID := check("POST /api/v1/payment", burst("POST", "/api/v1/payment", `{"order_id":"`+orderID+`","method":"tok_visa"}`, "key-pay-1"))
		ps, err := s.Payments.OrderPayments(context.Background(), id.Order(orderID))
		if err != nil || len(ps) != 1 || ps[0].ID != id.Payment(payID) {
			t.Fatalf("payments after 20 identical requests: %+v, %v; want just %s", ps, err, payID)
		}
		if creates, _ := s.Charges.Calls(); creates != 1 {
			t.Errorf("the gateway was asked to charge %d times, want 1", creates)
		}
		s.Settle(t)
		if o, err := s.Store.Order(context.Background(), id.Order(orderID)); err != nil || o.Status != order.Paid {
			t.Errorf("order after payment: %s, %v", o.Status, err)
		}
		// The same key with another body is refused.
		if r := s.do(t, "usr_ada", "POST", "/api/v1/order", `{"address_id":"adr_x"}`, "Idempotency-Key: key-order-1"); r.status != 422 {
			t.Errorf("key reused with another body = %d: %s", r.status, r.body)
		}
	})
}

// TestOps checks that every route Routes registers is described, and
// nothing else, and that the description makes a valid document.
func TestOps(t *testing.T) {
	s := start(t, sqldbtest.SQLite(t))
	h := orderhttp.New(s.Orders)
	if _, err := rest.OpenAPI(rest.Spec{Title: "t", Version: "1", Ops: h.Ops()}); err != nil {
		t.Fatalf("OpenAPI: %v", err)
	}
	r := rest.NewRouter()
	h.Routes(r)
	var described []string
	for _, op := range h.Ops() {
		described = append(described, op.Method+" "+op.Path)
	}
	slices.Sort(described)
	if diff := cmp.Diff(r.Routes(), described); diff != "" {
		t.Errorf("routes vs described (-routes +ops):\n%s", diff)
	}
}
