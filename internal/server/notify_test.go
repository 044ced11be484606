package server_test

import (
	"strings"
	"testing"
)

// TestNotifyJourney: an order bought, paid, shipped and delivered through
// the API fills the customer's inbox (newest first, with an unread count),
// tells the seller of its new order, and puts the mail in the outbox the
// admin reads, sent (logged: no SMTP server is configured), on both engines.
func TestNotifyJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		admin, cat, seller, _ := openShop(t, s, c, "Lamps", "Lamp Loft")
		driver, driverID := deliveryPartner(t, s, c)
		c.must(201, "POST", "/api/v1/product", map[string]any{"title": "Desk Lamp", "category_id": cat["id"], "status": "active",
			"variants": []map[string]any{{"sku": "LMP-1", "price": map[string]any{"amount": 4500, "currency": "USD"}}}}, bearer(seller))
		c.must(200, "PUT", "/api/v1/inventory/LMP-1", map[string]int{"on_hand": 50}, bearer(seller)) // above --low-stock: no stock news
		buyer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "nia@example.com", "password": "password-123", "name": "Nia", "role": "customer"}), "access_token")
		stranger := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "sol@example.com", "password": "password-123", "name": "Sol", "role": "customer"}), "access_token")

		// The customer keeps shipment news out of its mail (in-app only);
		// order mail is transactional and stays on.
		c.problem(400, "validation_failed", "PUT", "/api/v1/notification/preference",
			map[string]any{"items": []map[string]any{{"category": "order", "in_app": true, "email": false}}}, bearer(buyer))
		c.must(200, "PUT", "/api/v1/notification/preference",
			map[string]any{"items": []map[string]any{{"category": "shipment", "in_app": true, "email": false}}}, bearer(buyer))

		o := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "LMP-1", "quantity": 1}},
			"shipping_address": map[string]string{"name": "Nia", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}, bearer(buyer))
		oid := str(o, "id")
		c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": oid, "method": "tok_visa"}, bearer(buyer))
		var shipID string
		eventually(t, "shipment created", func() string {
			shipID = str(c.must(200, "GET", "/api/v1/order/"+oid, nil, bearer(seller)), "seller_orders", "0", "shipment", "id")
			if shipID == "" {
				return "no shipment yet"
			}
			return ""
		})
		c.must(200, "POST", "/api/v1/shipment/"+shipID+"/pack", nil, bearer(seller))
		c.must(200, "POST", "/api/v1/shipment/"+shipID+"/handover", map[string]string{"partner_id": driverID}, bearer(seller))
		for _, st := range []string{"picked_up", "in_transit", "out_for_delivery", "delivered"} {
			c.must(200, "POST", "/api/v1/shipment/"+shipID+"/event", map[string]string{"status": st}, bearer(driver))
		}

		want := "Order delivered|Delivered|Out for delivery|Shipped|Order confirmed|Order placed"
		var inbox map[string]any
		eventually(t, "the customer's inbox", func() string {
			inbox = c.must(200, "GET", "/api/v1/notification?limit=100", nil, bearer(buyer))
			var titles []string
			for _, n := range items(inbox) {
				titles = append(titles, str(n, "title"))
			}
			if got := strings.Join(titles, "|"); got != want {
				return got
			}
			return ""
		})
		if str(inbox, "unread") != "6" || str(items(inbox)[0], "link") != "/orders/"+oid {
			t.Errorf("inbox = %v, want 6 unread, links to /orders/%s", inbox, oid)
		}
		first := str(items(inbox)[0], "id")
		c.problem(404, "not_found", "PUT", "/api/v1/notification/"+first+"/read", nil, bearer(stranger))
		c.must(200, "PUT", "/api/v1/notification/"+first+"/read", nil, bearer(buyer))
		if got := str(c.must(200, "GET", "/api/v1/notification", nil, bearer(buyer)), "unread"); got != "5" {
			t.Errorf("unread after one read = %s, want 5", got)
		}
		if its := items(c.must(200, "GET", "/api/v1/notification", nil, bearer(stranger))); len(its) != 0 {
			t.Errorf("a stranger's inbox = %v, want empty", its)
		}
		eventually(t, "the seller's inbox", func() string {
			its := items(c.must(200, "GET", "/api/v1/notification", nil, bearer(seller)))
			if len(its) != 1 || str(its[0], "title") != "New order to fulfil" {
				return "seller inbox " + str(map[string]any{"items": its}, "items", "0", "title")
			}
			return ""
		})

		// The outbox: the order confirmation to the customer and the new
		// order to the seller, sent; no shipment mail (turned off). The
		// account's own mail (the customer's verification link) is left out.
		var mails []map[string]any
		eventually(t, "mail sent", func() string {
			mails = nil
			for _, m := range items(c.must(200, "GET", "/api/v1/admin/mail?status=sent", nil, bearer(admin))) {
				if str(m, "category") != "account" {
					mails = append(mails, m)
				}
			}
			if len(mails) != 2 {
				return "sent mails: " + str(map[string]any{"n": float64(len(mails))}, "n")
			}
			return ""
		})
		var confirm string
		for _, m := range mails {
			if str(m, "category") == "shipment" {
				t.Errorf("shipment mail %v sent though turned off", m)
			}
			if str(m, "to") == "nia@example.com" {
				confirm = str(m, "id")
			}
		}
		if confirm == "" {
			t.Fatalf("no mail to the customer in %v", mails)
		}
		c.problem(403, "forbidden", "GET", "/api/v1/admin/mail/"+confirm, nil, bearer(buyer))
		m := c.must(200, "GET", "/api/v1/admin/mail/"+confirm, nil, bearer(admin))
		for _, part := range []string{"text", "html"} {
			if body := str(m, part); !strings.Contains(body, "Order confirmed") || !strings.Contains(body, "/orders/"+oid) || !strings.Contains(body, "Nia") {
				t.Errorf("mail %s part = %q, want the confirmation with its link", part, body)
			}
		}
		if str(m, "unsubscribe") != "" || str(m, "attempts") != "1" || str(m, "sent_at") == "" {
			t.Errorf("confirmation mail = %v, want transactional (no unsubscribe), sent at the first attempt", m)
		}
	})
}
