package razorpaygw_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
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
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymenttest"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
)

const webhookSecret = "whsec_current_0123456789"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// setup starts a fake Razorpay and a driver pointed at it.
func setup(t *testing.T, fopts razorpayfake.Options, edit ...func(*razorpaygw.Options)) (*razorpayfake.Server, *razorpaygw.Gateway) {
	t.Helper()
	if fopts.WebhookSecret == "" {
		fopts.WebhookSecret = webhookSecret
	}
	fake := razorpayfake.NewServer(fopts)
	t.Cleanup(fake.Close)
	return fake, newGateway(t, fake, edit...)
}

func newGateway(t *testing.T, fake *razorpayfake.Server, edit ...func(*razorpaygw.Options)) *razorpaygw.Gateway {
	t.Helper()
	opts := razorpaygw.Options{KeyID: fake.KeyID(), KeySecret: fake.KeySecret(), WebhookSecrets: []string{webhookSecret},
		APIBase: fake.APIBase, TestTokens: true, Timeout: 2 * time.Second, Logger: quiet}
	for _, e := range edit {
		e(&opts)
	}
	g, err := razorpaygw.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func params(amount int64, method string) payment.IntentParams {
	pid := id.New("pay")
	return payment.IntentParams{Amount: money.New(amount, "INR"), Method: method, IdempotencyKey: "order:ord_1:attempt:1",
		OrderID: "ord_1", PaymentID: pid, CustomerID: "usr_c"}
}

func checkout(p payment.IntentParams) payment.IntentParams {
	p.Method, p.ClientConfirm = "", true
	return p
}

// kindCode is an error's kind and code, "" for nil, for comparisons.
func kindCode(err error) string {
	if err == nil {
		return ""
	}
	e, ok := apperr.As(err)
	if !ok {
		return "unclassified"
	}
	k := map[apperr.Kind]string{apperr.KindInvalid: "invalid", apperr.KindUnprocessable: "unprocessable"}[e.Kind]
	if k == "" {
		k = fmt.Sprint(e.Kind)
	}
	return k + ":" + e.Code
}

func TestTestMethodNoteMatchesTheFake(t *testing.T) {
	if razorpaygw.TestMethodNote != razorpayfake.TestMethodNote {
		t.Errorf("TestMethodNote = %q, the fake's is %q", razorpaygw.TestMethodNote, razorpayfake.TestMethodNote)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	ok := razorpaygw.Options{KeyID: "rzp_test_x", KeySecret: "s", WebhookSecrets: []string{"w"}}
	for _, tt := range []struct {
		name string
		edit func(*razorpaygw.Options)
	}{
		{"no key ID", func(o *razorpaygw.Options) { o.KeyID = "" }},
		{"no key secret", func(o *razorpaygw.Options) { o.KeySecret = "" }},
		{"no webhook secret", func(o *razorpaygw.Options) { o.WebhookSecrets = nil }},
		{"an empty webhook secret", func(o *razorpaygw.Options) { o.WebhookSecrets = []string{"w", ""} }},
		{"test tokens against Razorpay", func(o *razorpaygw.Options) { o.TestTokens = true }},
		{"test tokens against Razorpay, explicitly", func(o *razorpaygw.Options) {
			o.TestTokens, o.APIBase = true, "https://api.razorpay.com/v1"
		}},
		{"a base that is no URL", func(o *razorpaygw.Options) { o.APIBase = "api.razorpay.com" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			if _, err := razorpaygw.New(o); err == nil {
				t.Errorf("New(%s) = nil error, want one", tt.name)
			}
		})
	}
	if _, err := razorpaygw.New(ok); err != nil {
		t.Errorf("New(valid) = %v", err)
	}
}

func TestCreateIntent(t *testing.T) {
	fake, g := setup(t, razorpayfake.Options{})
	ctx := context.Background()
	for _, tt := range []struct {
		name     string
		in       payment.IntentParams
		status   payment.IntentStatus
		code     string // failure code
		err      string // kindCode
		orders   int    // orders the fake holds for the receipt afterwards
		checkout bool   // a use_sdk next action is expected
	}{
		{name: "checkout", in: checkout(params(50000, "")), status: payment.IntentRequiresAction, orders: 1, checkout: true},
		{name: "test token succeeds", in: params(50000, razorpaygw.TokenSuccess), status: payment.IntentSucceeded, orders: 1},
		{name: "test token declined", in: params(50000, razorpaygw.TokenFailure), status: payment.IntentRequiresPaymentMethod, code: "payment_declined", orders: 1},
		{name: "insufficient funds", in: params(50000, razorpaygw.TokenInsufficientFunds), status: payment.IntentRequiresPaymentMethod, code: "insufficient_funds", orders: 1},
		{name: "manual capture", in: func() payment.IntentParams {
			p := params(50000, razorpaygw.TokenSuccess)
			p.ManualCapture = true
			return p
		}(), status: payment.IntentRequiresCapture, orders: 1},
		{name: "no method, no checkout", in: params(50000, ""), err: "invalid:validation_failed"},
		{name: "unknown token", in: params(50000, "tok_visa"), err: "invalid:validation_failed"},
		{name: "card number", in: params(50000, "4242 4242 4242 4242"), err: "invalid:validation_failed"},
		{name: "no amount", in: params(0, razorpaygw.TokenSuccess), err: "invalid:validation_failed"},
		{name: "under Razorpay's minimum", in: checkout(params(99, "")), err: "unprocessable:input_validation_failed"},
		{name: "a currency Razorpay does not take", in: func() payment.IntentParams {
			p := checkout(params(50000, ""))
			p.Amount.Currency = "XAU"
			return p
		}(), err: "unprocessable:input_validation_failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.CreateIntent(ctx, tt.in)
			if kindCode(err) != tt.err {
				t.Fatalf("CreateIntent = %v, want %s", err, tt.err)
			}
			if strings.Contains(fmt.Sprint(err), "4242") {
				t.Errorf("the error repeats the card number: %v", err)
			}
			if err != nil {
				return
			}
			if got.Status != tt.status || got.FailureCode != tt.code {
				t.Errorf("CreateIntent = %s %q, want %s %q", got.Status, got.FailureCode, tt.status, tt.code)
			}
			if got.PaymentID != tt.in.PaymentID || got.OrderID != tt.in.OrderID || got.Amount != tt.in.Amount {
				t.Errorf("CreateIntent = payment %q order %q %v, want %q %q %v", got.PaymentID, got.OrderID, got.Amount,
					tt.in.PaymentID, tt.in.OrderID, tt.in.Amount)
			}
			var want *payment.NextAction
			if tt.checkout {
				want = &payment.NextAction{Type: "use_sdk", Gateway: "razorpay", PublishableKey: fake.KeyID(), GatewayOrderID: got.ID}
			}
			if diff := cmp.Diff(want, got.NextAction); diff != "" {
				t.Errorf("NextAction (-want +got):\n%s", diff)
			}
			o, ok := fake.Order(got.ID)
			if !ok {
				t.Fatalf("the fake has no order %s", got.ID)
			}
			if o.Receipt == nil || *o.Receipt != tt.in.PaymentID || o.Amount != tt.in.Amount.Amount || o.Notes["customer_id"] != "usr_c" {
				t.Errorf("order %s: receipt %v amount %d notes %v; want receipt %s amount %d and the customer in notes",
					o.ID, o.Receipt, o.Amount, o.Notes, tt.in.PaymentID, tt.in.Amount.Amount)
			}
			// Again with the same payment: the same order, no second one.
			again, err := g.CreateIntent(ctx, tt.in)
			if err != nil || again.ID != got.ID || again.Status != got.Status {
				t.Errorf("CreateIntent again = %s %s, %v; want %s %s", again.ID, again.Status, err, got.ID, got.Status)
			}
			if n := ordersWithReceipt(fake, tt.in.PaymentID); n != tt.orders {
				t.Errorf("the fake holds %d orders for the receipt, want %d", n, tt.orders)
			}
		})
	}
	t.Run("same payment, another amount", func(t *testing.T) {
		p := checkout(params(50000, ""))
		if _, err := g.CreateIntent(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Amount.Amount = 60000
		if _, err := g.CreateIntent(ctx, p); kindCode(err) != "unprocessable:idempotency_key_reused" {
			t.Errorf("CreateIntent(other amount) = %v, want idempotency_key_reused", err)
		}
	})
}

func ordersWithReceipt(fake *razorpayfake.Server, receipt string) int {
	n := 0
	for _, o := range fake.Orders() {
		if o.Receipt != nil && *o.Receipt == receipt {
			n++
		}
	}
	return n
}

// TestCreateIntentRetry: a create whose answer is lost (a timeout after
// Razorpay made the order, or a connection cut) finds the order on retry.
func TestCreateIntentRetry(t *testing.T) {
	ctx := context.Background()
	t.Run("timeout after the order was made", func(t *testing.T) {
		fake, g := setup(t, razorpayfake.Options{}, func(o *razorpaygw.Options) { o.Timeout = 200 * time.Millisecond })
		fake.Inject(razorpayfake.Fault{Route: "POST /v1/orders", After: true, Delay: 5 * time.Second})
		p := checkout(params(50000, ""))
		_, err := g.CreateIntent(ctx, p)
		if err == nil || apperr.KindOf(err) != apperr.KindInternal {
			t.Fatalf("CreateIntent past the timeout = %v, want an unclassified error", err)
		}
		if n := ordersWithReceipt(fake, p.PaymentID); n != 1 {
			t.Fatalf("after the timeout the fake holds %d orders, want 1 (made, answer lost)", n)
		}
		got, err := g.CreateIntent(ctx, p)
		if err != nil {
			t.Fatalf("retry: %v", err)
		}
		if n := ordersWithReceipt(fake, p.PaymentID); n != 1 {
			t.Errorf("after the retry the fake holds %d orders, want 1", n)
		}
		if o := fake.Orders()[0]; got.ID != o.ID {
			t.Errorf("retry = %s, want the first order %s", got.ID, o.ID)
		}
		if n := fake.Calls("POST /v1/orders"); n != 1 {
			t.Errorf("POST /orders called %d times, want 1", n)
		}
	})
	t.Run("answer lost on the way back", func(t *testing.T) {
		fake, g := setup(t, razorpayfake.Options{})
		c := &paymenttest.Counting{Gateway: g, LoseCreates: 1}
		p := params(50000, razorpaygw.TokenSuccess)
		if _, err := c.CreateIntent(ctx, p); !errors.Is(err, paymenttest.ErrLost) {
			t.Fatalf("first CreateIntent = %v, want ErrLost", err)
		}
		got, err := c.CreateIntent(ctx, p)
		if err != nil || got.Status != payment.IntentSucceeded {
			t.Fatalf("retry = %s, %v; want succeeded", got.Status, err)
		}
		if n := ordersWithReceipt(fake, p.PaymentID); n != 1 {
			t.Errorf("the fake holds %d orders, want 1", n)
		}
		var captured int
		for _, o := range fake.Orders() {
			if o.AmountPaid > 0 {
				captured++
			}
		}
		if captured != 1 {
			t.Errorf("%d orders paid, want 1 (never a second charge)", captured)
		}
	})
	t.Run("concurrent creates make one order", func(t *testing.T) {
		fake, g := setup(t, razorpayfake.Options{})
		p := checkout(params(50000, ""))
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in, err := g.CreateIntent(ctx, p)
				if err != nil {
					t.Errorf("CreateIntent %d: %v", i, err)
				}
				ids[i] = in.ID
			}()
		}
		wg.Wait()
		for i := range ids {
			if ids[i] != ids[0] {
				t.Errorf("CreateIntent %d = %s, want %s", i, ids[i], ids[0])
			}
		}
		if n := ordersWithReceipt(fake, p.PaymentID); n != 1 {
			t.Errorf("the fake holds %d orders, want 1", n)
		}
	})
}

func TestConfirmClient(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{})
	newOrder := func(t *testing.T, manual bool) payment.Intent {
		t.Helper()
		p := checkout(params(50000, ""))
		p.ManualCapture = manual
		in, err := g.CreateIntent(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	pay := func(t *testing.T, orderID string, out razorpayfake.Outcome) razorpayfake.Checkout {
		t.Helper()
		c, err := fake.Pay(orderID, out)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tt := range []struct {
		name      string
		manual    bool
		outcome   razorpayfake.Outcome
		edit      func(t *testing.T, p payment.ClientProof) // what the browser sent instead
		status    payment.IntentStatus
		err       string
		payStatus string // the Razorpay payment's status afterwards
		captures  int    // capture calls the confirmation made
	}{
		{name: "paid and captured by Razorpay", outcome: razorpayfake.Success, status: payment.IntentSucceeded, payStatus: "captured"},
		{name: "authorised only: captured here", outcome: razorpayfake.Authorized, status: payment.IntentSucceeded, payStatus: "captured", captures: 1},
		{name: "manual capture: left authorised", manual: true, outcome: razorpayfake.Success, status: payment.IntentRequiresCapture, payStatus: "authorized"},
		{name: "bad signature", outcome: razorpayfake.Authorized, err: "invalid:invalid_signature", payStatus: "authorized",
			edit: func(_ *testing.T, p payment.ClientProof) {
				s := []byte(p["razorpay_signature"])
				s[0] ^= 1
				p["razorpay_signature"] = string(s)
			}},
		{name: "signature not hex", outcome: razorpayfake.Authorized, err: "invalid:invalid_signature", payStatus: "authorized",
			edit: func(_ *testing.T, p payment.ClientProof) { p["razorpay_signature"] = "not-a-signature" }},
		{name: "no signature", outcome: razorpayfake.Authorized, err: "invalid:validation_failed", payStatus: "authorized",
			edit: func(_ *testing.T, p payment.ClientProof) { delete(p, "razorpay_signature") }},
		{name: "the proof of another order", outcome: razorpayfake.Authorized, err: "invalid:order_mismatch", payStatus: "authorized",
			edit: func(t *testing.T, p payment.ClientProof) {
				other := pay(t, newOrder(t, false).ID, razorpayfake.Authorized)
				for k, v := range other.Proof() {
					p[k] = v
				}
			}},
		{name: "another order's payment and signature, this order's ID", outcome: razorpayfake.Authorized, err: "invalid:invalid_signature", payStatus: "authorized",
			edit: func(t *testing.T, p payment.ClientProof) {
				other := pay(t, newOrder(t, false).ID, razorpayfake.Authorized)
				p["razorpay_payment_id"], p["razorpay_signature"] = other.PaymentID, other.Signature
			}},
		{name: "signed with another secret", outcome: razorpayfake.Authorized, err: "invalid:invalid_signature", payStatus: "authorized",
			edit: func(_ *testing.T, p payment.ClientProof) {
				p["razorpay_signature"] = razorpayfake.Sign("not the secret", p["razorpay_order_id"]+"|"+p["razorpay_payment_id"])
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := newOrder(t, tt.manual)
			c := pay(t, in.ID, tt.outcome)
			proof := c.Proof()
			if tt.edit != nil {
				tt.edit(t, proof)
			}
			before := fake.Calls("POST /v1/payments/{id}/capture")
			got, err := g.ConfirmClient(ctx, in.ID, proof)
			if kindCode(err) != tt.err {
				t.Fatalf("ConfirmClient = %v, want %s", err, tt.err)
			}
			if err == nil && (got.Status != tt.status || got.ID != in.ID || got.Amount != in.Amount || got.PaymentID != in.PaymentID) {
				t.Errorf("ConfirmClient = %s %s %v %s, want %s %s %v %s", got.ID, got.Status, got.Amount, got.PaymentID,
					in.ID, tt.status, in.Amount, in.PaymentID)
			}
			if p, _ := fake.Payment(c.PaymentID); p.Status != tt.payStatus {
				t.Errorf("Razorpay payment is %s, want %s", p.Status, tt.payStatus)
			}
			if n := fake.Calls("POST /v1/payments/{id}/capture") - before; n != tt.captures {
				t.Errorf("%d capture calls, want %d", n, tt.captures)
			}
		})
	}
}

func TestCapture(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{})
	p := checkout(params(50000, ""))
	p.ManualCapture = true
	in, err := g.CreateIntent(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	capture := func(amount int64) (payment.Intent, error) {
		return g.Capture(ctx, payment.CaptureParams{IntentID: in.ID, Amount: money.New(amount, "INR"), IdempotencyKey: "capture:" + p.PaymentID})
	}
	if _, err := capture(50000); kindCode(err) != "unprocessable:not_authorized" {
		t.Errorf("Capture before payment = %v, want not_authorized", err)
	}
	c, err := fake.Pay(in.ID, razorpayfake.Success)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := g.Intent(ctx, in.ID); err != nil || got.Status != payment.IntentRequiresCapture {
		t.Errorf("Intent once authorised = %s, %v; want requires_capture", got.Status, err)
	}
	for _, tt := range []struct {
		name   string
		amount int64
		status payment.IntentStatus
		err    string
	}{
		{"part of it", 20000, "", "unprocessable:capture_amount_mismatch"},
		{"more than authorised", 60000, "", "unprocessable:capture_amount_mismatch"},
		{"all of it", 50000, payment.IntentSucceeded, ""},
		{"again", 50000, payment.IntentSucceeded, ""},
	} {
		got, err := capture(tt.amount)
		if kindCode(err) != tt.err || got.Status != tt.status {
			t.Errorf("Capture(%s) = %s, %v; want %s %s", tt.name, got.Status, err, tt.status, tt.err)
		}
	}
	if n := fake.Calls("POST /v1/payments/{id}/capture"); n != 1 {
		t.Errorf("capture called %d times, want 1", n)
	}
	if rp, _ := fake.Payment(c.PaymentID); rp.Status != "captured" {
		t.Errorf("Razorpay payment is %s, want captured", rp.Status)
	}
	if got, err := g.Intent(ctx, in.ID); err != nil || got.Status != payment.IntentSucceeded || got.Amount != p.Amount {
		t.Errorf("Intent after capture = %s %v, %v; want succeeded %v", got.Status, got.Amount, err, p.Amount)
	}
}

// TestCaptureLostAnswer: a capture whose answer was lost is found done.
func TestCaptureLostAnswer(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{})
	p := checkout(params(50000, ""))
	p.ManualCapture = true
	in, _ := g.CreateIntent(ctx, p)
	if _, err := fake.Pay(in.ID, razorpayfake.Success); err != nil {
		t.Fatal(err)
	}
	fake.Inject(razorpayfake.Fault{Route: "POST /v1/payments/{id}/capture", After: true, Status: 502})
	cp := payment.CaptureParams{IntentID: in.ID, Amount: p.Amount, IdempotencyKey: "k"}
	if _, err := g.Capture(ctx, cp); err == nil || apperr.KindOf(err) != apperr.KindInternal {
		t.Fatalf("Capture with its answer lost = %v, want an unclassified error", err)
	}
	if got, err := g.Capture(ctx, cp); err != nil || got.Status != payment.IntentSucceeded {
		t.Errorf("Capture retry = %s, %v; want succeeded", got.Status, err)
	}
}

func TestIntent(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{})
	for _, tt := range []struct {
		name     string
		manual   bool
		pay      []razorpayfake.Outcome
		status   payment.IntentStatus
		code     string
		captures int
	}{
		{name: "not paid yet", status: payment.IntentRequiresAction},
		{name: "paid", pay: []razorpayfake.Outcome{razorpayfake.Success}, status: payment.IntentSucceeded},
		{name: "declined", pay: []razorpayfake.Outcome{razorpayfake.Declined}, status: payment.IntentRequiresPaymentMethod, code: "payment_declined"},
		{name: "declined, then paid", pay: []razorpayfake.Outcome{razorpayfake.Declined, razorpayfake.Success}, status: payment.IntentSucceeded},
		{name: "authorised, manual capture", manual: true, pay: []razorpayfake.Outcome{razorpayfake.Success}, status: payment.IntentRequiresCapture},
		// The customer closed the page before the confirm step: the
		// reconciler's Intent captures what the order asked to be captured.
		{name: "authorised, automatic capture", pay: []razorpayfake.Outcome{razorpayfake.Authorized}, status: payment.IntentSucceeded, captures: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := checkout(params(50000, ""))
			p.ManualCapture = tt.manual
			in, err := g.CreateIntent(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range tt.pay {
				if _, err := fake.Pay(in.ID, out); err != nil {
					t.Fatal(err)
				}
			}
			before := fake.Calls("POST /v1/payments/{id}/capture")
			got, err := g.Intent(ctx, in.ID)
			if err != nil {
				t.Fatalf("Intent: %v", err)
			}
			if got.Status != tt.status || got.FailureCode != tt.code || got.PaymentID != p.PaymentID || got.OrderID != p.OrderID {
				t.Errorf("Intent = %s %q %s %s, want %s %q %s %s", got.Status, got.FailureCode, got.PaymentID, got.OrderID,
					tt.status, tt.code, p.PaymentID, p.OrderID)
			}
			if tt.code != "" && got.FailureMessage == "" {
				t.Errorf("Intent of a declined payment has no failure message")
			}
			if n := fake.Calls("POST /v1/payments/{id}/capture") - before; n != tt.captures {
				t.Errorf("%d capture calls, want %d", n, tt.captures)
			}
		})
	}
	if _, err := g.Intent(ctx, "order_Nope0000000000"); kindCode(err) != "unprocessable:input_validation_failed" {
		t.Errorf("Intent(unknown order) = %v, want Razorpay's refusal", err)
	}
	if _, err := g.Intent(ctx, "pi_123"); kindCode(err) != "invalid:resource_missing" {
		t.Errorf("Intent(not an order ID) = %v, want invalid:resource_missing", err)
	}
}

// paid returns a succeeded intent of amount.
func paid(t *testing.T, g *razorpaygw.Gateway, amount int64) (payment.IntentParams, payment.Intent) {
	t.Helper()
	p := params(amount, razorpaygw.TokenSuccess)
	in, err := g.CreateIntent(context.Background(), p)
	if err != nil || in.Status != payment.IntentSucceeded {
		t.Fatalf("CreateIntent = %s, %v; want succeeded", in.Status, err)
	}
	return p, in
}

func refundParams(in payment.Intent, p payment.IntentParams, amount int64) payment.RefundParams {
	rid := id.New("rfd")
	return payment.RefundParams{IntentID: in.ID, Amount: money.New(amount, "INR"), PaymentID: p.PaymentID, RefundID: rid,
		IdempotencyKey: "payment:" + p.PaymentID + ":refund:" + rid}
}

func TestRefund(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{})
	p, in := paid(t, g, 50000)
	first := refundParams(in, p, 20000)
	reused := first
	reused.Amount = money.New(25000, "INR")
	inUSD := refundParams(in, p, 1000)
	inUSD.Amount.Currency = "USD"
	var firstID string
	for _, tt := range []struct {
		name   string
		in     payment.RefundParams
		err    string
		status payment.RefundStatus
		same   bool // the same Razorpay refund as the first
	}{
		{name: "partial", in: first, status: payment.RefundSucceeded},
		{name: "the same again", in: first, status: payment.RefundSucceeded, same: true},
		{name: "the same key, another amount", in: reused, err: "unprocessable:idempotency_key_reused"},
		{name: "over what is left", in: refundParams(in, p, 30001), err: "unprocessable:refund_exceeds_captured"},
		{name: "another currency", in: inUSD, err: "unprocessable:currency_mismatch"},
		{name: "under Razorpay's minimum", in: refundParams(in, p, 50), err: "unprocessable:input_validation_failed"},
		{name: "no amount", in: refundParams(in, p, 0), err: "invalid:validation_failed"},
		{name: "the rest", in: refundParams(in, p, 30000), status: payment.RefundSucceeded},
		{name: "nothing left", in: refundParams(in, p, 100), err: "unprocessable:refund_exceeds_captured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Refund(ctx, tt.in)
			if kindCode(err) != tt.err {
				t.Fatalf("Refund = %v, want %s", err, tt.err)
			}
			if err != nil {
				return
			}
			want := payment.GatewayRefund{ID: got.ID, IntentID: in.ID, Amount: tt.in.Amount, Status: tt.status,
				PaymentID: p.PaymentID, RefundID: tt.in.RefundID}
			if diff := cmp.Diff(want, got); diff != "" || !strings.HasPrefix(got.ID, "rfnd_") {
				t.Errorf("Refund %s (-want +got):\n%s", got.ID, diff)
			}
			if firstID == "" {
				firstID = got.ID
			}
			if tt.same && got.ID != firstID {
				t.Errorf("Refund again = %s, want %s", got.ID, firstID)
			}
		})
	}
	rp := fake.Payments(in.ID)
	if len(rp) != 1 || rp[0].AmountRefunded != 50000 || rp[0].Status != "refunded" {
		t.Fatalf("Razorpay payments of the order = %+v, want one refunded in full", rp)
	}
	if rs := fake.Refunds(rp[0].ID); len(rs) != 2 {
		t.Errorf("Razorpay holds %d refunds, want 2", len(rs))
	}

	t.Run("not captured", func(t *testing.T) {
		q := checkout(params(50000, ""))
		open, _ := g.CreateIntent(ctx, q)
		if _, err := g.Refund(ctx, refundParams(open, q, 100)); kindCode(err) != "unprocessable:charge_not_captured" {
			t.Errorf("Refund of an unpaid order = %v, want charge_not_captured", err)
		}
	})
	t.Run("answer lost", func(t *testing.T) {
		p, in := paid(t, g, 50000)
		fake.Inject(razorpayfake.Fault{Route: "POST /v1/payments/{id}/refund", After: true, Status: 500})
		r := refundParams(in, p, 10000)
		if _, err := g.Refund(ctx, r); err == nil || apperr.KindOf(err) != apperr.KindInternal {
			t.Fatalf("Refund with its answer lost = %v, want an unclassified error", err)
		}
		got, err := g.Refund(ctx, r)
		if err != nil || got.Status != payment.RefundSucceeded {
			t.Fatalf("Refund retry = %+v, %v", got, err)
		}
		if rs := fake.Refunds(fake.Payments(in.ID)[0].ID); len(rs) != 1 || rs[0].ID != got.ID {
			t.Errorf("Razorpay holds %d refunds, want just %s", len(rs), got.ID)
		}
	})
}

func TestRefundPendingThenSettled(t *testing.T) {
	ctx := context.Background()
	fake, g := setup(t, razorpayfake.Options{PendingRefunds: true})
	p, in := paid(t, g, 50000)
	ok, err := g.Refund(ctx, refundParams(in, p, 10000))
	if err != nil || ok.Status != payment.RefundPending {
		t.Fatalf("Refund = %s, %v; want pending", ok.Status, err)
	}
	bad, err := g.Refund(ctx, refundParams(in, p, 40000))
	if err != nil || bad.Status != payment.RefundPending {
		t.Fatalf("Refund = %s, %v; want pending", bad.Status, err)
	}
	if err := fake.SettleRefund(ok.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := fake.SettleRefund(bad.ID, false); err != nil {
		t.Fatal(err)
	}
	got := map[string]payment.RefundStatus{}
	for _, w := range fake.Webhooks() {
		ev, err := g.VerifyWebhook(fake.Header(w), w.Body)
		if err != nil {
			t.Fatalf("VerifyWebhook(%s): %v", w.Event, err)
		}
		if ev.Refund != nil && (w.Event == "refund.processed" || w.Event == "refund.failed") {
			got[ev.Refund.ID+" "+w.Event] = ev.Refund.Status
			if ev.Refund.IntentID != in.ID || ev.Refund.PaymentID != p.PaymentID || ev.Refund.RefundID == "" {
				t.Errorf("%s: refund %+v, want intent %s, payment %s and our refund ID", w.Event, *ev.Refund, in.ID, p.PaymentID)
			}
		}
	}
	want := map[string]payment.RefundStatus{ok.ID + " refund.processed": payment.RefundSucceeded, bad.ID + " refund.failed": payment.RefundFailed}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refund webhooks (-want +got):\n%s", diff)
	}
	// The failed refund's amount can be refunded again.
	if r, err := g.Refund(ctx, refundParams(in, p, 40000)); err != nil {
		t.Errorf("Refund after a failed refund = %+v, %v; want it made", r, err)
	}
}

// TestConcurrentRefunds: refunds racing from two processes (two drivers,
// whose in-process locks do not see each other) never exceed the capture.
func TestConcurrentRefunds(t *testing.T) {
	ctx := context.Background()
	fake, g1 := setup(t, razorpayfake.Options{})
	g2 := newGateway(t, fake)
	p, in := paid(t, g1, 50000)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := g1
			if i%2 == 1 {
				g = g2
			}
			_, errs[i] = g.Refund(ctx, refundParams(in, p, 15000))
		}()
	}
	wg.Wait()
	made := 0
	for i, err := range errs {
		switch {
		case err == nil:
			made++
		case apperr.KindOf(err) != apperr.KindUnprocessable:
			t.Errorf("Refund %d = %v, want success or Unprocessable", i, err)
		}
	}
	rp := fake.Payments(in.ID)[0]
	if made != 3 || rp.AmountRefunded != 45000 || len(fake.Refunds(rp.ID)) != 3 {
		t.Errorf("%d concurrent refunds of 150.00 from 500.00: %d made, %d refunded in %d refunds; want 3, 45000, 3",
			n, made, rp.AmountRefunded, len(fake.Refunds(rp.ID)))
	}
}

func TestErrorClassification(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		fault razorpayfake.Fault
		edit  func(*razorpaygw.Options)
		want  string
	}{
		{name: "500", fault: razorpayfake.Fault{Status: 500}, want: "unclassified"},
		{name: "502", fault: razorpayfake.Fault{Status: 502}, want: "unclassified"},
		{name: "429", fault: razorpayfake.Fault{Status: 429}, want: "unclassified"},
		{name: "stall past the timeout", fault: razorpayfake.Fault{Delay: 5 * time.Second}, want: "unclassified"},
		{name: "wrong key secret", edit: func(o *razorpaygw.Options) { o.KeySecret = "wrong" }, want: "unclassified"},
		{name: "unreachable", edit: func(o *razorpaygw.Options) { o.APIBase = "http://127.0.0.1:1/v1" }, want: "unclassified"},
		{name: "no fault", want: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			edit := func(o *razorpaygw.Options) {
				o.Timeout = 300 * time.Millisecond
				if tt.edit != nil {
					tt.edit(o)
				}
			}
			fake, g := setup(t, razorpayfake.Options{}, edit)
			if tt.fault != (razorpayfake.Fault{}) {
				fake.Inject(tt.fault)
			}
			start := time.Now()
			_, err := g.CreateIntent(ctx, checkout(params(50000, "")))
			if kindCode(err) != tt.want {
				t.Errorf("CreateIntent = %v, want %s", err, tt.want)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("CreateIntent took %v; the 300 ms timeout did not hold", took)
			}
		})
	}
	t.Run("a cancelled context", func(t *testing.T) {
		fake, g := setup(t, razorpayfake.Options{})
		fake.Inject(razorpayfake.Fault{Delay: 5 * time.Second})
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := g.Intent(cctx, "order_Abc"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Intent past the context's deadline = %v, want DeadlineExceeded", err)
		}
	})
}

func TestSecretsNeverLogged(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fake, g := setup(t, razorpayfake.Options{KeySecret: "ks_SUPERSECRET_1"}, func(o *razorpaygw.Options) {
		o.Logger, o.Timeout = logger, 300*time.Millisecond
		o.WebhookSecrets = append(o.WebhookSecrets, "wh_SUPERSECRET_2")
	})
	var errs []error
	keep := func(_ any, err error) { errs = append(errs, err) }
	p, in := paid(t, g, 50000)
	keep(g.Refund(ctx, refundParams(in, p, 100000)))
	fake.Inject(razorpayfake.Fault{Status: 500})
	keep(g.Intent(ctx, in.ID))
	fake.Inject(razorpayfake.Fault{Delay: 2 * time.Second})
	keep(g.Intent(ctx, in.ID))
	keep(g.VerifyWebhook(http.Header{}, []byte(`{}`)))
	keep(g.ConfirmClient(ctx, in.ID, payment.ClientProof{"razorpay_payment_id": "pay_x", "razorpay_signature": "00"}))
	wrong := newGateway(t, fake, func(o *razorpaygw.Options) { o.KeySecret, o.Logger = "ks_SUPERSECRET_3", logger })
	keep(wrong.Intent(ctx, in.ID))
	opts := razorpaygw.Options{KeyID: "rzp_test_x", KeySecret: "ks_SUPERSECRET_1", WebhookSecrets: []string{"wh_SUPERSECRET_2"}}
	logger.Info("options", "opts", opts)
	out := logs.String() + fmt.Sprintf("%v %+v %#v %s", opts, opts, opts, opts)
	for _, err := range errs {
		out += fmt.Sprint(err)
	}
	if !strings.Contains(logs.String(), "razorpay request") {
		t.Fatalf("no request was logged; the test would prove nothing:\n%s", logs.String())
	}
	basic := base64.StdEncoding.EncodeToString([]byte(fake.KeyID() + ":ks_SUPERSECRET_1"))
	if strings.Contains(out, "SUPERSECRET") || strings.Contains(out, basic) {
		t.Errorf("a secret leaked into the logs or errors:\n%s", out)
	}
}
