package payment

import (
	"strings"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

func TestCanBecome(t *testing.T) {
	allowed := map[[2]Status]bool{
		{Pending, Processing}: true, {Pending, Succeeded}: true, {Pending, Failed}: true, {Pending, Authorized}: true,
		{Processing, Succeeded}: true, {Processing, Failed}: true, {Processing, Authorized}: true,
		{Authorized, Succeeded}: true, {Authorized, Voided}: true,
		{Succeeded, PartiallyRefunded}: true, {Succeeded, Refunded}: true,
		{PartiallyRefunded, Refunded}: true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			want := allowed[[2]Status{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s.CanBecome(%s) = %v, want %v", from, to, got, want)
			}
			p := Payment{ID: "pay_x", Status: from}
			err := p.to(to, time.Now())
			if want != (err == nil) {
				t.Errorf("to(%s -> %s) = %v, want allowed %v", from, to, err, want)
			}
			if !want && (p.Status != from || apperr.CodeOf(err) != "illegal_transition") {
				t.Errorf("illegal %s -> %s left status %s, err %v; want unchanged, illegal_transition", from, to, p.Status, err)
			}
		}
	}
}

// TestApplyIntent: a gateway report moves a payment forward only.
func TestApplyIntent(t *testing.T) {
	usd := func(n int64) money.Money { return money.New(n, "USD") }
	tests := []struct {
		from   Status
		intent IntentStatus
		want   Status
		topic  string // event published, "" for none
	}{
		{Pending, IntentProcessing, Processing, ""},
		{Pending, IntentRequiresAction, Processing, ""},
		{Pending, IntentSucceeded, Succeeded, TopicSucceeded.Name()},
		{Pending, IntentRequiresPaymentMethod, Failed, TopicFailed.Name()},
		{Pending, IntentCanceled, Failed, TopicFailed.Name()},
		{Processing, IntentProcessing, Processing, ""},
		{Processing, IntentSucceeded, Succeeded, TopicSucceeded.Name()},
		{Processing, IntentRequiresPaymentMethod, Failed, TopicFailed.Name()},
		// A card payment the gateway captures at once stays under way
		// while it is only authorised (cash on delivery: below).
		{Pending, IntentRequiresCapture, Processing, ""},
		{Processing, IntentRequiresCapture, Processing, ""},
		{Authorized, IntentSucceeded, Succeeded, TopicSucceeded.Name()},
		{Authorized, IntentRequiresCapture, Authorized, ""},
		{Authorized, IntentProcessing, Authorized, ""},
		{Succeeded, IntentRequiresCapture, Succeeded, ""},
		{Voided, IntentSucceeded, Voided, ""},
		// Stale or contradicting reports change nothing.
		{Succeeded, IntentProcessing, Succeeded, ""},
		{Succeeded, IntentSucceeded, Succeeded, ""},
		{Succeeded, IntentRequiresPaymentMethod, Succeeded, ""},
		{Failed, IntentProcessing, Failed, ""},
		{Failed, IntentSucceeded, Failed, ""},
		{Failed, IntentRequiresPaymentMethod, Failed, ""},
		{PartiallyRefunded, IntentSucceeded, PartiallyRefunded, ""},
		{Refunded, IntentProcessing, Refunded, ""},
	}
	for _, tt := range tests {
		p := Payment{ID: "pay_x", OrderID: "ord_x", Status: tt.from, Amount: usd(500), GatewayIntentID: "pi_1", Method: "tok_visa"}
		evs, err := p.ApplyIntent(Intent{ID: "pi_1", Status: tt.intent, Amount: usd(500), FailureCode: "insufficient_funds"}, time.Now())
		if err != nil && err != ErrUnchanged {
			t.Errorf("%s + %s: %v", tt.from, tt.intent, err)
		}
		if p.Status != tt.want {
			t.Errorf("%s + %s = %s, want %s", tt.from, tt.intent, p.Status, tt.want)
		}
		topic := ""
		if len(evs) == 1 {
			topic = evs[0].Topic
		}
		if len(evs) > 1 || topic != tt.topic {
			t.Errorf("%s + %s published %v, want %q", tt.from, tt.intent, evs, tt.topic)
		}
	}
	// A decline of an intent the browser confirms keeps the payment open
	// (the customer may try another card on it) and says why; a success
	// after it is the payment's.
	action := &NextAction{Type: "use_sdk", ClientSecret: "pi_1_secret"}
	c := Payment{ID: "pay_c", OrderID: "ord_c", Status: Processing, Amount: usd(500), GatewayIntentID: "pi_1", NextAction: action}
	evs, err := c.ApplyIntent(Intent{ID: "pi_1", Status: IntentRequiresPaymentMethod, FailureCode: "card_declined", FailureMessage: "Your card was declined."}, time.Now())
	if err != nil || len(evs) != 0 || c.Status != Processing || c.FailureCode != "card_declined" || c.NextAction != action {
		t.Errorf("browser decline: %v %v, payment %+v; want processing with the decline shown and the action kept", evs, err, c)
	}
	if _, err := c.ApplyIntent(Intent{ID: "pi_1", Status: IntentRequiresPaymentMethod, FailureCode: "card_declined", FailureMessage: "Your card was declined."}, time.Now()); err != ErrUnchanged {
		t.Errorf("the same decline again: %v, want ErrUnchanged", err)
	}
	evs, err = c.ApplyIntent(Intent{ID: "pi_1", Status: IntentSucceeded, Amount: usd(500)}, time.Now())
	if err != nil || len(evs) != 1 || c.Status != Succeeded || c.FailureCode != "" {
		t.Errorf("success after a browser decline: %v %v, payment %+v", evs, err, c)
	}
	// Another intent, or an amount that differs, is refused.
	p := Payment{ID: "pay_x", Status: Processing, Amount: usd(500), GatewayIntentID: "pi_1"}
	if _, err := p.ApplyIntent(Intent{ID: "pi_2", Status: IntentSucceeded, Amount: usd(500)}, time.Now()); apperr.CodeOf(err) != "intent_mismatch" {
		t.Errorf("other intent: %v, want intent_mismatch", err)
	}
	if _, err := p.ApplyIntent(Intent{ID: "pi_1", Status: IntentSucceeded, Amount: usd(499)}, time.Now()); apperr.CodeOf(err) != "amount_mismatch" || p.Status != Processing {
		t.Errorf("other amount: %v (status %s), want amount_mismatch and processing", err, p.Status)
	}
	// Cash on delivery is authorised now and captured later.
	for _, from := range []Status{Pending, Processing} {
		c := Payment{ID: "pay_cod", OrderID: "ord_cod", Status: from, Amount: usd(500), GatewayIntentID: "cod_pay_cod", Method: MethodCOD}
		evs, err := c.ApplyIntent(Intent{ID: "cod_pay_cod", Status: IntentRequiresCapture, Amount: usd(500)}, time.Now())
		if err != nil || c.Status != Authorized || len(evs) != 1 || evs[0].Topic != TopicAuthorized.Name() {
			t.Errorf("cod %s + requires_capture = %s %v %v, want authorized with payment.authorized.v1", from, c.Status, evs, err)
		}
	}
	// An authorised payment is captured for at most what was authorised.
	a := Payment{ID: "pay_a", Status: Authorized, Amount: usd(500), GatewayIntentID: "pi_1"}
	if _, err := a.ApplyIntent(Intent{ID: "pi_1", Status: IntentSucceeded, Amount: usd(501)}, time.Now()); apperr.CodeOf(err) != "amount_mismatch" || a.Status != Authorized {
		t.Errorf("capture over the authorisation: %v (status %s), want amount_mismatch", err, a.Status)
	}
	if _, err := a.ApplyIntent(Intent{ID: "pi_1", Status: IntentSucceeded, Amount: usd(300)}, time.Now()); err != nil || a.Status != Succeeded || a.Captured != usd(300) {
		t.Errorf("partial capture: %v (status %s captured %v), want succeeded 3.00", err, a.Status, a.Captured)
	}
	if _, err := a.Void(time.Now()); apperr.CodeOf(err) != "illegal_transition" {
		t.Errorf("void after capture: %v, want illegal_transition", err)
	}
}

func TestRefundRules(t *testing.T) {
	usd := func(n int64) money.Money { return money.New(n, "USD") }
	now := time.Now()
	p := Payment{ID: "pay_x", Status: Succeeded, Amount: usd(1000), Captured: usd(1000), Refunded: usd(0)}
	add := func(amount money.Money) error {
		return p.AddRefund(Refund{ID: id.Refund("rfd_" + amount.String()), Amount: amount}, now)
	}
	if err := add(usd(600)); err != nil {
		t.Fatalf("refund 600 of 1000: %v", err)
	}
	// The pending 600 counts: only 400 is left.
	if err := add(usd(500)); apperr.CodeOf(err) != "refund_exceeds_captured" {
		t.Errorf("refund 500 with 600 pending = %v, want refund_exceeds_captured", err)
	}
	if err := add(money.New(100, "EUR")); apperr.CodeOf(err) != "currency_mismatch" {
		t.Errorf("refund in EUR = %v, want currency_mismatch", err)
	}
	if _, err := p.ApplyRefund("rfd_6.00 USD", GatewayRefund{ID: "re_1", Amount: usd(600), Status: RefundSucceeded}, now); err != nil {
		t.Fatal(err)
	}
	if p.Status != PartiallyRefunded || p.Refunded != usd(600) || p.Refundable() != usd(400) {
		t.Errorf("after 600: %s refunded %v refundable %v", p.Status, p.Refunded, p.Refundable())
	}
	if _, err := p.ApplyRefund("rfd_6.00 USD", GatewayRefund{ID: "re_1", Amount: usd(600), Status: RefundSucceeded}, now); err != ErrUnchanged {
		t.Errorf("applying a refund twice = %v, want ErrUnchanged", err)
	}
	if err := add(usd(400)); err != nil {
		t.Fatal(err)
	}
	evs, err := p.ApplyRefund("rfd_4.00 USD", GatewayRefund{ID: "re_2", Amount: usd(400), Status: RefundSucceeded}, now)
	if err != nil || len(evs) != 1 || !evs[0].Payload.(RefundedEvent).Full || p.Status != Refunded {
		t.Errorf("last refund: %v %v, status %s; want one full refund event and refunded", evs, err, p.Status)
	}
	if err := add(usd(1)); apperr.CodeOf(err) != "payment_fully_refunded" {
		t.Errorf("refund after full = %v, want payment_fully_refunded", err)
	}
	failed := Payment{ID: "pay_f", Status: Failed, Amount: usd(10)}
	if err := failed.AddRefund(Refund{Amount: usd(10)}, now); apperr.CodeOf(err) != "payment_not_captured" {
		t.Errorf("refund of a failed payment = %v, want payment_not_captured", err)
	}
}

func TestVerifySignature(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"evt_1"}`)
	oldKey, newKey, other := []byte("old-secret"), []byte("new-secret"), []byte("attacker")
	tests := []struct {
		name   string
		header string
		body   []byte
		ok     bool
	}{
		{"valid", Sign(body, now, newKey), body, true},
		{"signed with both while rotating", Sign(body, now, oldKey, newKey), body, true},
		{"signed with the old secret still accepted", Sign(body, now, oldKey), body, true},
		{"4 minutes old", Sign(body, now.Add(-4*time.Minute), newKey), body, true},
		{"6 minutes old", Sign(body, now.Add(-6*time.Minute), newKey), body, false},
		{"6 minutes ahead", Sign(body, now.Add(6*time.Minute), newKey), body, false},
		{"wrong secret", Sign(body, now, other), body, false},
		{"body changed", Sign(body, now, newKey), []byte(`{"id":"evt_2"}`), false},
		{"timestamp changed", strings.Replace(Sign(body, now, newKey), "t=1800000000", "t=1800000001", 1), body, false},
		{"no header", "", body, false},
		{"no signature", "t=1800000000", body, false},
		{"no timestamp", strings.TrimPrefix(Sign(body, now, newKey), "t=1800000000,"), body, false},
		{"garbage", "v1=zz,t=x", body, false},
	}
	for _, tt := range tests {
		err := VerifySignature(tt.header, tt.body, now, SignatureTolerance, oldKey, newKey)
		if (err == nil) != tt.ok {
			t.Errorf("%s: VerifySignature = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && apperr.CodeOf(err) != "invalid_signature" {
			t.Errorf("%s: code %q, want invalid_signature", tt.name, apperr.CodeOf(err))
		}
	}
}

func FuzzVerifySignature(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add(Sign([]byte("{}"), now, []byte("k")), []byte("{}"))
	f.Add("t=,v1=,v1", []byte(""))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		_ = VerifySignature(header, body, now, SignatureTolerance, []byte("k"))
	})
}

func TestLooksLikeCardNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"4242424242424242": true, "4242 4242 4242 4242": true, "4242-4242-4242-4242": true,
		"4000056655665556789": true, "378282246310005": true,
		"tok_visa": false, "123456789012": false, "12345678901234567890": false, "4242424242424242x": false, "": false,
	} {
		if got := LooksLikeCardNumber(s); got != want {
			t.Errorf("LooksLikeCardNumber(%q) = %v, want %v", s, got, want)
		}
	}
}
