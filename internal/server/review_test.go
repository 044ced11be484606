package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestReviewJourney: a customer reviews a product once it was delivered to
// them (not before, and not twice); the product's summary and its rating in
// search follow; a moderator hides the review and both drop it again.
func TestReviewJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		admin, cat, seller, _ := openShop(t, s, c, "Teapots", "Tea Corner")
		driver, driverID := deliveryPartner(t, s, c)
		product := c.must(201, "POST", "/api/v1/product", map[string]any{"title": "Cast Iron Teapot", "brand": "Kettleworth", "category_id": cat["id"], "status": "active",
			"variants": []map[string]any{{"sku": "TP-1", "price": map[string]any{"amount": 3900, "currency": "USD"}}}}, bearer(seller))
		pid := str(product, "id")
		c.must(200, "PUT", "/api/v1/inventory/TP-1", map[string]int{"on_hand": 5}, bearer(seller))
		register := func(email, name string) string {
			return str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password-123", "name": name, "role": "customer"}), "access_token")
		}
		buyer, stranger := register("ada@example.com", "Ada Lovelace"), register("bob@example.com", "Bob Stone")
		reviews := "/api/v1/product/" + pid + "/review"
		good := map[string]any{"rating": 4, "title": "Keeps tea hot", "body": "Heavy, but pours well."}

		// Before delivery nobody may review it.
		c.problem(401, "unauthenticated", "POST", reviews, good)
		o := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "TP-1", "quantity": 1}},
			"shipping_address": map[string]string{"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}, bearer(buyer))
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
		c.problem(403, "not_purchased", "POST", reviews, good, bearer(buyer)) // paid, not delivered
		c.must(200, "POST", "/api/v1/shipment/"+shipID+"/pack", nil, bearer(seller))
		c.must(200, "POST", "/api/v1/shipment/"+shipID+"/handover", map[string]string{"partner_id": driverID}, bearer(seller))
		for _, st := range []string{"picked_up", "in_transit", "out_for_delivery", "delivered"} {
			c.must(200, "POST", "/api/v1/shipment/"+shipID+"/event", map[string]string{"status": st}, bearer(driver))
		}
		eventually(t, "order delivered", func() string {
			if st := str(c.must(200, "GET", "/api/v1/order/"+oid, nil, bearer(buyer)), "status"); st != "delivered" {
				return "order " + st
			}
			return ""
		})

		// Delivered: the buyer reviews, once; others still may not.
		c.problem(403, "not_purchased", "POST", reviews, good, bearer(stranger))
		c.problem(400, "validation_failed", "POST", reviews, map[string]any{"rating": 0}, bearer(buyer))
		rv := c.must(201, "POST", reviews, good, bearer(buyer))
		rid := str(rv, "id")
		if str(rv, "author") != "Ada L." || str(rv, "verified_purchase") != "true" || rv["customer_id"] != nil {
			t.Errorf("review = %v, want author Ada L., a verified purchase, no customer ID", rv)
		}
		c.problem(409, "already_reviewed", "POST", reviews, good, bearer(buyer))
		page := c.must(200, "GET", reviews, nil)
		if str(page, "summary", "count") != "1" || str(page, "summary", "average") != "4" || len(items(page)) != 1 {
			t.Errorf("reviews page = %v, want one review, average 4", page)
		}

		// Search follows through review.rated.v1.
		rating := func(want string) func() string {
			return func() string {
				hits := items(c.must(200, "GET", "/api/v1/search?q=teapot", nil))
				if len(hits) != 1 {
					return fmt.Sprintf("%d hits", len(hits))
				}
				if got := str(hits[0], "rating") + "/" + str(hits[0], "rating_count"); got != want {
					return "rating/count " + got + ", want " + want
				}
				return ""
			}
		}
		eventually(t, "search shows the rating", rating("4/1"))
		c.must(200, "PUT", "/api/v1/review/"+rid, map[string]any{"rating": 5}, bearer(buyer))
		eventually(t, "search shows the edited rating", rating("5/1"))

		// Moderation hides it from everyone but its author and staff.
		c.problem(403, "forbidden", "PUT", "/api/v1/review/"+rid+"/moderate", map[string]string{"status": "hidden"}, bearer(stranger))
		c.must(200, "PUT", "/api/v1/review/"+rid+"/moderate", map[string]string{"status": "hidden", "reason": "mentions a competitor"}, bearer(admin))
		eventually(t, "search drops the hidden review", rating("0/0"))
		c.problem(403, "forbidden", "GET", "/api/v1/review?status=hidden", nil, bearer(stranger))
		queue := items(c.must(200, "GET", "/api/v1/review?status=hidden", nil, bearer(admin)))
		if len(queue) != 1 || str(queue[0], "id") != rid || str(queue[0], "product_title") != "Cast Iron Teapot" {
			t.Errorf("the hidden reviews = %v, want this one with its product's title", queue)
		}
		c.problem(404, "not_found", "GET", "/api/v1/review/"+rid, nil, bearer(stranger))
		if mine := c.must(200, "GET", reviews+"/mine", nil, bearer(buyer)); str(mine, "status") != "hidden" || str(mine, "moderation_note") != "mentions a competitor" {
			t.Errorf("the author's view = %v, want hidden with the moderator's note", mine)
		}
		if page := c.must(200, "GET", reviews, nil); len(items(page)) != 0 || str(page, "summary", "count") != "0" {
			t.Errorf("reviews after hiding = %v, want none", page)
		}
		// The author is told, with the reason, by review.hidden.v1.
		eventually(t, "the author told of the hidden review", func() string {
			for _, n := range items(c.must(200, "GET", "/api/v1/notification?limit=50", nil, bearer(buyer))) {
				if str(n, "title") == "Review hidden" {
					if body := str(n, "body"); !strings.Contains(body, "mentions a competitor") || str(n, "link") != "/p/"+pid {
						return "notification " + body + " " + str(n, "link")
					}
					return ""
				}
			}
			return "no Review hidden notification"
		})
		c.problem(404, "not_found", "DELETE", "/api/v1/review/"+rid, nil, bearer(stranger))
		c.must(204, "DELETE", "/api/v1/review/"+rid, nil, bearer(buyer))
		c.problem(404, "not_found", "GET", reviews+"/mine", nil, bearer(buyer))
		c.problem(404, "not_found", "GET", "/api/v1/product/prd_missing/review", nil)
	})
}
