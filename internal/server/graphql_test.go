package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/introspection"

	"github.com/bazaar-market/bazaar/internal/server"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// gqlResp is a GraphQL answer.
type gqlResp struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	status int
}

// gql posts a GraphQL request with the caller's token ("" for anonymous).
func gql(t *testing.T, base, tok string, body map[string]any) gqlResp {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out gqlResp
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decode GraphQL answer (%d): %v", res.StatusCode, err)
	}
	out.status = res.StatusCode
	return out
}

func gqlQ(t *testing.T, base, tok, query string, vars map[string]any) gqlResp {
	t.Helper()
	return gql(t, base, tok, map[string]any{"query": query, "variables": vars})
}

// errCode is the first error's extensions.code and kind, "" without errors.
func (r gqlResp) errCode() (string, string) {
	if len(r.Errors) == 0 {
		return "", ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	kind, _ := r.Errors[0].Extensions["kind"].(string)
	return code, kind
}

// gqlShop is a small shop made through REST: a seller with one product in
// stock, two customers with an address each.
type gqlShop struct {
	s                    *server.Server
	base                 string
	c                    client
	seller, buyer, other string // access tokens
	sku, productID       string
	address              string // buyer's
	otherAddress         string
}

func newGQLShop(t *testing.T, dbURL string) gqlShop {
	s, base := boot(t, dbURL)
	c := client{t: t, base: base}
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "admin@example.com", "password-123", "Ada", "admin"); err != nil {
		t.Fatal(err)
	}
	admin := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "admin@example.com", "password": "password-123"}), "access_token")
	cat := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Things"}, bearer(admin))
	sh := gqlShop{s: s, base: base, c: c, sku: "G-1"}
	sh.seller = str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "seller@example.com", "password": "password-123", "name": "S", "role": "seller"}), "access_token")
	c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Store"}, bearer(sh.seller))
	verifyByMail(c, admin, "seller@example.com")
	p := c.must(201, "POST", "/api/v1/product", map[string]any{
		"title": "Gadget", "brand": "Acme", "category_id": cat["id"], "status": "active",
		"variants": []map[string]any{{"sku": sh.sku, "options": map[string]string{"size": "M"}, "price": map[string]any{"amount": 2500, "currency": "USD"}}},
	}, bearer(sh.seller))
	sh.productID = str(p, "id")
	c.must(200, "PUT", "/api/v1/inventory/"+sh.sku, map[string]int{"on_hand": 10}, bearer(sh.seller))
	for i, dst := range []*string{&sh.buyer, &sh.other} {
		*dst = str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": fmt.Sprintf("buyer%d@example.com", i), "password": "password-123", "name": "B", "role": "customer"}), "access_token")
	}
	addr := func(tok string) string {
		return str(c.must(201, "POST", "/api/v1/address", map[string]any{"name": "Bea", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}, bearer(tok)), "id")
	}
	sh.address, sh.otherAddress = addr(sh.buyer), addr(sh.other)
	return sh
}

// placeGQL adds the shop's SKU to the buyer's cart and places an order,
// through GraphQL, returning the order's ID.
func (sh gqlShop) placeGQL(t *testing.T) string {
	t.Helper()
	r := gqlQ(t, sh.base, sh.buyer, `mutation($sku:String!){addToCart(sku:$sku, quantity:2){itemCount subtotal{amount currency}}}`, map[string]any{"sku": sh.sku})
	if len(r.Errors) > 0 || fmt.Sprint(r.Data["addToCart"].(map[string]any)["itemCount"]) != "2" {
		t.Fatalf("addToCart = %+v", r)
	}
	r = gqlQ(t, sh.base, sh.buyer, `mutation($a:ID!){placeOrder(addressId:$a){id status total{amount currency}}}`, map[string]any{"a": sh.address})
	if len(r.Errors) > 0 {
		t.Fatalf("placeOrder = %+v", r.Errors)
	}
	o := r.Data["placeOrder"].(map[string]any)
	if o["status"] != "pending_payment" {
		t.Fatalf("placeOrder status = %v, want pending_payment", o["status"])
	}
	return o["id"].(string)
}

// TestGraphQLShopping browses, buys and pays through GraphQL, and checks
// the denials: another user's order is null with NOT_FOUND, an anonymous
// placeOrder is UNAUTHENTICATED, validation errors carry their fields.
func TestGraphQLShopping(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		sh := newGQLShop(t, dbURL)
		r := gqlQ(t, sh.base, "", `query($id:ID!){product(id:$id){id title brand variants{sku available price{amount currency}} seller{name} rating{count}}}`,
			map[string]any{"id": sh.productID})
		if len(r.Errors) > 0 {
			t.Fatalf("product: %+v", r.Errors)
		}
		p := r.Data["product"].(map[string]any)
		v := p["variants"].([]any)[0].(map[string]any)
		if p["title"] != "Gadget" || fmt.Sprint(v["available"]) != "10" || p["seller"].(map[string]any)["name"] != "Store" {
			t.Errorf("product = %v", p)
		}
		r = gqlQ(t, sh.base, "", `{products(first:5){nodes{id} pageInfo{hasNextPage}} categories{name}}`, nil)
		if len(r.Errors) > 0 || len(r.Data["products"].(map[string]any)["nodes"].([]any)) != 1 {
			t.Errorf("products = %+v", r)
		}

		oid := sh.placeGQL(t)
		r = gqlQ(t, sh.base, sh.buyer, `mutation($o:ID!){pay(orderId:$o, method:"tok_visa"){id status amount{amount}}}`, map[string]any{"o": oid})
		if len(r.Errors) > 0 {
			t.Fatalf("pay: %+v", r.Errors)
		}
		eventually(t, "order paid", func() string {
			r := gqlQ(t, sh.base, sh.buyer, `query($o:ID!){order(id:$o){status}}`, map[string]any{"o": oid})
			if got := fmt.Sprint(r.Data["order"]); !strings.Contains(got, "paid") {
				return "order = " + got
			}
			return ""
		})

		// Another customer's order: null with NOT_FOUND, as REST's 404.
		r = gqlQ(t, sh.base, sh.other, `query($o:ID!){order(id:$o){id status}}`, map[string]any{"o": oid})
		if code, kind := r.errCode(); r.Data["order"] != nil || code != "not_found" || kind != "NOT_FOUND" || r.Errors[0].Extensions["status"] != float64(404) {
			t.Errorf("other's order = %+v, want null and not_found/NOT_FOUND/404", r)
		}
		// Anonymous placeOrder: UNAUTHENTICATED.
		r = gqlQ(t, sh.base, "", `mutation($a:ID!){placeOrder(addressId:$a){id}}`, map[string]any{"a": sh.address})
		if _, kind := r.errCode(); kind != "UNAUTHENTICATED" {
			t.Errorf("anonymous placeOrder = %+v, want UNAUTHENTICATED", r.Errors)
		}
		// A validation error carries its fields.
		r = gqlQ(t, sh.base, sh.buyer, `mutation{createAddress(input:{name:"", line1:"", city:"", postalCode:"", country:"ZZ"}){id}}`, nil)
		if code, kind := r.errCode(); code != "validation_failed" || kind != "INVALID_ARGUMENT" || r.Errors[0].Extensions["fields"] == nil {
			t.Errorf("invalid address = %+v, want validation_failed with fields", r.Errors)
		}
	})
}

// TestGraphQLLimits checks the depth and complexity refusals, automatic
// persisted queries (a hash miss, then a hit) and the SDL.
func TestGraphQLLimits(t *testing.T) {
	_, base := boot(t, "")
	r := gqlQ(t, base, "", `{search{items{product{variants{price{amount}}}}}}`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("a reasonable query failed: %+v", r.Errors)
	}
	if r := gqlQ(t, base, "", `{nope}`, nil); func() bool { c, k := r.errCode(); return c != "GRAPHQL_VALIDATION_FAILED" || k != "INVALID_ARGUMENT" }() {
		t.Errorf("unknown field = %+v, want GRAPHQL_VALIDATION_FAILED INVALID_ARGUMENT", r.Errors)
	}
	if r := gqlQ(t, base, "", `query($n:Int){products(first:$n){nodes{id}}}`, map[string]any{"n": -1}); func() bool {
		c, k := r.errCode()
		return c != "validation_failed" || k != "INVALID_ARGUMENT" || r.Errors[0].Extensions["fields"] == nil
	}() {
		t.Errorf("first: -1 = %+v, want validation_failed with fields", r.Errors)
	}
	// Depth, on a server allowing 4 levels: fragments count as their fields.
	_, shallow := bootConfig(t, server.Config{DataDir: t.TempDir(), GraphQLMaxDepth: 4})
	if r := gqlQ(t, shallow, "", `{products{nodes{...P}}} fragment P on Product{variants{sku}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("depth 4 refused: %+v", r.Errors)
	}
	tooDeep := `{products{nodes{...P}}} fragment P on Product{variants{price{amount}}}`
	if r := gqlQ(t, shallow, "", tooDeep, nil); func() bool { c, k := r.errCode(); return c != "DEPTH_LIMIT_EXCEEDED" || k != "INVALID_ARGUMENT" }() {
		t.Errorf("too deep = %+v, want DEPTH_LIMIT_EXCEEDED", r.Errors)
	}
	// The introspection GraphiQL sends passes on the default limits (the
	// chain of wrapped types does not count), but a deep walk through the
	// schema's fields still does not.
	if r := gqlQ(t, base, "", introspection.Query, nil); len(r.Errors) > 0 || r.Data["__schema"] == nil {
		t.Errorf("the introspection query = %+v, want the schema", r.Errors)
	}
	deepSchema := `{__schema{types{fields{type{fields{type{fields{type{fields{type{fields{type{fields{name}}}}}}}}}}}}}}`
	if r := gqlQ(t, base, "", deepSchema, nil); func() bool {
		c, _ := r.errCode()
		return c != "DEPTH_LIMIT_EXCEEDED" && c != "GRAPHQL_VALIDATION_FAILED" // gqlparser has an introspection depth rule too
	}() || r.Data["__schema"] != nil {
		t.Errorf("a deep walk of the schema = %+v, want it refused", r.Errors)
	}
	if r := gqlQ(t, base, "", `{a:products(first:100){nodes{variants{sku} reviews(first:100){nodes{id title body}}}}}`, nil); func() bool { c, _ := r.errCode(); return c != "COMPLEXITY_LIMIT_EXCEEDED" }() {
		t.Errorf("too complex = %+v, want COMPLEXITY_LIMIT_EXCEEDED", r.Errors)
	}

	// APQ: the hash alone misses, the query with its hash is stored, then
	// the hash alone hits.
	q := `{categories{id name}}`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	if r := gql(t, base, "", map[string]any{"extensions": ext}); func() bool { c, _ := r.errCode(); return c != "PERSISTED_QUERY_NOT_FOUND" }() {
		t.Errorf("APQ miss = %+v, want PERSISTED_QUERY_NOT_FOUND", r.Errors)
	}
	if r := gql(t, base, "", map[string]any{"query": q, "extensions": ext}); len(r.Errors) > 0 {
		t.Errorf("APQ register = %+v", r.Errors)
	}
	if r := gql(t, base, "", map[string]any{"extensions": ext}); len(r.Errors) > 0 || r.Data["categories"] == nil {
		t.Errorf("APQ hit = %+v, want the categories", r)
	}

	res, err := http.Get(base + "/graphql/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	var sdl bytes.Buffer
	_, _ = sdl.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(sdl.String(), "placeOrder(addressId: ID!") {
		t.Errorf("SDL = %d %.200s", res.StatusCode, sdl.String())
	}
}

// TestGraphQLSubscription watches an order over graphql-transport-ws, the
// token in connection_init: the current status first (paid), then shipped
// once the seller hands the parcel over.
func TestGraphQLSubscription(t *testing.T) {
	sh := newGQLShop(t, "")
	oid := sh.placeGQL(t)
	if r := gqlQ(t, sh.base, sh.buyer, `mutation($o:ID!){pay(orderId:$o, method:"tok_visa"){id}}`, map[string]any{"o": oid}); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	eventually(t, "order paid", func() string {
		r := gqlQ(t, sh.base, sh.buyer, `query($o:ID!){order(id:$o){status sellerOrders{shipment{id}}}}`, map[string]any{"o": oid})
		if got := fmt.Sprint(r.Data["order"]); !strings.Contains(got, "paid") || !strings.Contains(got, "shp_") {
			return "order = " + got
		}
		return ""
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(sh.base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	send := func(v any) {
		if err := wsjson.Write(ctx, conn, v); err != nil {
			t.Fatal(err)
		}
	}
	type msg struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	read := func() msg {
		for {
			var m msg
			if err := wsjson.Read(ctx, conn, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
				return m
			}
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + sh.buyer}})
	if m := read(); m.Type != "connection_ack" {
		t.Fatalf("after init: %s %s", m.Type, m.Payload)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription($o:ID!){orderStatus(id:$o){orderId status}}`, "variables": map[string]any{"o": oid}}})
	status := func() string {
		m := read()
		if m.Type != "next" {
			t.Fatalf("got %s %s, want next", m.Type, m.Payload)
		}
		var p struct {
			Data struct {
				OrderStatus struct{ Status string } `json:"orderStatus"`
			} `json:"data"`
		}
		_ = json.Unmarshal(m.Payload, &p)
		return p.Data.OrderStatus.Status
	}
	if got := status(); got != "paid" {
		t.Fatalf("first status = %q, want paid", got)
	}
	r := gqlQ(t, sh.base, sh.seller, `query($o:ID!){order(id:$o){sellerOrders{shipment{id}}}}`, map[string]any{"o": oid})
	shipID := r.Data["order"].(map[string]any)["sellerOrders"].([]any)[0].(map[string]any)["shipment"].(map[string]any)["id"].(string)
	newDriver(t, sh.s, sh.c)
	if r := gqlQ(t, sh.base, sh.seller, `mutation($s:ID!){packShipment(id:$s){status}}`, map[string]any{"s": shipID}); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	if r := gqlQ(t, sh.base, sh.seller, `mutation($s:ID!){handOverShipment(id:$s){status}}`, map[string]any{"s": shipID}); len(r.Errors) > 0 {
		t.Fatalf("handOverShipment: %+v", r.Errors)
	}
	for {
		got := status()
		if got == "shipped" {
			break
		}
		if got != "paid" && got != "packed" && got != "processing" {
			t.Fatalf("status = %q, want shipped", got)
		}
	}

	// The legacy graphql-ws protocol: init, start, and the current status
	// comes as "data". Another customer's order is NOT_FOUND.
	old, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(sh.base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer old.CloseNow()
	readOld := func() msg {
		for {
			var m msg
			if err := wsjson.Read(ctx, old, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != "ka" {
				return m
			}
		}
	}
	for _, v := range []any{
		map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + sh.buyer}},
		map[string]any{"id": "a", "type": "start", "payload": map[string]any{"query": `subscription($o:ID!){orderStatus(id:$o){status}}`, "variables": map[string]any{"o": oid}}},
	} {
		if err := wsjson.Write(ctx, old, v); err != nil {
			t.Fatal(err)
		}
	}
	if m := readOld(); m.Type != "connection_ack" {
		t.Fatalf("graphql-ws after init: %s %s", m.Type, m.Payload)
	}
	if m := readOld(); m.Type != "data" || !strings.Contains(string(m.Payload), `"shipped"`) {
		t.Errorf("graphql-ws first message = %s %s, want data with shipped", m.Type, m.Payload)
	}

	other, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(sh.base, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer other.CloseNow()
	for _, v := range []any{
		map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + sh.other}},
		map[string]any{"id": "x", "type": "subscribe", "payload": map[string]any{"query": `subscription($o:ID!){orderStatus(id:$o){status}}`, "variables": map[string]any{"o": oid}}},
	} {
		if err := wsjson.Write(ctx, other, v); err != nil {
			t.Fatal(err)
		}
	}
	for {
		var m msg
		if err := wsjson.Read(ctx, other, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "connection_ack" || m.Type == "ping" || m.Type == "pong" {
			continue
		}
		if !strings.Contains(string(m.Payload), "NOT_FOUND") {
			t.Errorf("another customer's subscription = %s %s, want a NOT_FOUND error", m.Type, m.Payload)
		}
		break
	}
}

// TestGraphQLDoor runs a few of the parity door's methods against a booted
// shop, so the door is checked before the suite that uses it lands.
func TestGraphQLDoor(t *testing.T) {
	sh := newGQLShop(t, "")
	d := doors["graphql"](doorBase{t: t, base: sh.base})
	p, err := d.Product("", sh.productID)
	if err != nil || p.Title != "Gadget" || len(p.Variants) != 1 || p.Variants[0].Available != 10 || p.Variants[0].Price != (pMoney{2500, "USD"}) {
		t.Fatalf("Product = %+v, %v", p, err)
	}
	c, err := d.AddToCart(sh.buyer, sh.sku, 3)
	if err != nil || len(c.Lines) != 1 || c.Subtotal != (pMoney{7500, "USD"}) {
		t.Fatalf("AddToCart = %+v, %v", c, err)
	}
	o, err := d.PlaceOrder(sh.buyer, sh.address)
	if err != nil || o.Status != "pending_payment" || len(o.SellerIDs) != 1 || o.Lines[0].Quantity != 3 {
		t.Fatalf("PlaceOrder = %+v, %v", o, err)
	}
	var de *doorError
	if _, err := d.Order(sh.other, o.ID); !errors.As(err, &de) || de.Kind != "NOT_FOUND" || de.Code != "not_found" {
		t.Errorf("Order(other) error = %v, want NOT_FOUND not_found", err)
	}
	if _, err := d.PlaceOrder("", sh.address); !errors.As(err, &de) || de.Kind != "UNAUTHENTICATED" {
		t.Errorf("PlaceOrder(anonymous) error = %v, want UNAUTHENTICATED", err)
	}
	if err := d.UpdateProductTitle(sh.seller, sh.productID, "Gizmo"); err != nil {
		t.Fatalf("UpdateProductTitle: %v", err)
	}
	if err := d.UpdateProductTitle(sh.buyer, sh.productID, "Mine"); !errors.As(err, &de) {
		t.Errorf("UpdateProductTitle(customer) error = %v, want a refusal", err)
	}
	if ids, err := d.SellerOrders(sh.seller); err != nil || !slices.Contains(ids, o.ID) {
		t.Errorf("SellerOrders = %v, %v; want %s among them", ids, err, o.ID)
	}
	if got, err := d.CancelOrder(sh.buyer, o.ID); err != nil || got.Status != "cancelled" {
		t.Errorf("CancelOrder = %+v, %v", got, err)
	}
}

// TestGraphiQLSwitch serves GraphiQL to a browser's GET /graphql when it is
// on and answers 404 when it is off; the API's own GETs are unchanged.
func TestGraphiQLSwitch(t *testing.T) {
	for _, on := range []bool{true, false} {
		_, base := bootConfig(t, server.Config{DataDir: t.TempDir(), GraphiQL: on})
		req, _ := http.NewRequest("GET", base+"/graphql", nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page bytes.Buffer
		_, _ = page.ReadFrom(res.Body)
		res.Body.Close()
		switch {
		case !on && res.StatusCode != http.StatusNotFound:
			t.Errorf("GraphiQL off: browser GET /graphql = %d, want 404", res.StatusCode)
		case on && res.StatusCode == http.StatusNotFound && strings.Contains(page.String(), "graphiql_off"):
			t.Errorf("GraphiQL on: browser GET /graphql = 404 graphiql_off")
		case on && res.StatusCode == http.StatusNotFound:
			t.Log("the web UI is not built into this test binary (make web): GraphiQL's page is absent, only its switch is checked")
		case on && (res.StatusCode != 200 || !strings.Contains(page.String(), "graphiql") || !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'")):
			t.Errorf("GraphiQL on: browser GET /graphql = %d, CSP %q", res.StatusCode, res.Header.Get("Content-Security-Policy"))
		}
		res, err = http.Get(base + "/graphql?query=%7Bcategories%7Bid%7D%7D")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GraphiQL %v: GET /graphql?query= = %d, want 200", on, res.StatusCode)
		}
	}
}

// TestGraphQLBodyLimit refuses a body over REST's limit with a GraphQL
// error of kind PAYLOAD_TOO_LARGE.
func TestGraphQLBodyLimit(t *testing.T) {
	_, base := boot(t, "")
	r := gql(t, base, "", map[string]any{"query": "{categories{id}}", "variables": map[string]any{"pad": strings.Repeat("x", 2<<20)}})
	if code, kind := r.errCode(); code != "body_too_large" || kind != "PAYLOAD_TOO_LARGE" || r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body = %d %+v, want 413 body_too_large PAYLOAD_TOO_LARGE", r.status, r.Errors)
	}
}
