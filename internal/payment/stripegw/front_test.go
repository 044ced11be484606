package stripegw_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw/stripemock"
)

// onFront returns a driver talking to a fresh front to stripe-mock.
func onFront(t *testing.T, opts stripemock.FrontOptions) (*stripegw.Gateway, *stripemock.Front) {
	t.Helper()
	f := stripemock.NewFront(t, stripemock.Start(t), opts)
	g, _ := onMock(t, f.URL, stripegw.Options{WebhookSecrets: []string{f.WebhookSecret()}})
	return g, f
}

// TestFrontOutcomes: the driver reads each of Stripe's test methods as
// Stripe's test mode answers them, through the front.
func TestFrontOutcomes(t *testing.T) {
	g, f := onFront(t, stripemock.FrontOptions{})
	tests := []struct {
		method  string
		manual  bool
		status  payment.IntentStatus
		decline string
	}{
		{"pm_card_visa", false, payment.IntentSucceeded, ""},
		{"pm_card_mastercard", false, payment.IntentSucceeded, ""},
		{"pm_card_visa", true, payment.IntentRequiresCapture, ""},
		{"pm_card_chargeDeclined", false, payment.IntentRequiresPaymentMethod, "generic_decline"},
		{"pm_card_chargeDeclinedInsufficientFunds", false, payment.IntentRequiresPaymentMethod, "insufficient_funds"},
		{"pm_card_chargeDeclinedExpiredCard", false, payment.IntentRequiresPaymentMethod, "expired_card"},
		{"pm_card_threeDSecure2Required", false, payment.IntentRequiresAction, ""},
	}
	for i, tt := range tests {
		key := "order:ord_o:attempt:" + itoa(int64(i))
		in, err := g.CreateIntent(bg, payment.IntentParams{Amount: usd(1999), Method: tt.method, IdempotencyKey: key, PaymentID: "pay_o", OrderID: "ord_o", ManualCapture: tt.manual})
		if err != nil {
			t.Errorf("CreateIntent(%s) = %v", tt.method, err)
			continue
		}
		if in.Status != tt.status || in.FailureCode != tt.decline || in.Amount != usd(1999) || in.PaymentID != "pay_o" {
			t.Errorf("CreateIntent(%s, manual %v) = %s %q %v for %q, want %s %q 19.99 USD for pay_o", tt.method, tt.manual, in.Status, in.FailureCode, in.Amount, in.PaymentID, tt.status, tt.decline)
		}
		// Retrieving it says the same.
		got, err := g.Intent(bg, in.ID)
		if err != nil || got.Status != in.Status || got.FailureCode != in.FailureCode || got.Amount != in.Amount {
			t.Errorf("Intent(%s) = %+v, %v; want %s %q %v", in.ID, got, err, in.Status, in.FailureCode, in.Amount)
		}
	}

	t.Run("client confirm waits for the browser", func(t *testing.T) {
		in, err := g.CreateIntent(bg, payment.IntentParams{Amount: usd(500), ClientConfirm: true, IdempotencyKey: "order:ord_cc:attempt:1"})
		if err != nil || in.Status != payment.IntentRequiresAction || in.NextAction == nil || in.NextAction.Type != "use_sdk" || in.FailureCode != "" {
			t.Fatalf("CreateIntent(client confirm) = %+v, %v; want requires_action use_sdk without a failure", in, err)
		}
		got, err := g.Intent(bg, in.ID)
		if err != nil || got.Status != payment.IntentRequiresAction || !strings.HasPrefix(got.NextAction.ClientSecret, in.ID+"_secret_") {
			t.Errorf("Intent = %+v, %v; want requires_action with the intent's client secret", got, err)
		}
	})

	t.Run("unknown method and unknown intent", func(t *testing.T) {
		_, err := g.CreateIntent(bg, payment.IntentParams{Amount: usd(500), Method: "pm_nope", IdempotencyKey: "order:ord_u:attempt:1"})
		if apperr.KindOf(err) != apperr.KindInvalid || apperr.CodeOf(err) != "validation_failed" {
			t.Errorf("CreateIntent(pm_nope) = %v, want Invalid validation_failed", err)
		}
		if _, err := g.Intent(bg, "pi_unknown"); apperr.CodeOf(err) != "resource_missing" {
			t.Errorf("Intent(pi_unknown) = %v, want resource_missing", err)
		}
	})

	t.Run("capture", func(t *testing.T) {
		in, err := g.CreateIntent(bg, payment.IntentParams{Amount: usd(2000), Method: "pm_card_visa", ManualCapture: true, IdempotencyKey: "order:ord_cap:attempt:1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Capture(bg, payment.CaptureParams{IntentID: in.ID, Amount: usd(2500), IdempotencyKey: "capture:over"}); apperr.KindOf(err) != apperr.KindUnprocessable {
			t.Errorf("Capture over the authorisation = %v, want Unprocessable", err)
		}
		got, err := g.Capture(bg, payment.CaptureParams{IntentID: in.ID, Amount: usd(1500), IdempotencyKey: "capture:1"})
		if err != nil || got.Status != payment.IntentSucceeded || got.Amount != usd(1500) {
			t.Fatalf("Capture(15.00) = %+v, %v; want succeeded with 15.00 received", got, err)
		}
		if _, err := g.Capture(bg, payment.CaptureParams{IntentID: in.ID, IdempotencyKey: "capture:2"}); apperr.CodeOf(err) != "payment_intent_unexpected_state" {
			t.Errorf("second Capture = %v, want payment_intent_unexpected_state", err)
		}
	})

	t.Run("refunds up to what was captured", func(t *testing.T) {
		in, err := g.CreateIntent(bg, payment.IntentParams{Amount: usd(1000), Method: "pm_card_visa", IdempotencyKey: "order:ord_rf:attempt:1"})
		if err != nil {
			t.Fatal(err)
		}
		refund := func(amount int64, key string) (payment.GatewayRefund, error) {
			return g.Refund(bg, payment.RefundParams{IntentID: in.ID, Amount: usd(amount), IdempotencyKey: key, PaymentID: "pay_rf", RefundID: key})
		}
		if r, err := refund(600, "rfd_1"); err != nil || r.Status != payment.RefundSucceeded || r.Amount != usd(600) || r.RefundID != "rfd_1" {
			t.Errorf("Refund(6.00) = %+v, %v; want succeeded 6.00 for rfd_1", r, err)
		}
		if _, err := refund(401, "rfd_2"); apperr.CodeOf(err) != "amount_too_large" {
			t.Errorf("Refund(4.01 of 4.00 left) = %v, want amount_too_large", err)
		}
		if r, err := refund(400, "rfd_3"); err != nil || r.Status != payment.RefundSucceeded {
			t.Errorf("Refund(4.00) = %+v, %v; want succeeded", r, err)
		}
		if _, err := refund(1, "rfd_4"); apperr.CodeOf(err) != "charge_already_refunded" {
			t.Errorf("Refund of a refunded intent = %v, want charge_already_refunded", err)
		}
		declined, _ := g.CreateIntent(bg, payment.IntentParams{Amount: usd(1000), Method: "pm_card_chargeDeclined", IdempotencyKey: "order:ord_rf:attempt:2"})
		if _, err := g.Refund(bg, payment.RefundParams{IntentID: declined.ID, Amount: usd(1), IdempotencyKey: "rfd_5"}); apperr.KindOf(err) != apperr.KindUnprocessable {
			t.Errorf("Refund of a declined intent = %v, want Unprocessable", err)
		}
	})

	// Every event carries a verifiable signature and the intent's state.
	for _, ev := range f.Events() {
		got, err := g.VerifyWebhook(f.Sign(ev.Body), ev.Body)
		if err != nil || got.ID != ev.ID || got.Type != ev.Type {
			t.Errorf("VerifyWebhook(%s %s) = %+v, %v", ev.Type, ev.ID, got, err)
		}
	}
}

// TestFrontIdempotency: the same key replays the first answer (one intent,
// one refund), another request under the key is refused, as with Stripe.
func TestFrontIdempotency(t *testing.T) {
	g, f := onFront(t, stripemock.FrontOptions{})
	visa := payment.IntentParams{Amount: usd(1999), Method: "pm_card_visa", IdempotencyKey: "order:ord_i:attempt:1", PaymentID: "pay_i"}
	first, err := g.CreateIntent(bg, visa)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if again, err := g.CreateIntent(bg, visa); err != nil || again.ID != first.ID {
			t.Errorf("CreateIntent again = %s, %v; want %s", again.ID, err, first.ID)
		}
	}
	other := visa
	other.Amount = usd(2000)
	if _, err := g.CreateIntent(bg, other); apperr.CodeOf(err) != "idempotency_key_reused" {
		t.Errorf("CreateIntent with the key and another amount = %v, want idempotency_key_reused", err)
	}
	declined := payment.IntentParams{Amount: usd(1999), Method: "pm_card_chargeDeclined", IdempotencyKey: "order:ord_i:attempt:2"}
	d1, err1 := g.CreateIntent(bg, declined)
	d2, err2 := g.CreateIntent(bg, declined)
	if err1 != nil || err2 != nil || d1.ID != d2.ID || d2.FailureCode != "generic_decline" {
		t.Errorf("declined twice = %s %q, %s %q (%v, %v); want one declined intent", d1.ID, d1.FailureCode, d2.ID, d2.FailureCode, err1, err2)
	}
	rp := payment.RefundParams{IntentID: first.ID, Amount: usd(500), IdempotencyKey: "payment:pay_i:refund:rfd_1"}
	r1, err1 := g.Refund(bg, rp)
	r2, err2 := g.Refund(bg, rp)
	if err1 != nil || err2 != nil || r1.ID != r2.ID {
		t.Errorf("Refund twice = %s, %s (%v, %v); want one refund", r1.ID, r2.ID, err1, err2)
	}
	if n, r := len(f.Intents()), len(f.Refunds()); n != 2 || r != 1 {
		t.Errorf("the front made %d intents and %d refunds, want 2 and 1", n, r)
	}
	if in := f.Intents()[0]; in.Refunded != 500 || in.Received != 1999 {
		t.Errorf("intent refunded %d of %d, want 500 of 1999", in.Refunded, in.Received)
	}
	if n := f.Requests("POST /v1/payment_intents"); n != 7 {
		t.Errorf("the front received %d creates, want 7", n)
	}
}

// TestFrontForwards: stripe-mock still judges every request; what it
// refuses the front refuses, unrecorded.
func TestFrontForwards(t *testing.T) {
	_, f := onFront(t, stripemock.FrontOptions{})
	post := func(path string, form url.Values, key string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, f.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+stripemock.Key)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return res.StatusCode, m
	}
	bad := url.Values{"amount": {"lots"}, "currency": {"usd"}}
	if st, m := post("/v1/payment_intents", bad, "k1"); st != 400 || !strings.Contains(str(m, "error", "message"), "validation") {
		t.Errorf("POST a non-numeric amount = %d %v, want stripe-mock's 400 validation error", st, m)
	}
	if st, m := post("/v1/payment_intents", url.Values{"amount": {"100"}, "currency": {"usd"}, "no_such_param": {"1"}}, ""); st != 400 {
		t.Errorf("POST an unknown parameter = %d %v, want stripe-mock's 400", st, m)
	}
	// A refused request saves nothing under its key.
	if st, m := post("/v1/payment_intents", url.Values{"amount": {"100"}, "currency": {"usd"}}, "k1"); st != 200 || m["status"] != "requires_payment_method" {
		t.Errorf("POST a good intent under the refused key = %d %v, want 200 requires_payment_method", st, m)
	}
	if n := len(f.Intents()); n != 1 {
		t.Errorf("the front holds %d intents, want 1", n)
	}
	// The JSON is stripe-mock's fixture with the state written over it.
	if st, m := post("/v1/transfers", url.Values{"amount": {"100"}, "currency": {"usd"}, "destination": {"acct_1"}}, "t1"); st != 200 || m["object"] != "transfer" {
		t.Errorf("POST a transfer = %d %v, want stripe-mock's transfer", st, m)
	}
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

// TestFrontConcurrentRefunds: refunds racing on one intent never take more
// than was captured.
func TestFrontConcurrentRefunds(t *testing.T) {
	g, f := onFront(t, stripemock.FrontOptions{})
	in, err := g.CreateIntent(bg, payment.IntentParams{Amount: usd(1000), Method: "pm_card_visa", IdempotencyKey: "order:ord_cr:attempt:1"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := g.Refund(bg, payment.RefundParams{IntentID: in.ID, Amount: usd(300), IdempotencyKey: "rfd_" + itoa(int64(i))})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if apperr.KindOf(err) != apperr.KindUnprocessable {
				t.Errorf("Refund = %v, want success or Unprocessable", err)
			}
		}()
	}
	wg.Wait()
	if ok != 3 || f.Intents()[0].Refunded != 900 {
		t.Errorf("%d refunds of 3.00 succeeded, %d refunded; want 3, 900", ok, f.Intents()[0].Refunded)
	}
}
