package server_test

import (
	"context"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bazaar-market/bazaar/internal/notify/notifytest"
	"github.com/bazaar-market/bazaar/internal/server"
)

// TestMailJourney is issue 13's mail journey: with mailpit as the SMTP
// server, an order bought, paid, handed over and delivered through the API
// delivers real mail, read back through mailpit's API: the customer's
// "Order confirmed", "Shipped", "Out for delivery" and "Delivered", the
// seller's "New order to fulfil" and "Low stock", each with a text and an
// HTML part, each link absolute under the public URL and answering 200,
// List-Unsubscribe on non-transactional mail only, pointing at the
// preferences page. Skipped without mailpit, failed without it in CI.
func TestMailJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		mp := notifytest.StartMailpit(t)
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		public := "http://" + l.Addr().String()
		s, base := bootOn(t, server.Config{DataDir: t.TempDir(), DatabaseURL: dbURL, SMTPURL: mp.SMTPURL(),
			MailFrom: "Bazaar <no-reply@bazaar.test>", PublicURL: public + "/"}, l)
		c := client{t: t, base: base}
		// The seller confirms its address from the mail mailpit received
		// (the outbox shows account mail's tokens redacted once SMTP sends it).
		c.mail = func(address, subject string) string {
			var text string
			eventually(t, "mail "+subject+" to "+address, func() string {
				for _, m := range mp.Messages(t) {
					if m.Subject == subject && len(m.To) == 1 && m.To[0].Address == address {
						text = mp.Parts(t, m.ID).Text
						return ""
					}
				}
				return "not yet"
			})
			return text
		}
		_, cat, seller, _ := openShop(t, s, c, "Lamps", "Lamp Loft")
		driver := newDriver(t, s, c)
		nia := "nia@example.com"
		sam := "seller@example.com"
		c.must(201, "POST", "/api/v1/product", map[string]any{"title": "Desk Lamp", "category_id": cat["id"], "status": "active",
			"variants": []map[string]any{{"sku": "LMP-1", "price": map[string]any{"amount": 4500, "currency": "USD"}}}}, bearer(seller))
		c.must(200, "PUT", "/api/v1/inventory/LMP-1", map[string]int{"on_hand": 6}, bearer(seller))
		buyer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": nia, "password": "password-123", "name": "Nia", "role": "customer"}), "access_token")
		o := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "LMP-1", "quantity": 1}},
			"shipping_address": map[string]string{"name": "Nia", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}, bearer(buyer))
		oid := str(o, "id")
		c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": oid, "method": "tok_visa"}, bearer(buyer))
		deliver(t, c, oid, seller, driver)

		// Both registered, so each was also sent the link to confirm the
		// address (the account's own mail, transactional).
		const confirm = "Confirm your e-mail address"
		want := map[string][]string{
			nia: {confirm, "Delivered", "Order confirmed", "Out for delivery", "Shipped"},
			sam: {confirm, "Low stock", "New order to fulfil"},
		}
		var got map[string][]notifytest.Message
		eventually(t, "mail in mailpit", func() string {
			got = map[string][]notifytest.Message{}
			subjects := map[string][]string{}
			for _, m := range mp.Messages(t) {
				for _, to := range m.To {
					if _, ok := want[to.Address]; ok {
						got[to.Address] = append(got[to.Address], m)
						subjects[to.Address] = append(subjects[to.Address], m.Subject)
					}
				}
			}
			for to, w := range want {
				slices.Sort(subjects[to])
				if !slices.Equal(subjects[to], w) {
					return to + " got " + strings.Join(subjects[to], ", ") + "; want " + strings.Join(w, ", ")
				}
			}
			return ""
		})

		link := regexp.MustCompile(`https?://[^\s"<>]+`)
		checked := map[string]bool{}
		for to, ms := range got {
			for _, m := range ms {
				if m.From.Address != "no-reply@bazaar.test" {
					t.Errorf("%q to %s is from %q, want no-reply@bazaar.test", m.Subject, to, m.From.Address)
				}
				parts := mp.Parts(t, m.ID)
				if !strings.Contains(parts.Text, m.Subject) || !strings.Contains(parts.HTML, m.Subject) {
					t.Errorf("%q to %s: text %q / HTML %q, want both parts with the subject", m.Subject, to, parts.Text, parts.HTML)
				}
				if to == nia && m.Subject != confirm && !strings.Contains(parts.Text, public+"/orders/"+oid) {
					t.Errorf("%q to the customer does not link to %s/orders/%s:\n%s", m.Subject, public, oid, parts.Text)
				}
				urls := append(link.FindAllString(parts.Text, -1), link.FindAllString(parts.HTML, -1)...)
				if len(urls) == 0 {
					t.Errorf("%q to %s has no link", m.Subject, to)
				}
				for _, u := range urls {
					if !strings.HasPrefix(u, public+"/") {
						t.Errorf("%q to %s links to %s, want an absolute link under %s", m.Subject, to, u, public)
						continue
					}
					if !checked[u] {
						checked[u] = true
						if code := getStatus(t, u); code != http.StatusOK {
							t.Errorf("%q to %s: GET %s = %d, want 200", m.Subject, to, u, code)
						}
					}
				}
				unsub := mp.Headers(t, m.ID)["List-Unsubscribe"]
				transactional := m.Subject == "Order confirmed" || m.Subject == confirm
				switch {
				case transactional && len(unsub) != 0:
					t.Errorf("transactional %q carries List-Unsubscribe %v", m.Subject, unsub)
				case !transactional && (len(unsub) != 1 || unsub[0] != "<"+public+"/account/notifications>"):
					t.Errorf("%q to %s: List-Unsubscribe %v, want <%s/account/notifications>", m.Subject, to, unsub, public)
				}
			}
		}
		if !checked[public+"/account/notifications"] {
			t.Errorf("no mail linked to the preferences page; links checked: %v", checked)
		}
	})
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// newDriver makes a delivery partner and returns its access token.
func newDriver(t *testing.T, s *server.Server, c client) string {
	t.Helper()
	if _, err := s.CreateUser(context.Background(), "driver@example.com", "password-123", "Dee", "delivery"); err != nil {
		t.Fatal(err)
	}
	return str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "driver@example.com", "password": "password-123"}), "access_token")
}

// deliver packs and hands over the (single-seller) paid order oid, and
// the driver delivers it.
func deliver(t *testing.T, c client, oid, seller, driver string) {
	t.Helper()
	me := c.must(200, "GET", "/api/v1/me", nil, bearer(driver))
	driverID := str(me, "id") + str(me, "user", "id")
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
}
