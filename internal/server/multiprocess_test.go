package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/bazaar-market/bazaar/internal/event/eventbrokertest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// testEventsURL returns BAZAAR_TEST_EVENTS_URL with a namespace of its
// own, or "" (in process) when it is unset.
func testEventsURL(t testing.TB) string { return eventbrokertest.URL(t) }

// testNATS returns the NATS server tests relay events through, with a
// namespace of their own (a stream and subjects no other test uses). It
// skips the test, or fails it under CI, when none is configured.
func testNATS(t *testing.T) string {
	t.Helper()
	url := os.Getenv("BAZAAR_TEST_NATS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("BAZAAR_TEST_NATS_URL is not set (CI=true: a test that needs NATS fails instead of skipping)")
		}
		t.Skip("BAZAAR_TEST_NATS_URL is not set: no NATS server to relay events through")
	}
	return eventbrokertest.Namespace(t, url)
}

// TestTwoProcessesOneDatabase runs two `bazaar serve` processes on one
// PostgreSQL database with events on NATS. Customers place orders through
// one process and pay through the other; some never pay and their orders
// expire. Afterwards: nothing is oversold, every event was applied exactly
// once per consumer (shared consumers once in all, each search replica once
// for itself), every singleton job ran in one process at a time and moved
// to the other when its process was killed, and checkouts go on through
// the survivor.
func TestTwoProcessesOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two bazaar processes")
	}
	events := testNATS(t)
	dbURL := sqldbtest.PostgresURL(t)
	bin := filepath.Join(t.TempDir(), "bazaar")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/bazaar")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	procs := make([]*proc, 2)
	// Processes of one marketplace sign access tokens with one key: with
	// no BAZAAR_JWT_KEY, the one the first process stored in the database
	// (a token issued by one process is accepted by the other below).
	for i := range procs {
		env := append(os.Environ(), "BAZAAR_DATA_DIR="+t.TempDir(), "BAZAAR_DATABASE_URL="+dbURL, "BAZAAR_EVENTS_URL="+events,
			"BAZAAR_RESERVATION_TTL=3s", "BAZAAR_JWT_KEY=",
			// 120 shoppers sign up from one address: a load test, not a
			// test of the edge's limits (the binary's defaults allow 20 an hour).
			"BAZAAR_RATE_LIMIT=false")
		procs[i] = &proc{t: t, bin: bin, env: env, addr: freeAddr(t)}
		procs[i].start()
	}
	defer func() {
		for _, p := range procs {
			if p.cmd.ProcessState == nil {
				p.stop()
			}
		}
	}()
	a := client{t: t, base: "http://" + procs[0].addr}

	seller := str(a.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "mp-seller@example.com", "password": "seller-password-1", "name": "S", "role": "seller"}), "access_token")
	a.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Twin Store"}, bearer(seller))
	// The seller watches live on both processes: each process consumes
	// every event for the sockets it holds.
	var sellerLive []*websocket.Conn
	for _, p := range procs {
		ws := liveDial(t, "http://"+p.addr, seller, "")
		liveUntil(t, ws, "hello", func(m liveMsg) bool { return m.Type == "hello" })
		sellerLive = append(sellerLive, ws)
	}
	cmd := exec.Command(bin, "user", "create", "--email", "mp-admin@example.com", "--role", "admin", "--password-stdin")
	cmd.Env, cmd.Stdin = procs[0].env, strings.NewReader("admin-password-1\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	admin := str(a.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "mp-admin@example.com", "password": "admin-password-1"}), "access_token")
	verifyByMail(a, admin, "mp-seller@example.com")
	cat := a.must(201, "POST", "/api/v1/category", map[string]any{"name": "Twins"}, bearer(admin))
	product := a.must(201, "POST", "/api/v1/product", map[string]any{
		"title": "Twin Lantern", "brand": "Acme", "category_id": cat["id"], "status": "active",
		"variants": []map[string]any{
			{"sku": "MP-A", "options": map[string]string{"v": "a"}, "price": map[string]any{"amount": 1000, "currency": "USD"}},
			{"sku": "MP-B", "options": map[string]string{"v": "b"}, "price": map[string]any{"amount": 2500, "currency": "USD"}},
		},
	}, bearer(seller))
	const stockA, stockB = 200, 30
	a.must(200, "PUT", "/api/v1/inventory/MP-A", map[string]int{"on_hand": stockA}, bearer(seller))
	a.must(200, "PUT", "/api/v1/inventory/MP-B", map[string]int{"on_hand": stockB}, bearer(seller))

	const buyers = 120
	tokens := make([]string, buyers)
	for i := range tokens {
		tokens[i] = str(a.must(201, "POST", "/api/v1/auth/register", map[string]string{
			"email": fmt.Sprintf("twin%03d@example.com", i), "password": "buyer-password-1", "name": "B", "role": "customer"}), "access_token")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	checkout := func(i int, place, pay *proc) {
		lines := []map[string]any{{"sku": "MP-A", "quantity": 1 + i%2}}
		if i%3 == 0 {
			lines = append(lines, map[string]any{"sku": "MP-B", "quantity": 1})
		}
		status, ord, err := retrying(ctx, "http://"+place.addr, "POST", "/api/v1/order", fmt.Sprintf("mp-place-%d", i), tokens[i], map[string]any{
			"lines":            lines,
			"shipping_address": map[string]string{"name": "B", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
		})
		if err != nil || status != 201 || i%7 == 0 {
			return // sold out, or a buyer who never pays (the order expires)
		}
		status, body, err := retrying(ctx, "http://"+pay.addr, "POST", "/api/v1/payment", fmt.Sprintf("mp-pay-%d", i), tokens[i],
			map[string]any{"order_id": str(ord, "id"), "method": "tok_visa"})
		if err == nil && status != 201 && status != 200 {
			t.Errorf("pay for order %s = %d %v", str(ord, "id"), status, body)
		}
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				checkout(i, procs[i%2], procs[(i+1)%2])
			}
		})
	}
	for i := range buyers - 20 {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, ws := range sellerLive {
		liveUntil(t, ws, fmt.Sprintf("a new order on process %d's socket", i), func(m liveMsg) bool {
			return m.Type == "seller_order" && m.Data["new"] == true
		})
		ws.CloseNow()
	}

	db, err := sqldb.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := db.Read()
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := q.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	holder := func(job string) string {
		var h string
		_ = q.QueryRow(`SELECT holder FROM job_lease WHERE name = $1`, job).Scan(&h)
		return h
	}
	// Every singleton job runs in exactly one of the two processes.
	holders := map[string]bool{}
	for _, job := range []string{"event.relay", "inventory.sweeper", "order.expirer", "payment.reconciler", "testgateway.deliver"} {
		h := holder(job)
		if h == "" {
			t.Errorf("job %s runs nowhere", job)
		}
		holders[h] = true
	}
	t.Logf("job holders: %v", holders)

	// Kill the process that relays events; the other takes the relay (and
	// its other jobs) over and the last customers check out through it.
	relay := holder("event.relay")
	var victim, survivor *proc
	for i, p := range procs {
		if strings.HasSuffix(relay, p.leaseSuffix()) {
			victim, survivor = p, procs[1-i]
		}
	}
	if victim == nil {
		t.Fatalf("the relay's holder %q is neither process", relay)
	}
	victim.kill()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel2()
	ctx = ctx2
	for i := buyers - 20; i < buyers; i++ {
		checkout(i, survivor, survivor)
	}
	waitUntil(t, time.Minute, "the survivor to take the relay", func() bool {
		h := holder("event.relay")
		return h != "" && h != relay
	})
	// Everything settles: no order awaits payment (paid, or expired by the
	// expirer), the outbox is relayed, no consumer has an event waiting.
	state := func() string {
		return fmt.Sprintf("pending orders %d, unrelayed events %d, retrying %d, reserved units %d",
			count(`SELECT COUNT(*) FROM order_orders WHERE status = 'pending_payment'`),
			count(`SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL`),
			count(`SELECT COUNT(*) FROM event_retry`),
			count(`SELECT COALESCE(SUM(reserved), 0) FROM inventory_stock`))
	}
	const settled = "pending orders 0, unrelayed events 0, retrying 0, reserved units 0"
	deadline := time.Now().Add(90 * time.Second)
	for st := state(); st != settled; st = state() {
		if time.Now().After(deadline) {
			t.Fatalf("not settled after 90s: %s", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The customers who came after the kill were served by the survivor.
	late := count(`SELECT COUNT(*) FROM order_orders o JOIN account_users u ON u.id = o.customer_id
		WHERE u.email >= 'twin100' AND o.status NOT IN ('pending_payment', 'cancelled')`)
	if late == 0 {
		t.Errorf("no order placed after the kill was paid")
	}
	// Never oversold: on hand went down by exactly what paid orders bought.
	sold := count(`SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_orders o ON o.id = l.order_id WHERE o.status NOT IN ('pending_payment', 'cancelled')`)
	onHand := count(`SELECT COALESCE(SUM(on_hand), 0) FROM inventory_stock`)
	if onHand < 0 || onHand != stockA+stockB-sold {
		t.Errorf("on hand %d after %d units sold of %d: want %d", onHand, sold, stockA+stockB, stockA+stockB-sold)
	}
	paid := count(`SELECT COUNT(*) FROM order_orders WHERE status NOT IN ('pending_payment', 'cancelled')`)
	expired := count(`SELECT COUNT(*) FROM order_orders WHERE status = 'cancelled'`)
	if paid == 0 || expired == 0 {
		t.Errorf("%d paid and %d expired orders: the test needs both", paid, expired)
	}
	// Shared consumers applied each event once: one shipment per paid
	// seller order, sales counted once into search's signals.
	if n := count(`SELECT COUNT(*) FROM shipment_shipment`); n != paid {
		t.Errorf("%d shipments for %d paid (single-seller) orders", n, paid)
	}
	if n := count(`SELECT COALESCE(SUM(sales), 0) FROM search_signals WHERE product_id = $1`, str(product, "id")); n != sold {
		t.Errorf("search counted %d sales, %d units were sold", n, sold)
	}
	if n := count(`SELECT COUNT(*) FROM event_applied WHERE consumer = 'shipment'`); n != count(`SELECT COUNT(*) FROM event_outbox WHERE topic IN ('order.paid.v1', 'order.cancelled.v1')`) {
		t.Errorf("shipment applied %d events, %d order.paid/cancelled were published", n, count(`SELECT COUNT(*) FROM event_outbox WHERE topic IN ('order.paid.v1', 'order.cancelled.v1')`))
	}
	// Each search replica applies every event for itself: the killed one
	// catches up from its durable consumer when it comes back.
	victim.start()
	replicaTopics := func() int {
		return count(`SELECT COUNT(*) FROM event_outbox WHERE topic IN ('catalog.product.created.v1', 'catalog.product.updated.v1',
			'catalog.product.archived.v1', 'inventory.stock.changed.v1', 'search.signals_changed.v1')`)
	}
	applied := func() map[string]int {
		rows, err := q.Query(`SELECT consumer, COUNT(*) FROM event_applied WHERE consumer LIKE 'search@%' GROUP BY consumer`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int{}
		for rows.Next() {
			var consumer string
			var n int
			if err := rows.Scan(&consumer, &n); err != nil {
				t.Fatal(err)
			}
			m[consumer] = n
		}
		return m
	}
	waitUntil(t, 90*time.Second, "both search replicas to apply every event", func() bool {
		m, want := applied(), replicaTopics()
		if len(m) != 2 || count(`SELECT COUNT(*) FROM search_pending`) != 0 {
			return false
		}
		for _, n := range m {
			if n != want {
				return false
			}
		}
		return true
	})
	available := stockA + stockB - sold
	for _, p := range procs {
		c := client{t: t, base: "http://" + p.addr}
		waitUntil(t, 30*time.Second, "each replica's index to show the stock", func() bool {
			want := "out_of_stock"
			if available > 0 {
				want = "in_stock"
			}
			hits, _ := c.must(200, "GET", "/api/v1/search?q=lantern", nil)["items"].([]any)
			return len(hits) == 1 && hits[0].(map[string]any)["availability"] == want
		})
	}
	t.Logf("%d paid, %d expired, %d units sold; jobs moved from %s to %s", paid, expired, sold, relay, holder("event.relay"))
}

// leaseSuffix is the data-dir part of the process's lease name.
func (p *proc) leaseSuffix() string {
	for _, kv := range p.env {
		if dir, ok := strings.CutPrefix(kv, "BAZAAR_DATA_DIR="); ok {
			return leaseHash(dir)
		}
	}
	return "?"
}

// leaseHash is the data-dir part of a process's lease name (see the
// server's processName).
func leaseHash(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(abs))
	return hex.EncodeToString(sum[:6])
}

func waitUntil(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
