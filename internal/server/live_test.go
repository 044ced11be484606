package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/bazaar-market/bazaar/internal/server"
)

// liveMsg is one live-update message.
type liveMsg struct {
	ID   string         `json:"id"`
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

func (m liveMsg) String() string {
	b, _ := json.Marshal(m.Data)
	return m.Type + " " + string(b)
}

// liveDial opens a live socket as a browser page of the site would.
func liveDial(t *testing.T, base, token, after string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/live"
	if after != "" {
		u += "?after=" + after
	}
	c, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: []string{"bazaar.live.v1", "bazaar.token." + token},
		HTTPHeader: http.Header{"Origin": {base}}})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// liveUntil reads c until a message satisfies ok and returns every message
// read, failing after 15 s.
func liveUntil(t *testing.T, c *websocket.Conn, what string, ok func(liveMsg) bool) []liveMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var seen []liveMsg
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v; read %v", what, err, seen)
		}
		var m liveMsg
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("message %s: %v", b, err)
		}
		seen = append(seen, m)
		if ok(m) {
			return seen
		}
	}
}

// TestLiveJourney: with sockets open, an order paid, handed over and
// delivered through the API reaches its customer's socket as it happens
// (order and parcel statuses, notifications), its seller's as a new order
// and parcel news, and nobody else's; a customer who reconnects with the
// last id gets what was missed. On both engines.
func TestLiveJourney(t *testing.T) {
	engines(t, func(t *testing.T, dbURL string) {
		s, base := boot(t, dbURL)
		c := client{t: t, base: base}
		_, cat, seller, _ := openShop(t, s, c, "Lamps", "Lamp Loft")
		driver, driverID := deliveryPartner(t, s, c)
		c.must(201, "POST", "/api/v1/product", map[string]any{"title": "Desk Lamp", "category_id": cat["id"], "status": "active",
			"variants": []map[string]any{{"sku": "LMP-1", "price": map[string]any{"amount": 4500, "currency": "USD"}}}}, bearer(seller))
		c.must(200, "PUT", "/api/v1/inventory/LMP-1", map[string]int{"on_hand": 5}, bearer(seller))
		buyer := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "nia@example.com", "password": "password-123", "name": "Nia", "role": "customer"}), "access_token")
		stranger := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "sol@example.com", "password": "password-123", "name": "Sol", "role": "customer"}), "access_token")

		buyerWS, sellerWS, strangerWS := liveDial(t, base, buyer, ""), liveDial(t, base, seller, ""), liveDial(t, base, stranger, "")
		for _, ws := range []*websocket.Conn{buyerWS, sellerWS, strangerWS} {
			liveUntil(t, ws, "hello", func(m liveMsg) bool { return m.Type == "hello" })
		}

		if m := string(c.do("GET", "/metrics", nil).body); !strings.Contains(m, "bazaar_live_sockets 3\n") {
			t.Errorf("/metrics does not count 3 live sockets")
		}

		o := c.must(201, "POST", "/api/v1/order", map[string]any{"lines": []map[string]any{{"sku": "LMP-1", "quantity": 2}},
			"shipping_address": map[string]string{"name": "Nia", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}}, bearer(buyer))
		oid := str(o, "id")
		c.must(201, "POST", "/api/v1/payment", map[string]any{"order_id": oid, "method": "tok_visa"}, bearer(buyer))

		liveUntil(t, buyerWS, "the order paid", func(m liveMsg) bool {
			return m.Type == "order" && m.Data["order_id"] == oid && m.Data["status"] == "paid"
		})
		newOrder := liveUntil(t, sellerWS, "the seller's new order", func(m liveMsg) bool {
			return m.Type == "seller_order" && m.Data["new"] == true
		})
		if last := newOrder[len(newOrder)-1]; last.Data["order_id"] != oid || last.Data["items"] != float64(2) {
			t.Errorf("the seller's new order = %v, want %s with 2 items", last, oid)
		}
		liveUntil(t, buyerWS, "the confirmation notification", func(m liveMsg) bool {
			return m.Type == "notification" && m.Data["title"] == "Order confirmed" && m.Data["link"] == "/orders/"+oid
		})

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
		handed := liveUntil(t, buyerWS, "the handover", func(m liveMsg) bool {
			return m.Type == "shipment" && m.Data["shipment_id"] == shipID && m.Data["status"] == "handed_over"
		})
		last := handed[len(handed)-1].ID

		// The customer's page goes away; the parcel is delivered meanwhile.
		buyerWS.Close(websocket.StatusNormalClosure, "")
		for _, st := range []string{"picked_up", "in_transit", "out_for_delivery", "delivered"} {
			c.must(200, "POST", "/api/v1/shipment/"+shipID+"/event", map[string]string{"status": st}, bearer(driver))
		}
		liveUntil(t, sellerWS, "the seller's parcel delivered", func(m liveMsg) bool {
			return m.Type == "seller_order" && m.Data["status"] == "delivered" && m.Data["shipment_id"] == shipID
		})
		eventually(t, "the order delivered", func() string {
			if st := str(c.must(200, "GET", "/api/v1/order/"+oid, nil, bearer(buyer)), "status"); st != "delivered" {
				return st
			}
			return ""
		})
		// Back with the last id: what was missed is replayed, in order.
		again := liveDial(t, base, buyer, last)
		missed := liveUntil(t, again, "the order delivered, replayed", func(m liveMsg) bool {
			return m.Type == "order" && m.Data["status"] == "delivered"
		})
		var statuses []string
		for _, m := range missed {
			if m.Type == "shipment" {
				statuses = append(statuses, fmt.Sprint(m.Data["status"]))
			}
			if m.Type == "reset" || m.Type == "hello" {
				t.Errorf("replay holds %v before the missed messages", m)
			}
		}
		if got := strings.Join(statuses, ","); got != "picked_up,in_transit,out_for_delivery,delivered" {
			t.Errorf("replayed parcel statuses = %s, want picked_up,in_transit,out_for_delivery,delivered", got)
		}

		// The stranger heard nothing of it.
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if _, b, err := strangerWS.Read(ctx); err == nil {
			t.Errorf("a stranger received %s", b)
		}
	})
}

// TestLiveShutdown: a server that stops tells its live sockets it is going
// away (1001) rather than leaving them to time out, and the socket from
// another site's page or without a token is refused before the upgrade.
func TestLiveShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := server.New(ctx, server.Config{DataDir: t.TempDir(), EventsURL: testEventsURL(t)}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	base := "http://" + l.Addr().String()
	c := client{t: t, base: base}
	tok := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "live@example.com", "password": "password-123", "name": "L", "role": "customer"}), "access_token")

	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/api/v1/live"
	for _, h := range []http.Header{{"Origin": {"https://evil.example.net"}}, {}} {
		protos := []string{"bazaar.live.v1", "bazaar.token." + tok}
		if len(h) == 0 {
			protos = protos[:1] // no token
		}
		dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, resp, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{Subprotocols: protos, HTTPHeader: h})
		dcancel()
		if err == nil || resp == nil || (resp.StatusCode != 403 && resp.StatusCode != 401) {
			t.Errorf("dial with %v, protocols %d: %v, want 403 or 401", h, len(protos), err)
		}
	}

	ws := liveDial(t, base, tok, "")
	liveUntil(t, ws, "hello", func(m liveMsg) bool { return m.Type == "hello" })
	cancel()
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	for {
		if _, _, err := ws.Read(rctx); err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusGoingAway {
				t.Errorf("the socket ended with %v (code %d), want 1001 going away", err, code)
			}
			break
		}
	}
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
