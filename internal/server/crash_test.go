package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

// TestCrashDuringCheckout runs the real bazaar binary, drives a few hundred
// checkouts (place + pay, each with an Idempotency-Key and retried through
// outages) against it, and kills the process with SIGKILL at random points,
// restarting it each time. Afterwards: no order is lost or duplicated, no
// payment lacks its order, no stock is leaked, and every outbox event has been
// delivered.
func TestCrashDuringCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the bazaar binary")
	}
	bin := filepath.Join(t.TempDir(), "bazaar")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/bazaar")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	engines(t, func(t *testing.T, dbURL string) { crashRun(t, bin, dbURL) })
}

type proc struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	cmd  *exec.Cmd
	log  *syncBuffer
	// logs holds every run's log, shown when the test fails.
	logs []*syncBuffer
}

// syncBuffer is a process's output: written by exec's copying goroutine
// while the test may read it (a failing test logs it before the process
// is gone).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (p *proc) start() {
	p.t.Helper()
	p.log = &syncBuffer{}
	p.logs = append(p.logs, p.log)
	p.cmd = exec.Command(p.bin, "serve", "--addr", p.addr, "--log-level", crashLogLevel)
	p.cmd.Env = p.env
	p.cmd.SysProcAttr = childAttr()
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + p.addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("server did not become ready:\n%s", p.log)
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// retrying sends a request until the server answers (it may be down for a
// restart), with the same Idempotency-Key every time.
func retrying(ctx context.Context, base, method, path, key, token string, body any) (int, map[string]any, error) {
	b, _ := json.Marshal(body)
	for {
		req, _ := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			raw, rerr := io.ReadAll(res.Body)
			res.Body.Close()
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			// 409 idempotency_key_in_use: the first attempt died with the
			// process and its key is still locked; 5xx: retry.
			if rerr == nil && res.StatusCode < 500 && !(res.StatusCode == 409 && m["code"] == "idempotency_key_in_use") {
				return res.StatusCode, m, nil
			}
		}
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func crashRun(t *testing.T, bin, dbURL string) {
	dataDir := t.TempDir()
	env := append(os.Environ(), "BAZAAR_DATA_DIR="+dataDir, "BAZAAR_DATABASE_URL="+dbURL,
		// A short key lock lets a retry reclaim a key whose first attempt was killed.
		"BAZAAR_IDEMPOTENCY_LOCK=2s",
		// Dozens of shoppers sign up from one address: a load test, not a
		// test of the edge's limits (the binary's defaults allow 20 an hour).
		"BAZAAR_RATE_LIMIT=false")
	events := testEventsURL(t)
	if events != "" {
		env = append(env, "BAZAAR_EVENTS_URL="+events)
	}
	p := &proc{t: t, bin: bin, env: env, addr: freeAddr(t)}
	base := "http://" + p.addr
	t.Cleanup(func() {
		if t.Failed() {
			for i, l := range p.logs {
				t.Logf("server run %d:\n%s", i+1, l)
			}
		}
	})
	p.start()
	c := client{t: t, base: base}

	// One seller, two SKUs with limited stock; customers each buy 1-2 units.
	seller := str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{"email": "crash-seller@example.com", "password": "seller-password-1", "name": "S", "role": "seller"}), "access_token")
	c.must(201, "POST", "/api/v1/seller", map[string]string{"name": "Crash Store"}, bearer(seller))
	// The category needs an admin.
	cmd := exec.Command(bin, "user", "create", "--email", "crash-admin@example.com", "--role", "admin", "--password-stdin")
	cmd.Env, cmd.Stdin = env, strings.NewReader("admin-password-1\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	admin := str(c.must(200, "POST", "/api/v1/auth/login", map[string]string{"email": "crash-admin@example.com", "password": "admin-password-1"}), "access_token")
	verifyByMail(c, admin, "crash-seller@example.com")
	cat := c.must(201, "POST", "/api/v1/category", map[string]any{"name": "Crash"}, bearer(admin))
	c.must(201, "POST", "/api/v1/product", map[string]any{
		"title": "Crash Widget", "brand": "Acme", "category_id": cat["id"], "status": "active",
		"variants": []map[string]any{
			{"sku": "CR-A", "options": map[string]string{"v": "a"}, "price": map[string]any{"amount": 1000, "currency": "USD"}},
			{"sku": "CR-B", "options": map[string]string{"v": "b"}, "price": map[string]any{"amount": 2500, "currency": "USD"}},
		},
	}, bearer(seller))
	const stockA, stockB = 300, 200
	c.must(200, "PUT", "/api/v1/inventory/CR-A", map[string]int{"on_hand": stockA}, bearer(seller))
	c.must(200, "PUT", "/api/v1/inventory/CR-B", map[string]int{"on_hand": stockB}, bearer(seller))

	const buyers = 300
	tokens := make([]string, buyers)
	for i := range tokens {
		tokens[i] = str(c.must(201, "POST", "/api/v1/auth/register", map[string]string{
			"email": fmt.Sprintf("buyer%03d@example.com", i), "password": "buyer-password-1", "name": "B", "role": "customer"}), "access_token")
	}

	// Checkouts run while a killer restarts the server at random points.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	type result struct {
		orderID   id.Order
		paymentID id.Payment
		placed    int
	}
	results := make([]result, buyers)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				r := rand.New(rand.NewPCG(uint64(i), 7))
				lines := []map[string]any{{"sku": "CR-A", "quantity": 1 + r.IntN(2)}}
				if r.IntN(2) == 0 {
					lines = append(lines, map[string]any{"sku": "CR-B", "quantity": 1})
				}
				status, ord, err := retrying(ctx, base, "POST", "/api/v1/order", fmt.Sprintf("place-%d", i), tokens[i], map[string]any{
					"lines":            lines,
					"shipping_address": map[string]string{"name": "B", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"},
				})
				if err != nil {
					return
				}
				results[i].placed = status
				if status != 201 {
					continue // sold out is a fine answer
				}
				results[i].orderID = id.Order(str(ord, "id"))
				method := "tok_visa"
				if i%5 == 0 {
					method = "tok_chargeDeclined"
				}
				_, pay, err := retrying(ctx, base, "POST", "/api/v1/payment", fmt.Sprintf("pay-%d", i), tokens[i], map[string]any{"order_id": results[i].orderID, "method": method})
				if err != nil {
					return
				}
				results[i].paymentID = id.Payment(str(pay, "id"))
			}
		})
	}
	killerDone := make(chan int)
	var lastKill time.Time // written before killerDone is sent on
	go func() {
		kills := 0
		r := rand.New(rand.NewPCG(42, 42))
		for ctx.Err() == nil && kills < 6 {
			time.Sleep(time.Duration(150+r.IntN(500)) * time.Millisecond)
			p.kill()
			lastKill = time.Now()
			kills++
			p.start()
		}
		killerDone <- kills
	}()
	for i := range buyers {
		work <- i
	}
	close(work)
	wg.Wait()
	cancel()
	kills := <-killerDone
	if kills == 0 {
		t.Fatal("the server was never killed: nothing was tested")
	}

	db, err := sqldb.Open(context.Background(), dbURL, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := db.Read()
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := q.QueryRow(query, args...).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	// With a broker, a batch that a killed process had taken comes back to
	// the restarted one only after the group's lease expires and the
	// broker's ack wait (NATS: 10 s + 15 s): until then a payment may have
	// committed its stock without the order being marked paid yet, and the
	// events that follow are not written. So the system is judged only once
	// that has passed since the last kill.
	if events != "" {
		time.Sleep(time.Until(lastKill.Add(brokerRecovery)))
	}
	// Then it must come to rest: every event relayed and the stock matching
	// the orders, continuously for a while (a consumer may still be writing
	// the events that follow the last ones), before it is stopped cleanly.
	stockSettled := func() bool {
		var onHand, reserved int
		_ = q.QueryRow(`SELECT COALESCE(SUM(on_hand), 0), COALESCE(SUM(reserved), 0) FROM inventory_stock`).Scan(&onHand, &reserved)
		sold := count(`SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_orders o ON o.id = l.order_id WHERE o.status NOT IN ('pending_payment', 'cancelled')`)
		held := count(`SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_orders o ON o.id = l.order_id WHERE o.status = 'pending_payment'`)
		return onHand == stockA+stockB-sold && reserved == held
	}
	resting := func() bool {
		return count(`SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL`) == 0 && stockSettled()
	}
	calm := 0
	for deadline := time.Now().Add(2 * time.Minute); calm < 12 && time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if resting() {
			calm++
		} else {
			calm = 0
		}
	}
	p.stop()
	placed := 0
	for i, r := range results {
		if r.placed == 0 {
			t.Fatalf("buyer %d never got an answer", i)
		}
		if r.orderID == "" {
			continue
		}
		placed++
		if n := count(`SELECT COUNT(*) FROM order_orders WHERE id = $1`, r.orderID); n != 1 {
			t.Errorf("order %s answered 201 but is stored %d times", r.orderID, n)
		}
	}
	// No duplicates: every customer has at most one order (one idempotency key each).
	if n := count(`SELECT COUNT(*) FROM (SELECT customer_id FROM order_orders GROUP BY customer_id HAVING COUNT(*) > 1) d`); n != 0 {
		t.Errorf("%d customers have more than one order", n)
	}
	if n := count(`SELECT COUNT(*) FROM order_orders`); n != placed {
		t.Errorf("%d orders stored, %d acknowledged", n, placed)
	}
	// No payment without its order.
	if n := count(`SELECT COUNT(*) FROM payment_payments p WHERE NOT EXISTS (SELECT 1 FROM order_orders o WHERE o.id = p.order_id)`); n != 0 {
		t.Errorf("%d payments have no order", n)
	}
	// Stock: reserved equals what pending orders hold; on hand went down by
	// exactly what paid orders bought; never negative.
	var onHand, reserved int
	if err := q.QueryRow(`SELECT COALESCE(SUM(on_hand), 0), COALESCE(SUM(reserved), 0) FROM inventory_stock`).Scan(&onHand, &reserved); err != nil {
		t.Fatal(err)
	}
	sold := count(`SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_orders o ON o.id = l.order_id WHERE o.status NOT IN ('pending_payment', 'cancelled')`)
	held := count(`SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l JOIN order_orders o ON o.id = l.order_id WHERE o.status = 'pending_payment'`)
	if onHand != stockA+stockB-sold || reserved != held || reserved < 0 || onHand < reserved {
		t.Errorf("stock on hand %d reserved %d; want on hand %d (sold %d) and reserved %d (held by pending orders)",
			onHand, reserved, stockA+stockB-sold, sold, held)
	}
	// Every paid order has exactly one captured payment.
	if n := count(`SELECT COUNT(*) FROM order_orders o WHERE o.status NOT IN ('pending_payment', 'cancelled') AND
		(SELECT COUNT(*) FROM payment_payments p WHERE p.order_id = o.id AND p.status = 'succeeded') != 1`); n != 0 {
		t.Errorf("%d paid orders do not have exactly one succeeded payment", n)
	}
	if n := count(`SELECT COUNT(*) FROM event_outbox WHERE published_at IS NULL`); n != 0 {
		t.Errorf("%d outbox events were never delivered", n)
		rows, err := q.Query(`SELECT topic, attempts, COALESCE(last_error, '') FROM event_outbox WHERE published_at IS NULL ORDER BY seq LIMIT 5`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var topic, lastErr string
			var attempts int
			if err := rows.Scan(&topic, &attempts, &lastErr); err != nil {
				t.Fatal(err)
			}
			t.Logf("undelivered: %s after %d attempts, last error %q", topic, attempts, lastErr)
		}
	}
	t.Logf("%d kills, %d orders placed, %d units sold, %d held", kills, placed, sold, held)
}

// brokerRecovery bounds how long after a process is killed a broker hands
// the batches it held to another member: the consumer group's lease TTL and
// the ack wait the server configures (eventbroker: 10 s and 15 s on NATS),
// with a margin.
const brokerRecovery = 30 * time.Second

// crashLogLevel is the servers' log level (BAZAAR_TEST_CRASH_LOG, default warn).
var crashLogLevel = func() string {
	if l := os.Getenv("BAZAAR_TEST_CRASH_LOG"); l != "" {
		return l
	}
	return "warn"
}()
