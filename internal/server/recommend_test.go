package server_test

import (
	"fmt"
	"slices"
	"testing"
)

// TestRecommendJourney: two shoppers buy a tent and a stove together; a
// third is offered the stove with the tent ("Bought together with Trail
// Tent") once the paid orders' events are stored and tailed; a buyer is not
// offered what it bought; a guest's beacon view is accepted and its "for
// you" falls back to trending; unknown products are 404.
func TestRecommendJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		_, cat, seller, _ := openShop(t, s, c, "Camping", "Trail Co")
		newProduct := func(title, sku string, cents int) string {
			p := c.must(201, "POST", "/api/v1/product", map[string]any{"title": title, "brand": "Acme " + title, "category_id": cat["id"], "status": "active",
				"variants": []map[string]any{{"sku": sku, "price": map[string]any{"amount": cents, "currency": "USD"}}}}, bearer(seller))
			c.must(200, "PUT", "/api/v1/inventory/"+sku, map[string]int{"on_hand": 20}, bearer(seller))
			return str(p, "id")
		}
		tent, stove, mug := newProduct("Trail Tent", "TT-1", 19900), newProduct("Camp Stove", "CS-1", 4900), newProduct("Enamel Mug", "EM-1", 900)
		register := func(email string) string {
			return str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": email, "password": "password-123", "name": "Shopper", "role": "customer"}), "access_token")
		}
		var buyers []string
		for i := range 2 {
			buyer := register(fmt.Sprintf("buyer%d@example.com", i))
			buyers = append(buyers, buyer)
			o := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "TT-1", "quantity": 1}, {"sku": "CS-1", "quantity": 1}},
				"shipping_address": map[string]string{"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}, bearer(buyer))
			c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": str(o, "id"), "method": "tok_visa"}, bearer(buyer))
		}
		browser := register("browser@example.com")

		alsoBought := "/api/v1/product/" + tent + "/recommendation?kind=also_bought"
		eventually(t, "the stove bought with the tent", func() string {
			got := items(c.must(200, "GET", alsoBought, nil, bearer(browser)))
			if len(got) != 1 || str(got[0], "product_id") != stove {
				return fmt.Sprintf("also bought = %v", got)
			}
			if str(got[0], "reason", "code") != "bought_with" || str(got[0], "reason", "text") != "Bought together with Trail Tent" ||
				str(got[0], "reason", "product_id") != tent || str(got[0], "title") != "Camp Stove" || str(got[0], "price_min", "amount") != "4900" {
				return fmt.Sprintf("item = %v", got[0])
			}
			return ""
		})
		// The buyer is not offered the stove it bought.
		if got := items(c.must(200, "GET", alsoBought, nil, bearer(buyers[0]))); len(got) != 0 {
			t.Errorf("also bought for a buyer of both = %v, want none", got)
		}
		// The cart list for the tent offers the stove, not the tent.
		cart := items(c.must(200, "GET", "/api/v1/recommendation?kind=cart&product="+tent, nil, bearer(browser)))
		var cartIDs []string
		for _, it := range cart {
			cartIDs = append(cartIDs, str(it, "product_id"))
		}
		if len(cartIDs) == 0 || cartIDs[0] != stove || slices.Contains(cartIDs, tent) {
			t.Errorf("cart list for the tent = %v, want the stove first, never the tent", cartIDs)
		}

		// A guest's view is accepted; its "for you" holds trending products, not the mug it saw.
		c.must(202, "POST", "/api/v1/activity", map[string]string{"kind": "view", "product_id": mug, "session": "guest-session-0001"})
		c.problem(404, "product_not_found", "POST", "/api/v1/activity", map[string]string{"kind": "view", "product_id": "prd_missing", "session": "guest-session-0001"})
		eventually(t, "for you for the guest", func() string {
			got := items(c.must(200, "GET", "/api/v1/recommendation?kind=for_you&session=guest-session-0001", nil))
			if len(got) == 0 {
				return "no items"
			}
			for _, it := range got {
				if str(it, "product_id") == mug {
					return "the mug the guest viewed"
				}
			}
			return ""
		})
		c.problem(404, "product_not_found", "GET", "/api/v1/product/prd_missing/recommendation?kind=similar", nil)
		c.problem(400, "validation_failed", "GET", "/api/v1/recommendation?kind=sideways", nil)
	})
}
