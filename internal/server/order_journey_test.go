package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// eventually polls f until it returns "" or the deadline passes, then fails
// with f's last complaint.
func eventually(t *testing.T, what string, f func() string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		if last = f(); last == "" {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: %s", what, last)
}

// TestOrderJourney is issue 3's "done when" journey: a customer buys from two
// sellers in one order and pays with tok_visa; both sellers pack and hand
// over; two delivery partners deliver; the customer sees delivered and each
// shipment's timeline. A second order is declined and its stock comes back;
// a third is cancelled after payment and refunded.
func TestOrderJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		ctx := context.Background()
		login := func(email, password string) string {
			return str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}), "access_token")
		}
		for _, u := range []struct{ email, role string }{
			{"admin@example.com", "admin"}, {"support@example.com", "support"},
			{"driver1@example.com", "delivery"}, {"driver2@example.com", "delivery"},
		} {
			if _, err := s.CreateUser(ctx, u.email, "password-123", u.role, u.role); err != nil {
				t.Fatal(err)
			}
		}
		admin, support := login("admin@example.com", "password-123"), login("support@example.com", "password-123")
		driver1, driver2 := login("driver1@example.com", "password-123"), login("driver2@example.com", "password-123")
		driverID := map[string]string{}
		for _, d := range []string{driver1, driver2} {
			me := c.must(200, "GET", "/api/v1/me", nil, bearer(d))
			driverID[d] = str(me, "id") + str(me, "user", "id")
		}
		cat := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Things"}, bearer(admin))

		type seller struct{ token, id, sku string }
		var sellers []seller
		for i, price := range []int{1500, 4000} {
			tok := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": fmt.Sprintf("seller%d@example.com", i), "password": "password-123", "name": "S", "role": "seller"}), "access_token")
			store := c.must(201, "POST", "/api/v1/seller", map[string]string{"name": fmt.Sprintf("Store %d", i)}, bearer(tok))
			verifyByMail(c, admin, fmt.Sprintf("seller%d@example.com", i))
			sku := fmt.Sprintf("J-%d", i)
			c.must(201, "POST", "/api/v1/product", map[string]any{
				"title": fmt.Sprintf("Thing %d", i), "brand": "Acme", "category_id": cat["id"], "status": "active",
				"variants": []map[string]any{{"sku": sku, "options": map[string]string{}, "price": map[string]any{"amount": price, "currency": "USD"}}},
			}, bearer(tok))
			c.must(200, "PUT", "/api/v1/inventory/"+sku, map[string]int{"on_hand": 10}, bearer(tok))
			sellers = append(sellers, seller{token: tok, id: str(store, "id"), sku: sku})
		}
		customer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "buyer@example.com", "password": "password-123", "name": "Bea", "role": "customer"}), "access_token")
		address := c.must(201, "POST", "/api/v1/address", map[string]any{"name": "Bea", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}, bearer(customer))
		available := func(sku string) string {
			inv := c.must(200, "GET", "/api/v1/inventory/"+sku, nil, bearer(sellers[map[string]int{"J-0": 0, "J-1": 1}[sku]].token))
			return str(inv, "on_hand") + "/" + str(inv, "reserved")
		}
		orderStatus := func(id, want string) func() string {
			return func() string {
				o := c.must(200, "GET", "/api/v1/order/"+id, nil, bearer(customer))
				if got := str(o, "status"); got != want {
					return fmt.Sprintf("order status %q, want %q (%v)", got, want, o["last_payment_error"])
				}
				return ""
			}
		}

		// 1. Two sellers, one order, tok_visa.
		c.must(200, "POST", "/api/v1/cart/item", map[string]any{"sku": "J-0", "quantity": 2}, bearer(customer))
		c.must(200, "POST", "/api/v1/cart/item", map[string]any{"sku": "J-1", "quantity": 1}, bearer(customer))
		order := c.must(201, "POST", "/api/v1/order", map[string]any{"address_id": address["id"]}, bearer(customer))
		oid := str(order, "id")
		if str(order, "status") != "pending_payment" || str(order, "subtotal", "amount") != "7000" || len(order["seller_orders"].([]any)) != 2 {
			t.Fatalf("order = %v, want pending_payment, subtotal 7000, two seller orders", order)
		}
		if got := available("J-0"); got != "10/2" {
			t.Errorf("J-0 after placing = %s on hand/reserved, want 10/2", got)
		}
		if cart := c.must(200, "GET", "/api/v1/cart", nil, bearer(customer)); str(cart, "item_count") != "0" {
			t.Errorf("cart after ordering = %v, want empty", cart)
		}
		pay := c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": oid, "method": "tok_visa"}, bearer(customer))
		if str(pay, "order_id") != oid {
			t.Fatalf("payment = %v", pay)
		}
		eventually(t, "first order paid", orderStatus(oid, "paid"))
		if got := available("J-0"); got != "8/0" {
			t.Errorf("J-0 after payment = %s, want 8/0 (committed)", got)
		}
		// Each seller sees only its part; another customer sees nothing.
		stranger := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "stranger@example.com", "password": "password-123", "name": "X", "role": "customer"}), "access_token")
		c.problem(404, "not_found", "GET", "/api/v1/order/"+oid, nil, bearer(stranger))
		part := c.must(200, "GET", "/api/v1/order/"+oid, nil, bearer(sellers[0].token))
		if n := len(part["seller_orders"].([]any)); n != 1 || str(part, "seller_orders", "0", "seller_id") != sellers[0].id {
			t.Errorf("seller 0 sees %d seller orders (%v), want only its own", n, part["seller_orders"])
		}

		// Both sellers pack and hand over, each to a different partner.
		var shipments []string
		for i, sl := range sellers {
			var shipID string
			eventually(t, "shipment created", func() string {
				o := c.must(200, "GET", "/api/v1/order/"+oid, nil, bearer(sl.token))
				shipID = str(o, "seller_orders", "0", "shipment", "id")
				if shipID == "" {
					return "no shipment yet on the seller order"
				}
				return ""
			})
			c.problem(404, "not_found", "POST", "/api/v1/shipment/"+shipID+"/pack", nil, bearer(sellers[1-i].token))
			c.must(200, "POST", "/api/v1/shipment/"+shipID+"/pack", nil, bearer(sl.token))
			d := []string{driver1, driver2}[i]
			h := c.must(200, "POST", "/api/v1/shipment/"+shipID+"/handover", map[string]string{"partner_id": driverID[d]}, bearer(sl.token))
			if str(h, "partner_id") != driverID[d] || str(h, "tracking_id") == "" {
				t.Fatalf("handover = %v, want partner %s and a tracking ID", h, driverID[d])
			}
			shipments = append(shipments, shipID)
		}
		eventually(t, "order shipped", orderStatus(oid, "shipped"))
		c.problem(409, "order_shipped", "PUT", "/api/v1/order/"+oid+"/cancel", map[string]string{"reason": "too late"}, bearer(customer))

		// Two partners deliver; illegal jumps are refused.
		for i, shipID := range shipments {
			d := []string{driver1, driver2}[i]
			other := []string{driver2, driver1}[i]
			if list := c.must(200, "GET", "/api/v1/delivery/shipment", nil, bearer(d)); len(items(list)) != 1 {
				t.Errorf("partner %d's list = %v, want its one shipment", i, list)
			}
			c.problem(409, "illegal_transition", "POST", "/api/v1/shipment/"+shipID+"/event", map[string]string{"status": "delivered"}, bearer(d))
			c.problem(404, "not_found", "POST", "/api/v1/shipment/"+shipID+"/event", map[string]string{"status": "picked_up"}, bearer(other))
			for _, st := range []string{"picked_up", "in_transit", "out_for_delivery", "delivered"} {
				c.must(200, "POST", "/api/v1/shipment/"+shipID+"/event", map[string]string{"status": st, "location": "Hub " + st}, bearer(d))
			}
			if i == 0 {
				eventually(t, "order partially delivered", orderStatus(oid, "partially_delivered"))
			}
		}
		eventually(t, "order delivered", orderStatus(oid, "delivered"))
		for _, shipID := range shipments {
			sh := c.must(200, "GET", "/api/v1/shipment/"+shipID, nil, bearer(customer))
			tl, _ := sh["timeline"].([]any)
			if str(sh, "status") != "delivered" || len(tl) < 5 {
				t.Errorf("shipment %s = %s with %d timeline events, want delivered with the whole timeline", shipID, str(sh, "status"), len(tl))
			}
			c.problem(404, "not_found", "GET", "/api/v1/shipment/"+shipID, nil, bearer(stranger))
		}

		// 2. A declined payment: the order stays payable, its stock reserved;
		// cancelling brings the stock back.
		o2 := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "J-0", "quantity": 3}}, "address_id": address["id"]}, bearer(customer))
		c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": o2["id"], "method": "tok_chargeDeclined"}, bearer(customer))
		eventually(t, "declined payment recorded", func() string {
			o := c.must(200, "GET", "/api/v1/order/"+str(o2, "id"), nil, bearer(customer))
			if str(o, "status") != "pending_payment" || str(o, "payments", "0", "status") != "failed" {
				return fmt.Sprintf("order %s with payments %v, want pending_payment and a failed payment", str(o, "status"), o["payments"])
			}
			return ""
		})
		if got := available("J-0"); got != "8/3" {
			t.Errorf("J-0 after a declined payment = %s, want 8/3 (still reserved)", got)
		}
		c.must(200, "PUT", "/api/v1/order/"+str(o2, "id")+"/cancel", map[string]string{"reason": "changed my mind"}, bearer(customer))
		if got := available("J-0"); got != "8/0" {
			t.Errorf("J-0 after cancelling the declined order = %s, want 8/0", got)
		}

		// 3. Paid, then cancelled: refunded and restocked.
		o3 := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "J-1", "quantity": 2}}, "address_id": address["id"]}, bearer(customer))
		c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": o3["id"], "method": "tok_visa"}, bearer(customer))
		eventually(t, "third order paid", orderStatus(str(o3, "id"), "paid"))
		c.must(200, "PUT", "/api/v1/order/"+str(o3, "id")+"/cancel", map[string]string{"reason": "found it cheaper"}, bearer(customer))
		eventually(t, "third order refunded", orderStatus(str(o3, "id"), "refunded"))
		o3final := c.must(200, "GET", "/api/v1/order/"+str(o3, "id"), nil, bearer(support))
		if str(o3final, "payments", "0", "status") != "refunded" {
			t.Errorf("third order's payment = %v, want refunded", o3final["payments"])
		}
		if got := available("J-1"); got != "9/0" {
			t.Errorf("J-1 after the refund = %s, want 9/0 (one sold and delivered, two restocked)", got)
		}
	})
}
