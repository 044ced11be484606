package stripegw_test

import (
	"context"
	"encoding/json"
	"github.com/bazaar-market/bazaar/internal/id"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw/stripemock"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// The payment rules, with the Stripe driver against stripemock.Front on
// the real store (SQLite, and PostgreSQL when its URL is set).

var admin = auth.With(context.Background(), auth.Principal{UserID: "usr_admin", Role: auth.Admin})

// rulesEnv is payment.Service with the Stripe driver, through a front to
// stripe-mock whose calls time out after 300 ms.
type rulesEnv struct {
	db    *sqldb.DB
	svc   *payment.Service
	front *stripemock.Front
}

func newRulesEnv(t *testing.T, db *sqldb.DB, mock string, tune ...func(*payment.Options)) *rulesEnv {
	t.Helper()
	for _, m := range []func(context.Context, *sqldb.DB) error{event.Migrate, paymentsql.Migrate} {
		if err := m(bg, db); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	front := stripemock.NewFront(t, mock, stripemock.FrontOptions{})
	quiet := (&logBuffer{}).logger()
	g, err := stripegw.New(stripegw.Options{SecretKey: stripemock.Key, PublishableKey: pk, APIBase: front.URL,
		// 3 s: a webhook delivered before the answer runs the whole
		// service on a loaded CI machine first (300 ms timed out); only
		// the three stalled calls wait it out.
		WebhookSecrets: []string{front.WebhookSecret()}, Timeout: 3 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	opts := payment.Options{Logger: quiet}
	for _, f := range tune {
		f(&opts)
	}
	return &rulesEnv{db: db, front: front, svc: payment.New(paymentsql.New(db), g, opts)}
}

// handle delivers a webhook to the service, as the HTTP door would.
func (e *rulesEnv) handle(h http.Header, body []byte) error {
	return e.svc.HandleWebhook(bg, stripegw.Name, h, body)
}

func (e *rulesEnv) payment(t *testing.T, pid id.Payment) payment.Payment {
	t.Helper()
	p, err := e.svc.Payment(admin, pid)
	if err != nil {
		t.Fatalf("Payment(%s): %v", pid, err)
	}
	return p
}

// topics lists the events published about an order, in order.
func (e *rulesEnv) topics(t *testing.T, orderID string) []string {
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

// confirmInBrowser confirms a client-side intent with method, as Stripe.js
// does from the customer's browser.
func (e *rulesEnv) confirmInBrowser(t *testing.T, intentID, method string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.front.URL+"/v1/payment_intents/"+intentID+"/confirm",
		strings.NewReader(url.Values{"payment_method": {method}}.Encode()))
	req.Header.Set("Authorization", "Bearer "+stripemock.Key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 && res.StatusCode != 402 {
		t.Fatalf("confirm %s with %s: %s", intentID, method, res.Status)
	}
}

// eventsOf returns the front's events about intent, by type.
func eventsOf(f *stripemock.Front, intentID string) map[string]stripemock.Event {
	out := map[string]stripemock.Event{}
	for _, ev := range f.Events() {
		if strings.Contains(string(ev.Body), `"`+intentID+`"`) {
			out[ev.Type] = ev
		}
	}
	return out
}

// restatus is ev with another ID and the intent's status changed: the
// stale "processing" report Stripe may deliver after "succeeded".
func restatus(t *testing.T, ev stripemock.Event, id, typ, status string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ev.Body, &m); err != nil {
		t.Fatal(err)
	}
	m["id"], m["type"] = id, typ
	obj := m["data"].(map[string]any)["object"].(map[string]any)
	obj["status"], obj["amount_received"] = status, 0
	b, _ := json.Marshal(m)
	return b
}

// TestWebhooksTwiceAndOutOfOrder: the customer's browser confirms; Stripe's
// webhooks arrive twice and out of order (succeeded before processing);
// the payment succeeds once and never moves back. A decline in the browser
// leaves the payment open with the reason, and the customer's next card
// on the same intent succeeds it, once.
func TestWebhooksTwiceAndOutOfOrder(t *testing.T) {
	mock := stripemock.Start(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newRulesEnv(t, db, mock)
		for _, tt := range []struct {
			order, method string
			status        payment.Status
			code          string
			topics        []string
		}{
			{"ord_twice_ok", "pm_card_visa", payment.Succeeded, "", []string{payment.TopicSucceeded.Name()}},
			{"ord_twice_no", "pm_card_chargeDeclinedInsufficientFunds", payment.Processing, "insufficient_funds", []string{}},
		} {
			p, err := e.svc.Start(bg, payment.Start{OrderID: id.Order(tt.order), CustomerID: "usr_c", Amount: usd(2500)})
			if err != nil || p.Status != payment.Processing || p.GatewayIntentID == "" {
				t.Fatalf("Start(client confirm) = %+v, %v; want processing with an intent", p, err)
			}
			e.confirmInBrowser(t, p.GatewayIntentID, tt.method)
			evs := eventsOf(e.front, p.GatewayIntentID)
			outcome, ok := evs["payment_intent.succeeded"]
			if !ok {
				outcome = evs["payment_intent.payment_failed"]
			}
			if outcome.ID == "" {
				t.Fatalf("the front made no outcome event for %s: %v", p.GatewayIntentID, evs)
			}
			stale := restatus(t, outcome, outcome.ID+"_processing", "payment_intent.processing", "processing")
			for i, body := range [][]byte{outcome.Body, outcome.Body, stale, evs["payment_intent.created"].Body, outcome.Body} {
				if err := e.handle(e.front.Sign(body), body); err != nil {
					t.Errorf("%s: webhook %d: %v", tt.order, i, err)
				}
			}
			got := e.payment(t, p.ID)
			if got.Status != tt.status || got.FailureCode != tt.code {
				t.Errorf("%s: payment %s %q, want %s %q", tt.order, got.Status, got.FailureCode, tt.status, tt.code)
			}
			if tt.status == payment.Succeeded && got.Captured != usd(2500) {
				t.Errorf("%s: captured %v, want 25.00 USD", tt.order, got.Captured)
			}
			if diff := cmp.Diff(tt.topics, e.topics(t, tt.order)); diff != "" {
				t.Errorf("%s: events (-want +got):\n%s", tt.order, diff)
			}
			if tt.status != payment.Processing {
				continue
			}
			// Another card in the browser, on the same intent.
			e.confirmInBrowser(t, p.GatewayIntentID, "pm_card_visa")
			paid := eventsOf(e.front, p.GatewayIntentID)["payment_intent.succeeded"]
			for _, body := range [][]byte{paid.Body, outcome.Body, paid.Body} { // and the old decline, late
				if err := e.handle(e.front.Sign(body), body); err != nil {
					t.Errorf("%s: webhook: %v", tt.order, err)
				}
			}
			if got := e.payment(t, p.ID); got.Status != payment.Succeeded || got.FailureCode != "" {
				t.Errorf("%s: after another card: %s %q, want succeeded without a failure", tt.order, got.Status, got.FailureCode)
			}
			if diff := cmp.Diff([]string{payment.TopicSucceeded.Name()}, e.topics(t, tt.order)); diff != "" {
				t.Errorf("%s: events after another card (-want +got):\n%s", tt.order, diff)
			}
		}
	})
}

// TestWebhookBeforeAnswer: Stripe's webhook reaches the shop before the
// answer to the call that created the intent (or the refund); the payment
// is settled by the webhook, the late answer changes nothing, and each
// outcome is published once.
func TestWebhookBeforeAnswer(t *testing.T) {
	mock := stripemock.Start(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newRulesEnv(t, db, mock)
		e.front.SetDeliver(e.handle, true)
		p, err := e.svc.Start(bg, payment.Start{OrderID: "ord_early", CustomerID: "usr_c", Amount: usd(2500), Method: "pm_card_visa"})
		if err != nil || p.Status != payment.Succeeded || p.GatewayIntentID == "" {
			t.Fatalf("Start = %+v, %v; want succeeded with its intent", p, err)
		}
		d, err := e.svc.Start(bg, payment.Start{OrderID: "ord_early_no", CustomerID: "usr_c", Amount: usd(2500), Method: "pm_card_chargeDeclinedInsufficientFunds"})
		if err != nil || d.Status != payment.Failed || d.FailureCode != "insufficient_funds" {
			t.Fatalf("Start(declined) = %+v, %v; want failed insufficient_funds", d, err)
		}
		r, err := e.svc.Refund(admin, p.ID, payment.RefundRequest{Amount: &money.Money{Amount: 1000, Currency: "USD"}, Reason: "damaged"})
		if err != nil || r.Status != payment.PartiallyRefunded || r.Refunded != usd(1000) {
			t.Fatalf("Refund = %s refunded %v, %v; want partially_refunded 10.00 USD", r.Status, r.Refunded, err)
		}
		// Every webhook arrived before its answer and was applied then.
		for _, ev := range e.front.Events() {
			if ev.Delivered != 1 {
				t.Errorf("webhook %s delivered %d times (%v), want once", ev.Type, ev.Delivered, ev.Err)
			}
		}
		for order, want := range map[string][]string{
			"ord_early":    {payment.TopicSucceeded.Name(), payment.TopicRefunded.Name()},
			"ord_early_no": {payment.TopicFailed.Name()},
		} {
			if diff := cmp.Diff(want, e.topics(t, order)); diff != "" {
				t.Errorf("%s events (-want +got):\n%s", order, diff)
			}
		}
	})
}

// TestGatewayStalls: Stripe does the work but its answer never comes; the
// payment (or the refund) stays pending, and the reconciler settles it with
// the same idempotency key: one intent, one refund at Stripe.
func TestGatewayStalls(t *testing.T) {
	mock := stripemock.Start(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newRulesEnv(t, db, mock)
		e.front.Stall(1)
		_, err := e.svc.Start(bg, payment.Start{OrderID: "ord_stall", CustomerID: "usr_c", Amount: usd(2500), Method: "pm_card_visa"})
		if apperr.CodeOf(err) != "gateway_unavailable" {
			t.Fatalf("Start with Stripe stalled = %v, want gateway_unavailable", err)
		}
		ps, _ := e.svc.OrderPayments(bg, "ord_stall")
		if len(ps) != 1 || ps[0].Status != payment.Pending || ps[0].GatewayIntentID != "" {
			t.Fatalf("after the stall: %+v, want one pending payment without an intent", ps)
		}
		if n, err := e.svc.Reconcile(bg, 0); err != nil || n != 1 {
			t.Fatalf("Reconcile = %d, %v; want 1 payment changed", n, err)
		}
		p := e.payment(t, ps[0].ID)
		if p.Status != payment.Succeeded || p.GatewayIntentID == "" {
			t.Fatalf("after Reconcile: %s intent %q, want succeeded with its intent", p.Status, p.GatewayIntentID)
		}
		ins := e.front.Intents()
		if len(ins) != 1 || ins[0].ID != p.GatewayIntentID || ins[0].Metadata["payment_id"] != string(p.ID) {
			t.Errorf("Stripe holds %d intents (%+v), want 1: %s for %s", len(ins), ins, p.GatewayIntentID, p.ID)
		}
		if n := e.front.Requests("POST /v1/payment_intents"); n != 2 {
			t.Errorf("Stripe was asked %d times to create the intent, want 2 (the stalled call, the reconciler's)", n)
		}

		// The customer retrying instead of the reconciler: the same
		// attempt carries on with the same key.
		e.front.Stall(1)
		if _, err := e.svc.Start(bg, payment.Start{OrderID: "ord_stall_2", CustomerID: "usr_c", Amount: usd(2500), Method: "pm_card_visa"}); apperr.CodeOf(err) != "gateway_unavailable" {
			t.Fatalf("Start with Stripe stalled = %v, want gateway_unavailable", err)
		}
		again, err := e.svc.Start(bg, payment.Start{OrderID: "ord_stall_2", CustomerID: "usr_c", Amount: usd(2500), Method: "pm_card_visa"})
		if ins := e.front.Intents(); err != nil || again.Status != payment.Succeeded || len(ins) != 2 || ins[1].ID != again.GatewayIntentID {
			t.Fatalf("Start again = %+v, %v; want succeeded with the one intent Stripe made (%+v)", again, err, ins)
		}

		e.front.Stall(1)
		if _, err := e.svc.Refund(admin, p.ID, payment.RefundRequest{Reason: "damaged"}); apperr.CodeOf(err) != "gateway_unavailable" {
			t.Fatalf("Refund with Stripe stalled = %v, want gateway_unavailable", err)
		}
		if p = e.payment(t, p.ID); len(p.Refunds) != 1 || p.Refunds[0].Status != payment.RefundPending {
			t.Fatalf("after the stalled refund: %+v, want one pending refund", p.Refunds)
		}
		if _, err := e.svc.Reconcile(bg, 0); err != nil {
			t.Fatalf("Reconcile: %v", err)
		}
		if p = e.payment(t, p.ID); p.Status != payment.Refunded || p.Refunds[0].Status != payment.RefundSucceeded {
			t.Errorf("after Reconcile: %s, refund %s; want refunded, succeeded", p.Status, p.Refunds[0].Status)
		}
		if rs := e.front.Refunds(); len(rs) != 1 || rs[0].Amount != 2500 {
			t.Errorf("Stripe holds refunds %+v, want one of 2500", rs)
		}
		if diff := cmp.Diff([]string{payment.TopicSucceeded.Name(), payment.TopicRefunded.Name()}, e.topics(t, "ord_stall")); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}

// TestConcurrentRefunds: refund requests racing on one payment never
// refund more than was captured, here or at Stripe.
func TestConcurrentRefunds(t *testing.T) {
	mock := stripemock.Start(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newRulesEnv(t, db, mock)
		p, err := e.svc.Start(bg, payment.Start{OrderID: "ord_race", CustomerID: "usr_c", Amount: usd(1000), Method: "pm_card_visa"})
		if err != nil || p.Status != payment.Succeeded {
			t.Fatalf("Start = %+v, %v; want succeeded", p, err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.Refund(admin, p.ID, payment.RefundRequest{Amount: &money.Money{Amount: 300, Currency: "USD"}, Reason: "race"})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch code := apperr.CodeOf(err); {
			case err == nil:
				ok++
			case code == "refund_exceeds_captured" || code == "payment_fully_refunded":
			default:
				t.Errorf("Refund = %v, want success or refund_exceeds_captured", err)
			}
		}
		got := e.payment(t, p.ID)
		var atStripe int64
		for _, r := range e.front.Refunds() {
			atStripe += r.Amount
		}
		if ok != 3 || got.Refunded != usd(900) || atStripe != 900 || e.front.Intents()[0].Refunded != 900 {
			t.Errorf("%d refunds of 3.00 succeeded; refunded %v here, %d at Stripe; want 3, 9.00 USD, 900", ok, got.Refunded, atStripe)
		}
		// The rest, once.
		if _, err := e.svc.Refund(admin, p.ID, payment.RefundRequest{Reason: "rest"}); err != nil {
			t.Fatalf("Refund of the rest: %v", err)
		}
		if got = e.payment(t, p.ID); got.Status != payment.Refunded || got.Refunded != usd(1000) {
			t.Errorf("after refunding the rest: %s %v, want refunded 10.00 USD", got.Status, got.Refunded)
		}
	})
}

// TestStripeFee: Stripe's fee, read from the latest charge's balance
// transaction (expanded on every call; a webhook lacks it, so the intent
// is read again), is on payment.succeeded.v1 for a server-confirmed
// payment and for a browser-confirmed one settled by its webhook.
func TestStripeFee(t *testing.T) {
	mock := stripemock.Start(t)
	// The front charges Stripe's card pricing: 2.9 % rounded half up + 30.
	stripeFee := func(n int64) *money.Money { m := usd((n*29+500)/1000 + 30); return &m }
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newRulesEnv(t, db, mock)
		succeeded := func(order string) payment.SucceededEvent {
			t.Helper()
			var raw string
			if err := e.db.Read().QueryRow(`SELECT payload FROM event_outbox WHERE aggregate = $1 AND topic = $2`,
				order, payment.TopicSucceeded.Name()).Scan(&raw); err != nil {
				t.Fatalf("%s: no payment.succeeded.v1: %v", order, err)
			}
			var ev payment.SucceededEvent
			if err := json.Unmarshal([]byte(raw), &ev); err != nil {
				t.Fatal(err)
			}
			return ev
		}

		p, err := e.svc.Start(bg, payment.Start{OrderID: "ord_fee_server", CustomerID: "usr_c", Amount: usd(1999), Method: "pm_card_visa"})
		if err != nil || p.Status != payment.Succeeded {
			t.Fatalf("Start = %+v, %v; want succeeded", p, err)
		}
		if ev := succeeded("ord_fee_server"); ev.Gateway != "stripe" || !cmp.Equal(ev.Fee, stripeFee(1999)) {
			t.Errorf("server-confirmed: succeeded event gateway %q fee %v, want stripe %v", ev.Gateway, ev.Fee, stripeFee(1999))
		}

		c, err := e.svc.Start(bg, payment.Start{OrderID: "ord_fee_browser", CustomerID: "usr_c", Amount: usd(4250)})
		if err != nil || c.GatewayIntentID == "" {
			t.Fatalf("Start(client confirm) = %+v, %v", c, err)
		}
		e.confirmInBrowser(t, c.GatewayIntentID, "pm_card_visa")
		hook := eventsOf(e.front, c.GatewayIntentID)["payment_intent.succeeded"]
		if strings.Contains(string(hook.Body), "balance_transaction") {
			t.Fatalf("the webhook carries the balance transaction; it should not, as at Stripe")
		}
		if err := e.handle(e.front.Sign(hook.Body), hook.Body); err != nil {
			t.Fatal(err)
		}
		if got := e.payment(t, c.ID); got.Status != payment.Succeeded {
			t.Fatalf("browser-confirmed payment is %s after its webhook, want succeeded", got.Status)
		}
		if ev := succeeded("ord_fee_browser"); !cmp.Equal(ev.Fee, stripeFee(4250)) {
			t.Errorf("browser-confirmed: fee %v, want %v", ev.Fee, stripeFee(4250))
		}
	})
}

// TestStripeManualCapture: with manual capture a card payment is
// authorised (capture_method manual, payment.authorized.v1), captured later
// for at most what was authorised (amount_to_capture; the fee is the
// captured amount's), or voided (the intent cancelled at Stripe).
func TestStripeManualCapture(t *testing.T) {
	mock := stripemock.Start(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newRulesEnv(t, db, mock, func(o *payment.Options) { o.ManualCapture = map[string]bool{stripegw.Name: true} })
		p, err := e.svc.Start(bg, payment.Start{OrderID: "ord_hold", CustomerID: "usr_c", Amount: usd(5000), Method: "pm_card_visa"})
		if err != nil || p.Status != payment.Authorized || !p.ManualCapture {
			t.Fatalf("Start = %+v, %v; want authorized for manual capture", p, err)
		}
		var created stripemock.Intent
		for _, in := range e.front.Intents() {
			if in.ID == p.GatewayIntentID {
				created = in
			}
		}
		if created.CaptureMethod != "manual" || created.Status != "requires_capture" {
			t.Errorf("Stripe's intent = %+v, want capture_method manual, requires_capture", created)
		}
		if diff := cmp.Diff([]string{payment.TopicAuthorized.Name()}, e.topics(t, "ord_hold")); diff != "" {
			t.Errorf("events after the authorisation (-want +got):\n%s", diff)
		}
		if _, err := e.svc.SettleOnDelivery(bg, "ord_hold", usd(5001)); apperr.CodeOf(err) != "amount_mismatch" {
			t.Errorf("capturing more than authorised = %v, want amount_mismatch", err)
		}
		got, err := e.svc.SettleOnDelivery(bg, "ord_hold", usd(3000))
		if err != nil || got.Status != payment.Succeeded || got.Captured != usd(3000) {
			t.Fatalf("SettleOnDelivery(30.00) = %s captured %v, %v; want succeeded 30.00", got.Status, got.Captured, err)
		}
		if again, err := e.svc.SettleOnDelivery(bg, "ord_hold", usd(3000)); err != nil || again.Version != got.Version {
			t.Errorf("settling again = %+v, %v; want nothing changed", again, err)
		}
		var raw string
		if err := e.db.Read().QueryRow(`SELECT payload FROM event_outbox WHERE aggregate = 'ord_hold' AND topic = $1`,
			payment.TopicSucceeded.Name()).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var ev payment.SucceededEvent
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			t.Fatal(err)
		}
		if want := usd((3000*29+500)/1000 + 30); ev.Amount != usd(3000) || ev.Fee == nil || *ev.Fee != want {
			t.Errorf("payment.succeeded.v1 = %+v, want 30.00 captured with a fee of %v", ev, want)
		}
		if _, err := e.svc.Refund(admin, p.ID, payment.RefundRequest{Amount: &money.Money{Amount: 3001, Currency: "USD"}, Reason: "x"}); apperr.CodeOf(err) != "refund_exceeds_captured" {
			t.Errorf("refunding more than was captured = %v, want refund_exceeds_captured", err)
		}

		v, err := e.svc.Start(bg, payment.Start{OrderID: "ord_void", CustomerID: "usr_c", Amount: usd(2000), Method: "pm_card_visa"})
		if err != nil || v.Status != payment.Authorized {
			t.Fatalf("Start = %+v, %v; want authorized", v, err)
		}
		if got, err := e.svc.SettleOnDelivery(bg, "ord_void", usd(0)); err != nil || got.Status != payment.Voided {
			t.Fatalf("SettleOnDelivery(nothing) = %s, %v; want voided", got.Status, err)
		}
		for _, in := range e.front.Intents() {
			if in.ID == v.GatewayIntentID && in.Status != "canceled" {
				t.Errorf("Stripe's intent is %s after the void, want canceled", in.Status)
			}
		}
		if diff := cmp.Diff([]string{payment.TopicAuthorized.Name(), payment.TopicVoided.Name()}, e.topics(t, "ord_void")); diff != "" {
			t.Errorf("events of the voided payment (-want +got):\n%s", diff)
		}
	})
}
