package stripegw_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v86"
	"github.com/stripe/stripe-go/v86/webhook"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw"
)

const (
	oldSecret = "whsec_old_0123456789"
	newSecret = "whsec_new_9876543210"
)

// webhookGateway needs no server: VerifyWebhook makes no call.
func webhookGateway(t *testing.T, logs *logBuffer) *stripegw.Gateway {
	t.Helper()
	g, err := stripegw.New(stripegw.Options{SecretKey: "sk_test_x", PublishableKey: pk,
		WebhookSecrets: []string{newSecret, oldSecret}, Logger: logs.logger()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

// stripeEvent is a Stripe event body around obj, in the given API version.
func stripeEvent(id, typ, apiVersion string, obj any) []byte {
	b, err := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": apiVersion, "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "type": typ, "data": map[string]any{"object": obj}})
	if err != nil {
		panic(err)
	}
	return b
}

// signed is the Stripe-Signature header for body at t, one v1 per secret
// (Stripe sends two while a secret rolls).
func signed(body []byte, t time.Time, secrets ...string) http.Header {
	header := "t=" + itoa(t.Unix())
	for _, s := range secrets {
		p := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: s, Timestamp: t})
		_, v1, _ := strings.Cut(p.Header, ",") // p.Header is "t=<unix>,v1=<hex>"
		header += "," + v1
	}
	return http.Header{"Stripe-Signature": {header}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pi(status string, extra map[string]any) map[string]any {
	o := map[string]any{"id": "pi_1", "object": "payment_intent", "amount": 1999, "amount_received": 0, "currency": "usd",
		"status": status, "client_secret": "pi_1_secret_abc", "capture_method": "automatic",
		"metadata": map[string]string{"payment_id": "pay_1", "order_id": "ord_1", "customer_id": "usr_1"}}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func refundObj(status string, extra map[string]any) map[string]any {
	o := map[string]any{"id": "re_1", "object": "refund", "amount": 500, "currency": "usd", "status": status, "payment_intent": "pi_1",
		"metadata": map[string]string{"payment_id": "pay_1", "refund_id": "rfd_1"}}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func TestVerifyWebhookParses(t *testing.T) {
	var logs logBuffer
	g := webhookGateway(t, &logs)
	sdk := &payment.NextAction{Type: "use_sdk", Gateway: "stripe", ClientSecret: "pi_1_secret_abc", PublishableKey: pk}
	intent := func(s payment.IntentStatus, amount int64) *payment.Intent {
		return &payment.Intent{ID: "pi_1", Status: s, Amount: usd(amount), PaymentID: "pay_1", OrderID: "ord_1"}
	}
	with := func(in *payment.Intent, f func(*payment.Intent)) *payment.Intent { f(in); return in }
	tests := []struct {
		name string
		typ  string
		obj  any
		want payment.WebhookEvent // ID and Type filled in below
	}{
		{"succeeded", "payment_intent.succeeded", pi("succeeded", map[string]any{"amount_received": 1999}),
			payment.WebhookEvent{Intent: intent(payment.IntentSucceeded, 1999)}},
		{"processing", "payment_intent.processing", pi("processing", nil),
			payment.WebhookEvent{Intent: intent(payment.IntentProcessing, 1999)}},
		{"declined", "payment_intent.payment_failed", pi("requires_payment_method", map[string]any{"last_payment_error": map[string]any{
			"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}}),
			payment.WebhookEvent{Intent: with(intent(payment.IntentRequiresPaymentMethod, 1999), func(in *payment.Intent) {
				in.FailureCode, in.FailureMessage = "insufficient_funds", "Your card has insufficient funds."
			})}},
		{"3-D Secure redirect", "payment_intent.requires_action", pi("requires_action", map[string]any{"next_action": map[string]any{
			"type": "redirect_to_url", "redirect_to_url": map[string]any{"url": "https://hooks.stripe.com/3ds/1", "return_url": "https://shop/r"}}}),
			payment.WebhookEvent{Intent: with(intent(payment.IntentRequiresAction, 1999), func(in *payment.Intent) {
				in.NextAction = &payment.NextAction{Type: "redirect_to_url", RedirectURL: "https://hooks.stripe.com/3ds/1"}
			})}},
		{"3-D Secure in the SDK", "payment_intent.requires_action", pi("requires_action", map[string]any{"next_action": map[string]any{
			"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{}}}),
			payment.WebhookEvent{Intent: with(intent(payment.IntentRequiresAction, 1999), func(in *payment.Intent) { in.NextAction = sdk })}},
		{"canceled", "payment_intent.canceled", pi("canceled", map[string]any{"cancellation_reason": "abandoned"}),
			payment.WebhookEvent{Intent: with(intent(payment.IntentCanceled, 1999), func(in *payment.Intent) {
				in.FailureCode, in.FailureMessage = "canceled", "The payment was canceled (abandoned)."
			})}},
		{"authorised", "payment_intent.amount_capturable_updated", pi("requires_capture", map[string]any{"amount_capturable": 1999, "capture_method": "manual"}),
			payment.WebhookEvent{Intent: intent(payment.IntentRequiresCapture, 1999)}},
		{"refund created", "refund.created", refundObj("pending", nil),
			payment.WebhookEvent{Refund: &payment.GatewayRefund{ID: "re_1", IntentID: "pi_1", Amount: usd(500), Status: payment.RefundPending, PaymentID: "pay_1", RefundID: "rfd_1"}}},
		{"refund updated", "refund.updated", refundObj("succeeded", nil),
			payment.WebhookEvent{Refund: &payment.GatewayRefund{ID: "re_1", IntentID: "pi_1", Amount: usd(500), Status: payment.RefundSucceeded, PaymentID: "pay_1", RefundID: "rfd_1"}}},
		{"refund failed", "refund.failed", refundObj("failed", map[string]any{"failure_reason": "expired_or_canceled_card"}),
			payment.WebhookEvent{Refund: &payment.GatewayRefund{ID: "re_1", IntentID: "pi_1", Amount: usd(500), Status: payment.RefundFailed,
				FailureCode: "expired_or_canceled_card", PaymentID: "pay_1", RefundID: "rfd_1"}}},
		{"charge refunded with its refunds", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "amount": 1999,
			"amount_refunded": 500, "currency": "usd", "payment_intent": "pi_1", "refunds": map[string]any{"object": "list",
				"data": []any{refundObj("succeeded", map[string]any{"payment_intent": nil})}}},
			payment.WebhookEvent{Refund: &payment.GatewayRefund{ID: "re_1", IntentID: "pi_1", Amount: usd(500), Status: payment.RefundSucceeded, PaymentID: "pay_1", RefundID: "rfd_1"}}},
		{"charge refunded without them", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge", "amount": 1999,
			"amount_refunded": 500, "currency": "usd", "payment_intent": "pi_1"}, payment.WebhookEvent{}},
		{"unknown type", "customer.created", map[string]any{"id": "cus_1", "object": "customer"}, payment.WebhookEvent{}},
		{"payment_intent.created is ignored", "payment_intent.created", pi("requires_payment_method", nil), payment.WebhookEvent{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "evt_" + itoa(int64(i))
			body := stripeEvent(id, tt.typ, stripe.APIVersion, tt.obj)
			got, err := g.VerifyWebhook(signed(body, time.Now(), newSecret), body)
			if err != nil {
				t.Fatalf("VerifyWebhook: %v", err)
			}
			tt.want.ID, tt.want.Type = id, tt.typ
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("VerifyWebhook (-want +got):\n%s", diff)
			}
		})
	}
	for _, s := range []string{newSecret, oldSecret} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log shows a webhook secret: %s", logs.String())
		}
	}
}

func TestVerifyWebhookRefuses(t *testing.T) {
	var logs logBuffer
	g := webhookGateway(t, &logs)
	good := stripeEvent("evt_1", "payment_intent.succeeded", stripe.APIVersion, pi("succeeded", map[string]any{"amount_received": 1999}))
	now := time.Now()
	noHeader := http.Header{}
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		code   string // "" accepted
	}{
		{"current secret", signed(good, now, newSecret), good, ""},
		{"previous secret, during rotation", signed(good, now, oldSecret), good, ""},
		{"both, as Stripe sends while rolling", signed(good, now, "whsec_unknown", oldSecret), good, ""},
		{"4 minutes old", signed(good, now.Add(-4*time.Minute), newSecret), good, ""},
		{"another secret", signed(good, now, "whsec_attacker"), good, "invalid_signature"},
		{"no header", noHeader, good, "invalid_signature"},
		{"garbage header", http.Header{"Stripe-Signature": {"nonsense"}}, good, "invalid_signature"},
		{"no v1", http.Header{"Stripe-Signature": {"t=" + itoa(now.Unix())}}, good, "invalid_signature"},
		{"body changed", signed(good, now, newSecret), []byte(strings.Replace(string(good), "1999", "1", 1)), "invalid_signature"},
		{"stale: 6 minutes old", signed(good, now.Add(-6*time.Minute), newSecret), good, "invalid_signature"},
		{"not JSON", signed([]byte("hello"), now, newSecret), []byte("hello"), "invalid_webhook"},
		{"not an event", signed([]byte(`{"object":"payment_intent","id":"pi_1"}`), now, newSecret), []byte(`{"object":"payment_intent","id":"pi_1"}`), "invalid_webhook"},
	}
	malformed := map[string][]byte{
		"intent that is a refund":  stripeEvent("evt_2", "payment_intent.succeeded", stripe.APIVersion, refundObj("succeeded", nil)),
		"intent that is an ID":     stripeEvent("evt_3", "payment_intent.succeeded", stripe.APIVersion, "pi_1"),
		"intent of the wrong type": stripeEvent("evt_4", "payment_intent.succeeded", stripe.APIVersion, map[string]any{"id": "pi_1", "object": "payment_intent", "amount": "lots", "currency": "usd"}),
		"refund without currency":  stripeEvent("evt_5", "refund.updated", stripe.APIVersion, map[string]any{"id": "re_1", "object": "refund", "amount": 5}),
		"charge that is a list":    stripeEvent("evt_6", "charge.refunded", stripe.APIVersion, []any{1, 2}),
	}
	for name, body := range malformed {
		tests = append(tests, struct {
			name   string
			header http.Header
			body   []byte
			code   string
		}{"malformed: " + name, signed(body, now, newSecret), body, "invalid_webhook"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := g.VerifyWebhook(tt.header, tt.body)
			if tt.code == "" {
				if err != nil || ev.Intent == nil || ev.Intent.Status != payment.IntentSucceeded {
					t.Errorf("VerifyWebhook = %+v, %v; want a succeeded intent", ev, err)
				}
				return
			}
			if apperr.KindOf(err) != apperr.KindInvalid || apperr.CodeOf(err) != tt.code {
				t.Errorf("VerifyWebhook = %+v, %v; want Invalid %q", ev, err, tt.code)
			}
		})
	}
	for _, s := range []string{newSecret, oldSecret} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the log shows a webhook secret: %s", logs.String())
		}
	}
}

// TestVerifyWebhookAPIVersion: events in the version the endpoint is pinned
// to are read (and warned about once), not refused.
func TestVerifyWebhookAPIVersion(t *testing.T) {
	var logs logBuffer
	g := webhookGateway(t, &logs)
	for i := range 2 {
		body := stripeEvent("evt_v"+itoa(int64(i)), "payment_intent.succeeded", "2025-03-31.basil", pi("succeeded", map[string]any{"amount_received": 1999}))
		ev, err := g.VerifyWebhook(signed(body, time.Now(), newSecret), body)
		if err != nil || ev.Intent == nil || ev.Intent.Status != payment.IntentSucceeded {
			t.Fatalf("VerifyWebhook(basil event) = %+v, %v; want a succeeded intent", ev, err)
		}
	}
	if n := strings.Count(logs.String(), "2025-03-31.basil"); n != 1 {
		t.Errorf("the log mentions the other API version %d times, want one warning:\n%s", n, logs.String())
	}
}

func TestVerifyWebhookWithoutSecrets(t *testing.T) {
	g, err := stripegw.New(stripegw.Options{SecretKey: "sk_test_x", Logger: (&logBuffer{}).logger()})
	if err != nil {
		t.Fatal(err)
	}
	body := stripeEvent("evt_1", "payment_intent.succeeded", stripe.APIVersion, pi("succeeded", nil))
	if _, err := g.VerifyWebhook(signed(body, time.Now(), newSecret), body); apperr.CodeOf(err) != "invalid_signature" {
		t.Errorf("VerifyWebhook with no secret configured = %v, want Invalid invalid_signature", err)
	}
}
