package razorpaygw_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
)

// TestWebhookEvents: the webhooks the fake sends for a payment's life parse
// into the intent and refund updates the service applies.
func TestWebhookEvents(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{})
	p, in := paid(t, g, 50000)
	r, err := g.Refund(ctx, refundParams(in, p, 20000))
	if err != nil {
		t.Fatal(err)
	}
	declined, err := g.CreateIntent(ctx, params(30000, razorpaygw.TokenFailure))
	if err != nil {
		t.Fatal(err)
	}
	inr := func(a int64) money.Money { return money.New(a, "INR") }
	want := []payment.WebhookEvent{
		{Type: "payment.authorized", Intent: &payment.Intent{ID: in.ID, Status: payment.IntentRequiresCapture, Amount: inr(50000), PaymentID: p.PaymentID, OrderID: "ord_1"}},
		// Razorpay's fee (2 % with its 18 % tax in the fake) comes with the capture.
		{Type: "payment.captured", Intent: &payment.Intent{ID: in.ID, Status: payment.IntentSucceeded, Amount: inr(50000), Fee: inr(1000), PaymentID: p.PaymentID, OrderID: "ord_1"}},
		{Type: "order.paid", Intent: &payment.Intent{ID: in.ID, Status: payment.IntentSucceeded, Amount: inr(50000), PaymentID: p.PaymentID, OrderID: "ord_1"}},
		{Type: "refund.created", Refund: &payment.GatewayRefund{ID: r.ID, IntentID: in.ID, Amount: inr(20000), Status: payment.RefundPending, PaymentID: p.PaymentID, RefundID: r.RefundID}},
		{Type: "refund.processed", Refund: &payment.GatewayRefund{ID: r.ID, IntentID: in.ID, Amount: inr(20000), Status: payment.RefundSucceeded, PaymentID: p.PaymentID, RefundID: r.RefundID}},
		{Type: "payment.failed", Intent: &payment.Intent{ID: declined.ID, Status: payment.IntentRequiresPaymentMethod, Amount: inr(30000),
			FailureCode: "payment_declined", FailureMessage: declined.FailureMessage, PaymentID: declined.PaymentID, OrderID: "ord_1"}},
	}
	var got []payment.WebhookEvent
	for _, w := range fake.Webhooks() {
		ev, err := g.VerifyWebhook(fake.Header(w), w.Body)
		if err != nil {
			t.Fatalf("VerifyWebhook(%s): %v", w.Event, err)
		}
		if ev.ID != w.ID {
			t.Errorf("VerifyWebhook(%s).ID = %q, want the X-Razorpay-Event-Id %q", w.Event, ev.ID, w.ID)
		}
		ev.ID = ""
		got = append(got, ev)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("webhook events (-want +got):\n%s", diff)
	}
}

func TestVerifyWebhook(t *testing.T) {
	now := time.Now()
	fake, g := setup(t, razorpayfake.Options{})
	rotating := newGateway(t, fake, func(o *razorpaygw.Options) { o.WebhookSecrets = []string{"whsec_next", webhookSecret} })
	strict := newGateway(t, fake, func(o *razorpaygw.Options) { o.WebhookTolerance = time.Minute })
	captured := razorpayfake.Payment{ID: "pay_Abc", Entity: "payment", Amount: 50000, Currency: "INR", Status: "captured",
		OrderID: ptr("order_Abc"), Captured: true, Notes: razorpayfake.Notes{"payment_id": "pay_ours"}}
	fresh := fake.NewWebhook("payment.captured", now, map[string]any{"payment": captured})
	signed := func(w razorpayfake.Webhook, secret string) http.Header {
		h := fake.Header(w)
		h.Set("X-Razorpay-Signature", razorpayfake.Sign(secret, string(w.Body)))
		return h
	}
	for _, tt := range []struct {
		name   string
		gw     *razorpaygw.Gateway
		header http.Header
		body   []byte
		err    string
		check  func(t *testing.T, ev payment.WebhookEvent)
	}{
		{name: "good", header: fake.Header(fresh), body: fresh.Body, check: func(t *testing.T, ev payment.WebhookEvent) {
			if ev.Intent == nil || ev.Intent.ID != "order_Abc" || ev.Intent.Status != payment.IntentSucceeded || ev.Intent.PaymentID != "pay_ours" {
				t.Errorf("VerifyWebhook = %+v, want succeeded intent order_Abc for pay_ours", ev.Intent)
			}
		}},
		{name: "bad signature", header: signed(fresh, "whsec_wrong"), body: fresh.Body, err: "invalid:invalid_signature"},
		{name: "body changed", header: fake.Header(fresh), body: append([]byte(" "), fresh.Body...), err: "invalid:invalid_signature"},
		{name: "no signature", header: http.Header{"X-Razorpay-Event-Id": {fresh.ID}}, body: fresh.Body, err: "invalid:invalid_signature"},
		{name: "signature not hex", header: http.Header{"X-Razorpay-Signature": {"zz"}}, body: fresh.Body, err: "invalid:invalid_signature"},
		{name: "rotating: the old secret", gw: rotating, header: signed(fresh, webhookSecret), body: fresh.Body},
		{name: "rotating: the new secret", gw: rotating, header: signed(fresh, "whsec_next"), body: fresh.Body},
		{name: "the new secret before it is configured", header: signed(fresh, "whsec_next"), body: fresh.Body, err: "invalid:invalid_signature"},
		{name: "stale", body: fake.NewWebhook("payment.captured", now.Add(-6*time.Minute), map[string]any{"payment": captured}).Body,
			err: "invalid:invalid_signature"},
		{name: "from the future", body: fake.NewWebhook("payment.captured", now.Add(6*time.Minute), map[string]any{"payment": captured}).Body,
			err: "invalid:invalid_signature"},
		{name: "within the tolerance", body: fake.NewWebhook("payment.captured", now.Add(-4*time.Minute), map[string]any{"payment": captured}).Body},
		{name: "a tighter tolerance", gw: strict, body: fake.NewWebhook("payment.captured", now.Add(-2*time.Minute), map[string]any{"payment": captured}).Body,
			err: "invalid:invalid_signature"},
		{name: "signed but not an event", body: []byte(`{"hello":"world"}`), err: "invalid:invalid_webhook"},
		{name: "unknown event", body: fake.NewWebhook("settlement.processed", now, map[string]any{}).Body, check: func(t *testing.T, ev payment.WebhookEvent) {
			if ev.Intent != nil || ev.Refund != nil || ev.ID == "" || ev.Type != "settlement.processed" {
				t.Errorf("VerifyWebhook(unknown) = %+v, want an event with an ID and neither intent nor refund", ev)
			}
		}},
		{name: "a payment of no order", body: fake.NewWebhook("payment.captured", now, map[string]any{"payment": razorpayfake.Payment{
			ID: "pay_X", Entity: "payment", Amount: 100, Currency: "INR", Status: "captured"}}).Body, check: func(t *testing.T, ev payment.WebhookEvent) {
			if ev.Intent != nil {
				t.Errorf("VerifyWebhook(payment without order) = intent %+v, want none", ev.Intent)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := tt.gw
			if gw == nil {
				gw = g
			}
			h := tt.header
			if h == nil {
				h = fake.Header(razorpayfake.Webhook{ID: "evt_x", Body: tt.body})
			}
			ev, err := gw.VerifyWebhook(h, tt.body)
			if kindCode(err) != tt.err {
				t.Fatalf("VerifyWebhook = %v, want %s", err, tt.err)
			}
			if err == nil && tt.check != nil {
				tt.check(t, ev)
			}
		})
	}
	t.Run("duplicate and missing IDs", func(t *testing.T) {
		a, _ := g.VerifyWebhook(fake.Header(fresh), fresh.Body)
		b, _ := g.VerifyWebhook(fake.Header(fresh), fresh.Body)
		if a.ID == "" || a.ID != b.ID {
			t.Errorf("a redelivery has ID %q, the first %q; want the same", b.ID, a.ID)
		}
		h := fake.Header(fresh)
		h.Del("X-Razorpay-Event-Id")
		c, err := g.VerifyWebhook(h, fresh.Body)
		d, _ := g.VerifyWebhook(h, fresh.Body)
		if err != nil || c.ID == "" || c.ID != d.ID {
			t.Errorf("without the event ID header: IDs %q and %q, %v; want one stable ID from the body", c.ID, d.ID, err)
		}
	})
}

func ptr(s string) *string { return &s }
