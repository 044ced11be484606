package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/server"
)

// requiredDoors are the doors the parity suite must find registered.
var requiredDoors = []string{"rest", "graphql", "grpc"}

// paritySetup is the shop the parity suite runs in, built through REST: a
// category, two sellers each with a stocked product, staff and the
// customers the matrix needs.
type paritySetup struct {
	s        *server.Server
	c        client
	admin    string
	support  string
	driver   string // a delivery partner's token
	driverID string
	sellers  [2]string // tokens
	category string
	lantern  restProduct // seller 0's, SKUs PAR-LAN-S and PAR-LAN-L
	kettle   restProduct // seller 1's, SKU PAR-KET
}

func TestParityAcrossDoors(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		ps := newParitySetup(t, s, client{t: t, base: base})
		ds := map[string]parityDoor{}
		doorsMu.Lock()
		for name, mk := range doors {
			ds[name] = mk(doorBase{t: t, base: base})
		}
		doorsMu.Unlock()
		for _, name := range requiredDoors {
			if ds[name] == nil {
				t.Errorf("door %q is not registered", name)
			}
		}
		if ds["rest"] == nil {
			t.FailNow()
		}
		names := make([]string, 0, len(ds))
		for n := range ds {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Run("scenario", func(t *testing.T) { parityScenario(t, ps, ds, names) })
		t.Run("matrix", func(t *testing.T) { parityMatrix(t, ps, ds, names) })
	})
}

func newParitySetup(t *testing.T, s *server.Server, c client) *paritySetup {
	t.Helper()
	ctx := context.Background()
	login := func(email string) string {
		return str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "parity-password-1"}), "access_token")
	}
	for _, u := range []struct{ email, role string }{
		{"admin@parity.example.com", "admin"}, {"support@parity.example.com", "support"}, {"driver@parity.example.com", "delivery"},
	} {
		if _, err := s.CreateUser(ctx, u.email, "parity-password-1", u.role, u.role); err != nil {
			t.Fatal(err)
		}
	}
	ps := &paritySetup{s: s, c: c, admin: login("admin@parity.example.com"), support: login("support@parity.example.com"),
		driver: login("driver@parity.example.com")}
	me := c.must(200, "GET", "/api/v1/me", nil, bearer(ps.driver))
	ps.driverID = str(me, "id") + str(me, "user", "id")
	ps.category = str(c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Parity Goods"}, bearer(ps.admin)), "id")
	listings := []map[string]any{
		{"title": "Parity Storm Lantern", "brand": "Lumen", "description": "A storm lantern for parity tests.",
			"variants": []map[string]any{
				{"sku": "PAR-LAN-S", "options": map[string]string{"size": "S"}, "price": map[string]any{"amount": 2500, "currency": "USD"}},
				{"sku": "PAR-LAN-L", "options": map[string]string{"size": "L"}, "price": map[string]any{"amount": 3000, "currency": "USD"}},
			}},
		{"title": "Parity Camp Kettle", "brand": "Boilwell", "description": "A camp kettle for parity tests.",
			"variants": []map[string]any{
				{"sku": "PAR-KET", "options": map[string]string{}, "price": map[string]any{"amount": 4000, "currency": "USD"}},
			}},
	}
	for i, l := range listings {
		email := fmt.Sprintf("seller%d@parity.example.com", i)
		tok := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "parity-password-1", "name": "Seller", "role": "seller"}), "access_token")
		c.must(201, "POST", "/api/v1/seller", map[string]string{"name": fmt.Sprintf("Parity Store %d", i)}, bearer(tok))
		verifyByMail(c, ps.admin, email)
		ps.sellers[i] = tok
		l["category_id"], l["status"] = ps.category, "active"
		r := c.do("POST", "/api/v1/product", l, bearer(tok))
		if r.status != 201 {
			t.Fatalf("create product = %d %s", r.status, r.body)
		}
		var p restProduct
		if err := jsonUnmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Variants {
			c.must(200, "PUT", "/api/v1/inventory/"+v.SKU, map[string]int{"on_hand": 100}, bearer(tok))
		}
		if i == 0 {
			ps.lantern = p
		} else {
			ps.kettle = p
		}
	}
	// The search index follows the catalog by events.
	eventually(t, "both products searchable", func() string {
		if n := str(c.must(200, "GET", "/api/v1/search?q=parity", nil), "total"); n != "2" {
			return "search total " + n
		}
		return ""
	})
	return ps
}

// customer registers a customer with a saved address and returns its token
// and the address ID.
func (ps *paritySetup) customer(t *testing.T, email string) (tok, address string) {
	t.Helper()
	tok = str(ps.c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "parity-password-1", "name": "Pat", "role": "customer"}), "access_token")
	address = str(ps.c.must(201, "POST", "/api/v1/address", map[string]any{"name": "Pat", "line1": "1 Main St", "city": "Springfield",
		"postal_code": "12345", "country": "US"}, bearer(tok)), "id")
	return tok, address
}

// handOver hands a packed parcel to the suite's delivery partner (through REST).
func (ps *paritySetup) handOver(t *testing.T, sellerTok, shipmentID string) {
	t.Helper()
	ps.c.must(200, "POST", "/api/v1/shipment/"+shipmentID+"/handover", map[string]string{"partner_id": ps.driverID}, bearer(sellerTok))
}

// step is one answer of the scenario, with the IDs that differ between doors
// (each door places its own orders) blanked.
type step struct {
	Name  string
	Value any
	Err   string
}

func parityScenario(t *testing.T, ps *paritySetup, ds map[string]parityDoor, names []string) {
	// Reads first, while the stock is the same for every door.
	transcripts := map[string][]step{}
	for _, n := range names {
		d := ds[n]
		var tr []step
		add := func(name string, v any, err error) {
			tr = append(tr, step{Name: name, Value: v, Err: errString(t, n, name, err)})
		}
		p, err := d.Product("", ps.lantern.ID)
		add("product by id", p, err)
		p, err = d.Product("", ps.lantern.Slug)
		add("product by slug", p, err)
		ls, err := d.Products("", ps.category, 10)
		add("products of the category", ls, err)
		sr, err := d.Search("", "parity")
		add("search", sr, err)
		_, err = d.Product("", "prd_missing0000000000000000000")
		add("missing product", nil, err)
		transcripts[n] = tr
	}
	// Then each door buys, pays, tracks and cancels for its own customer.
	for _, n := range names {
		d := ds[n]
		tr := transcripts[n]
		add := func(name string, v any, err error) {
			tr = append(tr, step{Name: name, Value: v, Err: errString(t, n, name, err)})
		}
		tok, address := ps.customer(t, n+"@parity.example.com")
		_, err := d.AddToCart(tok, "PAR-LAN-S", 2)
		add("add to cart", nil, err)
		cart, err := d.AddToCart(tok, "PAR-KET", 1)
		add("add another to cart", cart, err)
		cart, err = d.Cart(tok)
		add("cart", cart, err)
		_, err = d.AddToCart(tok, "PAR-KET", 500)
		add("add more than in stock", nil, err)
		_, err = d.AddToCart(tok, "PAR-KET", 1000)
		add("add more than a line holds", nil, err)

		order, err := d.PlaceOrder(tok, address)
		if err != nil || order.ID == "" {
			t.Fatalf("%s: place order = %+v, %v", n, order, err)
		}
		oid := order.ID
		add("place order", blankOrder(order), err)
		cart, err = d.Cart(tok)
		add("cart after ordering", cart, err)
		pay, err := d.Pay(tok, oid, "tok_visa")
		if err == nil && (pay.OrderID != oid || pay.ID == "" || pay.Amount != order.Total) {
			t.Errorf("%s: payment = %+v, want one for %s of %v", n, pay, oid, order.Total)
		}
		add("pay", pay.Amount, err)
		eventually(t, n+": order paid", func() string {
			o, err := d.Order(tok, oid)
			if err != nil {
				return err.Error()
			}
			if o.Status != "paid" {
				return "status " + o.Status
			}
			return ""
		})
		order, err = d.Order(tok, oid)
		add("paid order", blankOrder(order), err)
		orders, err := d.Orders(tok)
		if err == nil && (len(orders) != 1 || orders[0].ID != oid) {
			t.Errorf("%s: orders = %+v, want just %s", n, orders, oid)
		}
		add("orders", len(orders), err)
		_, err = d.Pay(tok, oid, "tok_visa")
		add("pay a paid order", nil, err)

		// The first seller's parcel: packed, handed over, picked up.
		var parcel pShipment
		eventually(t, n+": parcel created", func() string {
			parcel, err = d.ShipmentOf(ps.sellers[0], oid)
			if err != nil {
				return err.Error()
			}
			if parcel.ID == "" {
				return "no parcel yet"
			}
			return ""
		})
		if parcel.OrderID != oid || parcel.TrackingNumber == "" {
			t.Errorf("%s: parcel = %+v, want one of %s with a tracking number", n, parcel, oid)
		}
		add("parcel", blankShipment(parcel), nil)
		sh, err := d.Shipment(tok, parcel.ID)
		if err == nil && sh != parcel {
			t.Errorf("%s: the customer's view of the parcel %+v differs from the seller's %+v", n, sh, parcel)
		}
		sh, err = d.PackShipment(ps.sellers[0], parcel.ID)
		add("pack", blankShipment(sh), err)
		ps.handOver(t, ps.sellers[0], parcel.ID)
		sh, err = d.ShipmentEvent(ps.driver, parcel.ID, "picked_up")
		add("picked up", blankShipment(sh), err)
		sh, err = d.Shipment(tok, parcel.ID)
		add("track", blankShipment(sh), err)
		_, err = d.ShipmentEvent(ps.driver, parcel.ID, "no_such_status")
		add("a bad status", nil, err)

		// A second order, cancelled before payment.
		_, err = d.AddToCart(tok, "PAR-LAN-L", 1)
		add("add for the second order", nil, err)
		second, err := d.PlaceOrder(tok, address)
		add("second order", blankOrder(second), err)
		cancelled, err := d.CancelOrder(tok, second.ID)
		add("cancel", blankOrder(cancelled), err)
		_, err = d.CancelOrder(tok, second.ID)
		add("cancel again", nil, err)
		transcripts[n] = tr
	}
	want := transcripts["rest"]
	for _, n := range names {
		if n == "rest" {
			continue
		}
		got := transcripts[n]
		if len(got) != len(want) {
			t.Errorf("%s: %d steps, REST %d", n, len(got), len(want))
			continue
		}
		for i := range want {
			if diff := cmp.Diff(want[i], got[i]); diff != "" {
				t.Errorf("%s differs from REST at %q (-rest +%s):\n%s", n, want[i].Name, n, diff)
			}
		}
	}
	// The transcript is not trivially equal: REST answered what was asked.
	var lines []string
	for _, st := range want {
		lines = append(lines, fmt.Sprintf("%s: %+v %s", st.Name, st.Value, st.Err))
	}
	t.Logf("REST's transcript:\n%s", strings.Join(lines, "\n"))
	for _, st := range want {
		if st.Err != "" && !strings.HasPrefix(st.Name, "missing") && !strings.Contains(st.Name, "again") &&
			!strings.Contains(st.Name, "bad") && !strings.Contains(st.Name, "more than") && !strings.Contains(st.Name, "paid order") {
			t.Errorf("REST: %s failed: %s", st.Name, st.Err)
		}
	}
}

// errString is "" for nil, the class and code of a door's refusal, and a
// fatal error for anything else (the door could not talk to the server).
func errString(t *testing.T, door, step string, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var de *doorError
	if !errors.As(err, &de) {
		t.Fatalf("%s: %s: %v", door, step, err)
	}
	return de.Kind + "/" + de.Code
}

func blankOrder(o pOrder) pOrder { o.ID = ""; return o }
func blankShipment(s pShipment) pShipment {
	s.ID, s.OrderID, s.TrackingNumber = "", "", ""
	return s
}

// parityMatrix sends each operation as each role through each door and
// demands the same allow or deny (and machine code) from every door.
func parityMatrix(t *testing.T, ps *paritySetup, ds map[string]parityDoor, names []string) {
	rest := ds["rest"]
	owner, address := ps.customer(t, "owner@parity.example.com")
	other, _ := ps.customer(t, "other@parity.example.com")
	// The owner's paid order with a parcel from seller 0, handed to the
	// delivery partner, and a cancelled order.
	// Only seller 0's lantern, so seller 1 is a stranger to the order.
	if _, err := rest.AddToCart(owner, "PAR-LAN-S", 1); err != nil {
		t.Fatal(err)
	}
	paid, err := rest.PlaceOrder(owner, address)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rest.Pay(owner, paid.ID, "tok_visa"); err != nil {
		t.Fatal(err)
	}
	var parcel pShipment
	eventually(t, "the matrix order's parcel", func() string {
		parcel, err = rest.ShipmentOf(ps.sellers[0], paid.ID)
		if err != nil {
			return err.Error()
		}
		if parcel.ID == "" {
			return "no parcel yet"
		}
		return ""
	})
	if _, err := rest.PackShipment(ps.sellers[0], parcel.ID); err != nil {
		t.Fatal(err)
	}
	ps.handOver(t, ps.sellers[0], parcel.ID)
	if _, err := rest.AddToCart(owner, "PAR-LAN-L", 1); err != nil {
		t.Fatal(err)
	}
	dropped, err := rest.PlaceOrder(owner, address)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rest.CancelOrder(owner, dropped.ID); err != nil {
		t.Fatal(err)
	}

	roles := []struct{ name, tok string }{
		{"anonymous", ""}, {"customer", owner}, {"other customer", other}, {"seller", ps.sellers[0]},
		{"other seller", ps.sellers[1]}, {"delivery", ps.driver}, {"support", ps.support}, {"admin", ps.admin},
	}
	ops := []struct {
		name string
		run  func(d parityDoor, tok string) error
	}{
		{"read the order", func(d parityDoor, tok string) error { _, err := d.Order(tok, paid.ID); return err }},
		{"list orders", func(d parityDoor, tok string) error { _, err := d.Orders(tok); return err }},
		{"pay the paid order", func(d parityDoor, tok string) error { _, err := d.Pay(tok, paid.ID, "tok_visa"); return err }},
		{"cancel the cancelled order", func(d parityDoor, tok string) error { _, err := d.CancelOrder(tok, dropped.ID); return err }},
		{"read the parcel", func(d parityDoor, tok string) error { _, err := d.Shipment(tok, parcel.ID); return err }},
		{"pack the handed-over parcel", func(d parityDoor, tok string) error { _, err := d.PackShipment(tok, parcel.ID); return err }},
		{"list the seller's orders", func(d parityDoor, tok string) error { _, err := d.SellerOrders(tok); return err }},
		{"rename the product (to its name)", func(d parityDoor, tok string) error {
			return d.UpdateProductTitle(tok, ps.lantern.ID, ps.lantern.Title)
		}},
		{"set the stock (to what it is)", func(d parityDoor, tok string) error { return d.SetStock(tok, "PAR-LAN-L", 100) }},
		{"list users", func(d parityDoor, tok string) error { _, err := d.Users(tok); return err }},
		{"read the product", func(d parityDoor, tok string) error { _, err := d.Product(tok, ps.lantern.ID); return err }},
		{"read the cart", func(d parityDoor, tok string) error { _, err := d.Cart(tok); return err }},
	}
	outcome := func(door, op, role string, err error) string {
		if err == nil {
			return "ok"
		}
		return errString(t, door, op+" as "+role, err)
	}
	restOutcome := map[string]string{}
	for _, op := range ops {
		for _, r := range roles {
			want := outcome("rest", op.name, r.name, op.run(rest, r.tok))
			restOutcome[op.name+" as "+r.name] = want
			for _, n := range names {
				if n == "rest" {
					continue
				}
				if got := outcome(n, op.name, r.name, op.run(ds[n], r.tok)); got != want {
					t.Errorf("%s as %s: %s answers %s, REST %s", op.name, r.name, n, got, want)
				}
			}
		}
	}
	// The matrix means something: REST allows and denies as the rules say.
	for key, want := range map[string]string{
		"read the order as customer":                       "ok",
		"read the order as other customer":                 "NOT_FOUND/not_found",
		"read the order as anonymous":                      "UNAUTHENTICATED/unauthenticated",
		"read the order as seller":                         "ok",
		"read the order as other seller":                   "NOT_FOUND/not_found",
		"read the parcel as delivery":                      "ok",
		"read the parcel as other customer":                "NOT_FOUND/not_found",
		"list users as admin":                              "ok",
		"list users as customer":                           "PERMISSION_DENIED/forbidden",
		"read the product as anonymous":                    "ok",
		"list the seller's orders as seller":               "ok",
		"rename the product (to its name) as other seller": "NOT_FOUND/not_found",
		"rename the product (to its name) as seller":       "ok",
		"set the stock (to what it is) as other seller":    "NOT_FOUND/not_found",
	} {
		if got := restOutcome[key]; got != want {
			t.Errorf("REST: %s = %s, want %s", key, got, want)
		}
	}
	var lines []string
	for k, v := range restOutcome {
		lines = append(lines, k+" = "+v)
	}
	sort.Strings(lines)
	t.Logf("%d operations x %d roles x %d doors:\n%s", len(ops), len(roles), len(names), strings.Join(lines, "\n"))
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
