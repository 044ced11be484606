package payment_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenthttp"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/paymenttest"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/rest"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable clock shared by the service and the gateway.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

type env struct {
	db    *sqldb.DB
	svc   *payment.Service
	gw    *testgateway.Gateway
	count *paymenttest.Counting
	clock *clock

	mu   sync.Mutex
	drop bool     // webhooks are lost on the way
	sent [][]byte // bodies delivered
}

// newEnv wires the real store, the test gateway and the webhook route: the
// gateway delivers its signed webhooks through the HTTP handler.
func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	ctx := context.Background()
	for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, paymentsql.Migrate, testgateway.Migrate} {
		if err := m(ctx, db); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	e := &env{db: db, clock: &clock{}}
	router := rest.NewRouter()
	loop := paymenthttp.Loopback(router, testgateway.Name)
	e.gw = testgateway.New(db, testgateway.Options{Now: e.clock.Now, Logger: quiet,
		Deliver: func(ctx context.Context, h http.Header, body []byte) error {
			e.mu.Lock()
			drop := e.drop
			e.mu.Unlock()
			if drop {
				return nil // lost: the gateway thinks it was delivered
			}
			if err := loop(ctx, h, body); err != nil {
				return err
			}
			e.mu.Lock()
			e.sent = append(e.sent, body)
			e.mu.Unlock()
			return nil
		}})
	e.count = &paymenttest.Counting{Gateway: e.gw}
	e.svc = payment.New(paymentsql.New(db), e.count, payment.Options{Now: e.clock.Now, Logger: quiet, Parts: parts{}})
	paymenthttp.New(e.svc).Routes(router)
	return e
}

// parts says every order "ord_X" has the seller orders "so_X_1" and "so_X_2".
type parts struct{}

func (parts) SellerOrders(_ context.Context, orderID id.Order) ([]id.SellerOrder, error) {
	base := "so_" + strings.TrimPrefix(string(orderID), "ord_")
	return []id.SellerOrder{id.SellerOrder(base + "_1"), id.SellerOrder(base + "_2")}, nil
}

func (e *env) flush(t *testing.T) int {
	t.Helper()
	n, err := e.gw.Flush(context.Background())
	if err != nil {
		t.Fatalf("gateway Flush: %v", err)
	}
	return n
}

func (e *env) payment(t *testing.T, id id.Payment) payment.Payment {
	t.Helper()
	p, err := e.svc.Payment(staff, id)
	if err != nil {
		t.Fatalf("Payment(%s): %v", id, err)
	}
	return p
}

// events returns the topics published for an order, in order.
func (e *env) events(t *testing.T, orderID id.Order) []string {
	t.Helper()
	rows, err := e.db.Read().Query(`SELECT topic FROM event_outbox WHERE aggregate = $1 ORDER BY seq`, orderID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func (e *env) payload(t *testing.T, orderID id.Order, topic string, v any) {
	t.Helper()
	var s string
	if err := e.db.Read().QueryRow(`SELECT payload FROM event_outbox WHERE aggregate = $1 AND topic = $2`, orderID, topic).Scan(&s); err != nil {
		t.Fatalf("read %s event: %v", topic, err)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}

func (e *env) intents(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.db.Read().QueryRow(`SELECT COUNT(*) FROM payment_testgw_intents`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	bg       = context.Background()
	staff    = auth.With(bg, auth.Principal{UserID: "usr_support", Role: auth.Support})
	admin    = auth.With(bg, auth.Principal{UserID: "usr_admin", Role: auth.Admin})
	customer = auth.With(bg, auth.Principal{UserID: "usr_c", Role: auth.Customer})
)

func usd(n int64) money.Money { return money.New(n, "USD") }

func start(orderID id.Order, method string) payment.Start {
	return payment.Start{OrderID: orderID, CustomerID: "usr_c", Amount: usd(2500), Method: method}
}

func TestVisaSucceedsByVerifiedWebhook(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		p, err := e.svc.Start(bg, start("ord_1", "tok_visa"))
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		if p.Status != payment.Processing || p.GatewayIntentID == "" || p.IdempotencyKey != "order:ord_1:attempt:1" {
			t.Errorf("Start = %s intent %q key %q, want processing with an intent and key order:ord_1:attempt:1", p.Status, p.GatewayIntentID, p.IdempotencyKey)
		}
		if n := e.flush(t); n != 1 {
			t.Errorf("webhooks delivered = %d, want 1", n)
		}
		got := e.payment(t, p.ID)
		if got.Status != payment.Succeeded || got.Captured != usd(2500) {
			t.Errorf("after the webhook: %s captured %v, want succeeded 25.00 USD", got.Status, got.Captured)
		}
		if n := e.flush(t); n != 0 {
			t.Errorf("second flush delivered %d, want 0", n)
		}
		// The same webhook again (a gateway retry) is acknowledged and ignored.
		for _, body := range e.sent {
			if err := e.svc.HandleWebhook(bg, "test", e.gw.Sign(body), body); err != nil {
				t.Errorf("redelivered webhook: %v", err)
			}
		}
		if diff := cmp.Diff([]string{payment.TopicSucceeded.Name()}, e.events(t, "ord_1")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		var ev payment.SucceededEvent
		e.payload(t, "ord_1", payment.TopicSucceeded.Name(), &ev)
		fee := testgateway.Fee(usd(2500)) // 2.9 % + 0.30: 1.03
		if fee != usd(103) {
			t.Errorf("test gateway fee of 25.00 = %v, want 1.03", fee)
		}
		want := payment.SucceededEvent{PaymentID: p.ID, OrderID: "ord_1", CustomerID: "usr_c", Amount: usd(2500), Gateway: "test", Fee: &fee}
		if diff := cmp.Diff(want, ev); diff != "" {
			t.Errorf("succeeded event (-want +got):\n%s", diff)
		}
		if again := e.payment(t, p.ID); again.Version != got.Version {
			t.Errorf("a duplicate webhook changed the payment (v%d -> v%d)", got.Version, again.Version)
		}
		if _, err := e.svc.Start(bg, start("ord_1", "tok_visa")); apperr.CodeOf(err) != "already_paid" {
			t.Errorf("Start on a paid order = %v, want already_paid", err)
		}
	})
}

func TestDeclinedThenRetry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		for _, tt := range []struct{ method, code string }{
			{"tok_chargeDeclined", "generic_decline"},
			{"tok_insufficientFunds", "insufficient_funds"},
			{"tok_expiredCard", "expired_card"},
		} {
			order := "ord_" + tt.method
			p, err := e.svc.Start(bg, start(id.Order(order), tt.method))
			if err != nil {
				t.Fatalf("Start(%s): %v", tt.method, err)
			}
			e.flush(t)
			got := e.payment(t, p.ID)
			if got.Status != payment.Failed || got.FailureCode != tt.code || got.FailureMessage == "" {
				t.Errorf("%s: %s %q %q, want failed %q with a message", tt.method, got.Status, got.FailureCode, got.FailureMessage, tt.code)
			}
			var ev payment.FailedEvent
			e.payload(t, id.Order(order), payment.TopicFailed.Name(), &ev)
			if ev.PaymentID != p.ID || ev.Code != tt.code {
				t.Errorf("%s: failed event %+v, want payment %s code %s", tt.method, ev, p.ID, tt.code)
			}
			// The customer retries with another method: a new attempt, a new intent.
			p2, err := e.svc.Start(bg, start(id.Order(order), "tok_visa"))
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if p2.ID == p.ID || p2.Attempt != 2 || p2.GatewayIntentID == p.GatewayIntentID {
				t.Errorf("retry = %s attempt %d intent %s, want a second attempt with its own intent", p2.ID, p2.Attempt, p2.GatewayIntentID)
			}
			e.flush(t)
			if diff := cmp.Diff([]string{payment.TopicFailed.Name(), payment.TopicSucceeded.Name()}, e.events(t, id.Order(order))); diff != "" {
				t.Errorf("%s events (-want +got):\n%s", tt.method, diff)
			}
		}
	})
}

func TestProcessingSucceedsLater(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		p, err := e.svc.Start(bg, start("ord_p", "tok_processing"))
		if err != nil {
			t.Fatal(err)
		}
		if n := e.flush(t); n != 1 { // payment_intent.processing
			t.Errorf("delivered %d, want the processing webhook", n)
		}
		if got := e.payment(t, p.ID); got.Status != payment.Processing {
			t.Errorf("before the delay: %s, want processing", got.Status)
		}
		e.clock.Advance(4 * time.Second)
		if n := e.flush(t); n != 1 {
			t.Errorf("delivered %d after the delay, want 1", n)
		}
		if got := e.payment(t, p.ID); got.Status != payment.Succeeded {
			t.Errorf("after the delay: %s, want succeeded", got.Status)
		}
		// The processing webhook arriving again, late, moves nothing back.
		for _, body := range e.sent {
			if err := e.svc.HandleWebhook(bg, "test", e.gw.Sign(body), body); err != nil {
				t.Errorf("late webhook: %v", err)
			}
		}
		if got := e.payment(t, p.ID); got.Status != payment.Succeeded {
			t.Errorf("after replays: %s, want succeeded", got.Status)
		}
		if diff := cmp.Diff([]string{payment.TopicSucceeded.Name()}, e.events(t, "ord_p")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}

func TestWebhookSignatureAndOrder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		e.mu.Lock()
		e.drop = true // we deliver by hand
		e.mu.Unlock()
		p, err := e.svc.Start(bg, start("ord_s", "tok_visa"))
		if err != nil {
			t.Fatal(err)
		}
		succeeded := []byte(fmt.Sprintf(`{"id":"evt_ok","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","id":%q,"status":"succeeded","amount":2500,"currency":"USD","metadata":{"payment_id":%q}}}}`, p.GatewayIntentID, p.ID))
		processing := []byte(fmt.Sprintf(`{"id":"evt_late","type":"payment_intent.processing","data":{"object":{"object":"payment_intent","id":%q,"status":"processing","amount":2500,"currency":"USD","metadata":{"payment_id":%q}}}}`, p.GatewayIntentID, p.ID))
		stale := e.gw.Sign(succeeded)
		forged := http.Header{}
		forged.Set(payment.SignatureHeader, payment.Sign(succeeded, e.clock.Now(), []byte("not the secret")))
		tampered := []byte(string(succeeded[:len(succeeded)-2]) + ` }}`)
		for _, tt := range []struct {
			name   string
			header http.Header
			body   []byte
		}{
			{"forged", forged, succeeded},
			{"unsigned", http.Header{}, succeeded},
			{"tampered", e.gw.Sign(succeeded), tampered},
		} {
			if err := e.svc.HandleWebhook(bg, "test", tt.header, tt.body); apperr.KindOf(err) != apperr.KindInvalid {
				t.Errorf("%s webhook = %v, want Invalid", tt.name, err)
			}
		}
		if err := e.svc.HandleWebhook(bg, "stripe", e.gw.Sign(succeeded), succeeded); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("webhook for an unknown gateway = %v, want NotFound", err)
		}
		e.clock.Advance(6 * time.Minute)
		if err := e.svc.HandleWebhook(bg, "test", stale, succeeded); apperr.CodeOf(err) != "invalid_signature" {
			t.Errorf("6-minute-old signature = %v, want invalid_signature", err)
		}
		if got := e.payment(t, p.ID); got.Status != payment.Processing || len(e.events(t, "ord_s")) != 0 {
			t.Fatalf("rejected webhooks changed the payment: %s, events %v", got.Status, e.events(t, "ord_s"))
		}
		// Valid, duplicated, and out of order.
		for i, body := range [][]byte{succeeded, succeeded, processing, succeeded} {
			if err := e.svc.HandleWebhook(bg, "test", e.gw.Sign(body), body); err != nil {
				t.Errorf("webhook %d: %v", i, err)
			}
		}
		if got := e.payment(t, p.ID); got.Status != payment.Succeeded {
			t.Errorf("after valid webhooks: %s, want succeeded", got.Status)
		}
		if diff := cmp.Diff([]string{payment.TopicSucceeded.Name()}, e.events(t, "ord_s")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}

func TestStartChargesOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		const n = 10
		var wg sync.WaitGroup
		ids := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := e.svc.Start(bg, start("ord_c", "tok_visa"))
				ids[i], errs[i] = string(p.ID), err
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Errorf("concurrent Start %d = %s, %v; want %s", i, ids[i], errs[i], ids[0])
			}
		}
		for i := range n {
			p, err := e.svc.Start(bg, start("ord_c", "tok_mastercard"))
			if err != nil || p.ID != id.Payment(ids[0]) {
				t.Errorf("sequential Start %d = %s, %v; want the open attempt %s", i, p.ID, err, ids[0])
			}
		}
		if got := e.intents(t); got != 1 {
			t.Errorf("gateway intents = %d, want 1", got)
		}
		e.flush(t)
		if diff := cmp.Diff([]string{payment.TopicSucceeded.Name()}, e.events(t, "ord_c")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		for i := range n {
			if _, err := e.svc.Start(bg, start("ord_c", "tok_visa")); apperr.CodeOf(err) != "already_paid" {
				t.Errorf("Start %d after success = %v, want already_paid", i, err)
			}
		}
		if got := e.intents(t); got != 1 {
			t.Errorf("gateway intents after all = %d, want 1", got)
		}
	})
}

func TestStartRefusesBadInput(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		for _, tt := range []struct {
			name string
			in   payment.Start
		}{
			{"card number", start("ord_b", "4242424242424242")},
			{"spaced card number", start("ord_b", "4242 4242 4242 4242")},
			{"unknown token", start("ord_b", "tok_unknown")},
			{"no method", start("ord_b", "")},
			{"zero amount", payment.Start{OrderID: "ord_b", CustomerID: "usr_c", Amount: usd(0), Method: "tok_visa"}},
			{"bad currency", payment.Start{OrderID: "ord_b", CustomerID: "usr_c", Amount: money.New(1, "usd"), Method: "tok_visa"}},
			{"no order", start("", "tok_visa")},
		} {
			_, err := e.svc.Start(bg, tt.in)
			if apperr.KindOf(err) != apperr.KindInvalid {
				t.Errorf("%s: Start = %v, want Invalid", tt.name, err)
			}
			if err != nil && (strings.Contains(err.Error(), "4242") || strings.Contains(fmt.Sprint(apperrFields(err)), "4242")) {
				t.Errorf("%s: the error repeats the card number: %v", tt.name, err)
			}
		}
		if ps, _ := e.svc.OrderPayments(bg, "ord_b"); len(ps) != 0 || e.intents(t) != 0 {
			t.Errorf("refused starts left %d payments and %d intents", len(ps), e.intents(t))
		}
	})
}

func apperrFields(err error) []apperr.FieldError {
	if e, ok := apperr.As(err); ok {
		return e.Fields
	}
	return nil
}

func paid(t *testing.T, e *env, order string) payment.Payment {
	t.Helper()
	p, err := e.svc.Start(bg, payment.Start{OrderID: id.Order(order), CustomerID: "usr_c", Amount: usd(1000), Method: "tok_visa"})
	if err != nil {
		t.Fatal(err)
	}
	e.flush(t)
	if p = e.payment(t, p.ID); p.Status != payment.Succeeded {
		t.Fatalf("payment %s is %s, want succeeded", p.ID, p.Status)
	}
	return p
}

func TestRefunds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		p := paid(t, e, "ord_r")
		amt := func(n int64) *money.Money { m := usd(n); return &m }
		steps := []struct {
			name     string
			ctx      context.Context
			req      payment.RefundRequest
			code     string // "" for success
			status   payment.Status
			refunded int64
		}{
			{"customer may not", customer, payment.RefundRequest{Amount: amt(100), Reason: "x"}, "forbidden", payment.Succeeded, 0},
			{"anonymous may not", bg, payment.RefundRequest{Amount: amt(100), Reason: "x"}, "unauthenticated", payment.Succeeded, 0},
			{"reason required", staff, payment.RefundRequest{Amount: amt(100)}, "validation_failed", payment.Succeeded, 0},
			{"zero amount", staff, payment.RefundRequest{Amount: amt(0), Reason: "x"}, "validation_failed", payment.Succeeded, 0},
			{"partial by support", staff, payment.RefundRequest{Amount: amt(300), Reason: "damaged item"}, "", payment.PartiallyRefunded, 300},
			{"over what is left", admin, payment.RefundRequest{Amount: amt(701), Reason: "x"}, "refund_exceeds_captured", payment.PartiallyRefunded, 300},
			{"other currency", admin, payment.RefundRequest{Amount: &money.Money{Amount: 1, Currency: "EUR"}, Reason: "x"}, "currency_mismatch", payment.PartiallyRefunded, 300},
			{"another order's seller order", admin, payment.RefundRequest{Amount: amt(100), Reason: "x", SellerOrderID: "so_other_1"}, "validation_failed", payment.PartiallyRefunded, 300},
			{"the rest by admin, charged to a seller order", admin, payment.RefundRequest{Reason: "cancelled", SellerOrderID: "so_r_2"}, "", payment.Refunded, 1000},
			{"nothing left", admin, payment.RefundRequest{Reason: "again"}, "payment_fully_refunded", payment.Refunded, 1000},
		}
		for _, st := range steps {
			_, err := e.svc.Refund(st.ctx, p.ID, st.req)
			if apperr.CodeOf(err) != st.code || (st.code == "" && err != nil) {
				t.Errorf("%s: Refund = %v, want code %q", st.name, err, st.code)
			}
			got := e.payment(t, p.ID)
			if got.Status != st.status || got.Refunded.Amount != st.refunded {
				t.Errorf("%s: payment %s refunded %d, want %s %d", st.name, got.Status, got.Refunded.Amount, st.status, st.refunded)
			}
		}
		e.flush(t) // the refund webhooks change nothing more
		got := e.payment(t, p.ID)
		if len(got.Refunds) != 2 || got.Refunds[0].By != "usr_support" || got.Refunds[1].Amount != usd(700) {
			t.Errorf("refunds = %+v, want 300 by support then 700", got.Refunds)
		}
		// Both are goodwill; the second is charged to its seller order, and
		// payment.refunded.v1 says so.
		if r := got.Refunds; r[0].Origin != payment.OriginGoodwill || r[0].SellerOrderID != "" ||
			r[1].Origin != payment.OriginGoodwill || r[1].SellerOrderID != "so_r_2" {
			t.Errorf("refunds' origins = %+v, want goodwill, then goodwill charged to so_r_2", got.Refunds)
		}
		var last payment.RefundedEvent
		var raw string
		if err := db.Read().QueryRow(`SELECT payload FROM event_outbox WHERE aggregate = 'ord_r' AND topic = $1 ORDER BY seq DESC LIMIT 1`,
			payment.TopicRefunded.Name()).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &last); err != nil {
			t.Fatal(err)
		}
		want := payment.RefundedEvent{PaymentID: p.ID, OrderID: "ord_r", RefundID: got.Refunds[1].ID, Amount: usd(700), TotalRefunded: usd(1000),
			Full: true, Gateway: "test", Origin: payment.OriginGoodwill, SellerOrderID: "so_r_2"}
		if diff := cmp.Diff(want, last); diff != "" {
			t.Errorf("last refunded event (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{payment.TopicSucceeded.Name(), payment.TopicRefunded.Name(), payment.TopicRefunded.Name()}, e.events(t, "ord_r")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		if _, err := e.svc.Refund(staff, "pay_missing", payment.RefundRequest{Reason: "x"}); !apperr.Is(err, apperr.KindNotFound) {
			t.Errorf("refund of a missing payment = %v, want NotFound", err)
		}
		// A failed payment cannot be refunded.
		f, _ := e.svc.Start(bg, start("ord_rf", "tok_chargeDeclined"))
		e.flush(t)
		if _, err := e.svc.Refund(staff, f.ID, payment.RefundRequest{Reason: "x"}); apperr.CodeOf(err) != "payment_not_captured" {
			t.Errorf("refund of a failed payment = %v, want payment_not_captured", err)
		}
	})
}

func TestRefundOrder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		p := paid(t, e, "ord_ro")
		if _, err := e.svc.Refund(staff, p.ID, payment.RefundRequest{Amount: &money.Money{Amount: 250, Currency: "USD"}, Reason: "late"}); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if err := e.svc.RefundOrder(bg, "ord_ro", "order cancelled"); err != nil {
				t.Fatalf("RefundOrder %d: %v", i, err)
			}
		}
		got := e.payment(t, p.ID)
		if got.Status != payment.Refunded || got.Refunded != usd(1000) || len(got.Refunds) != 2 || got.Refunds[1].By != "system" {
			t.Errorf("after RefundOrder x3: %s refunded %v with %d refunds; want refunded 10.00 USD in 2 refunds, the last by system", got.Status, got.Refunded, len(got.Refunds))
		}
		var ev payment.RefundedEvent
		var raw string
		if err := db.Read().QueryRow(`SELECT payload FROM event_outbox WHERE aggregate = 'ord_ro' AND topic = $1 ORDER BY seq DESC LIMIT 1`,
			payment.TopicRefunded.Name()).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			t.Fatal(err)
		}
		want := payment.RefundedEvent{PaymentID: p.ID, OrderID: "ord_ro", RefundID: got.Refunds[1].ID, Amount: usd(750), TotalRefunded: usd(1000), Full: true,
			Gateway: "test", Origin: payment.OriginCancellation}
		if diff := cmp.Diff(want, ev); diff != "" {
			t.Errorf("last refunded event (-want +got):\n%s", diff)
		}
		if _, refunds := e.count.Calls(); refunds != 2 {
			t.Errorf("gateway refund calls = %d, want 2", refunds)
		}
		// An order without a captured payment has nothing to refund.
		if err := e.svc.RefundOrder(bg, "ord_none", ""); err != nil {
			t.Errorf("RefundOrder(no payments) = %v", err)
		}
	})
}

func TestReconcile(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		// 1. A refund whose answer is lost.
		r := paid(t, e, "ord_refund")
		e.count.LoseRefunds = 1
		if _, err := e.svc.Refund(staff, r.ID, payment.RefundRequest{Reason: "x"}); apperr.CodeOf(err) != "gateway_unavailable" {
			t.Fatalf("Refund with the answer lost = %v, want gateway_unavailable", err)
		}
		// 2. The success webhook is lost.
		e.mu.Lock()
		e.drop = true
		e.mu.Unlock()
		lost, err := e.svc.Start(bg, start("ord_lost", "tok_visa"))
		if err != nil {
			t.Fatal(err)
		}
		e.flush(t)
		if got := e.payment(t, lost.ID); got.Status != payment.Processing {
			t.Fatalf("with the webhook lost: %s, want processing", got.Status)
		}
		// 3. The process "dies" between the gateway's answer and our write.
		e.count.LoseCreates = 1
		_, err = e.svc.Start(bg, start("ord_crash", "tok_visa"))
		if apperr.CodeOf(err) != "gateway_unavailable" {
			t.Fatalf("Start with the answer lost = %v, want gateway_unavailable", err)
		}
		crashed, _ := e.svc.OrderPayments(bg, "ord_crash")
		if len(crashed) != 1 || crashed[0].Status != payment.Pending || crashed[0].GatewayIntentID != "" {
			t.Fatalf("after the lost answer: %+v, want one pending payment without an intent", crashed)
		}

		// Recent payments are left alone; older ones are driven forward.
		if n, err := e.svc.Reconcile(bg, time.Hour); err != nil || n != 0 {
			t.Errorf("Reconcile(1h) = %d, %v; want 0", n, err)
		}
		e.clock.Advance(time.Minute)
		n, err := e.svc.Reconcile(bg, 30*time.Second)
		if err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if n != 3 {
			t.Errorf("Reconcile changed %d payments, want 3", n)
		}
		if got := e.payment(t, lost.ID); got.Status != payment.Succeeded {
			t.Errorf("lost webhook: %s after reconcile, want succeeded", got.Status)
		}
		c := e.payment(t, crashed[0].ID)
		if c.Status != payment.Processing || c.GatewayIntentID == "" {
			t.Errorf("crashed payment: %s intent %q, want processing with its intent", c.Status, c.GatewayIntentID)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.svc.Reconcile(bg, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		if c = e.payment(t, c.ID); c.Status != payment.Succeeded {
			t.Errorf("crashed payment after a second pass: %s, want succeeded", c.Status)
		}
		if got := e.intents(t); got != 3 {
			t.Errorf("gateway intents = %d, want 3 (one per order)", got)
		}
		if got := e.payment(t, r.ID); got.Status != payment.Refunded || got.Refunds[0].Status != payment.RefundSucceeded {
			t.Errorf("lost refund: %s / %s after reconcile, want refunded / succeeded", got.Status, got.Refunds[0].Status)
		}
		var gwRefunds int
		_ = db.Read().QueryRow(`SELECT COUNT(*) FROM payment_testgw_refunds`).Scan(&gwRefunds)
		if gwRefunds != 1 {
			t.Errorf("gateway refunds = %d, want 1", gwRefunds)
		}
		for _, order := range []string{"ord_lost", "ord_crash"} {
			if diff := cmp.Diff([]string{payment.TopicSucceeded.Name()}, e.events(t, id.Order(order))); diff != "" {
				t.Errorf("%s events (-want +got):\n%s", order, diff)
			}
		}
		// Nothing left to do; the late webhooks change nothing.
		e.mu.Lock()
		e.drop = false
		e.mu.Unlock()
		e.clock.Advance(time.Minute)
		if n, err := e.svc.Reconcile(bg, 30*time.Second); err != nil || n != 0 {
			t.Errorf("Reconcile again = %d, %v; want 0", n, err)
		}
	})
}

func TestRunReconciler(t *testing.T) {
	db := sqldbtest.SQLite(t)
	e := newEnv(t, db)
	e.mu.Lock()
	e.drop = true
	e.mu.Unlock()
	p, err := e.svc.Start(bg, start("ord_run", "tok_visa"))
	if err != nil {
		t.Fatal(err)
	}
	e.flush(t)
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { e.svc.RunReconciler(ctx, 20*time.Millisecond); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for e.payment(t, p.ID).Status != payment.Succeeded && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if got := e.payment(t, p.ID); got.Status != payment.Succeeded {
		t.Errorf("RunReconciler left the payment %s, want succeeded", got.Status)
	}
}
