package stripegw_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw"
	"github.com/bazaar-market/bazaar/internal/payment/stripegw/stripemock"
)

const pk = "pk_test_publishable"

// call is one request that left the driver.
type call struct {
	Method, Path, Key string // Key: the Idempotency-Key header
	Form              url.Values
}

// recorder is an http.RoundTripper that records requests on their way out.
type recorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	calls []call
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	c := call{Method: req.Method, Path: req.URL.Path, Key: req.Header.Get("Idempotency-Key"), Form: url.Values{}}
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if c.Form, err = url.ParseQuery(string(b)); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}

// last returns the last request and forgets them all.
func (r *recorder) last(t *testing.T) call {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("no request was sent")
	}
	c := r.calls[len(r.calls)-1]
	r.calls = nil
	return c
}

// logBuffer is a Logger whose output a test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// onMock returns a driver talking to stripe-mock at base (a fresh one when
// "") through a recorder.
func onMock(t *testing.T, base string, opts stripegw.Options) (*stripegw.Gateway, *recorder) {
	t.Helper()
	rec := &recorder{}
	if base == "" {
		base = stripemock.Start(t)
	}
	opts.APIBase = base
	if opts.SecretKey == "" {
		opts.SecretKey = stripemock.Key
	}
	opts.PublishableKey = pk
	opts.HTTPClient = &http.Client{Transport: rec}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	g, err := stripegw.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g, rec
}

// wantForm checks that form has every field of want.
func wantForm(t *testing.T, form url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := form.Get(k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
}

func usd(n int64) money.Money { return money.New(n, "USD") }

var bg = context.Background()

// TestCreateIntent runs the three ways of creating an intent against
// stripe-mock, which checks each request against Stripe's OpenAPI spec.
// Its answers are fixtures (every intent is requires_payment_method with a
// last_payment_error), so statuses are checked in fake_test.go.
func TestCreateIntent(t *testing.T) {
	base := stripemock.Start(t)
	g, rec := onMock(t, base, stripegw.Options{})
	params := payment.IntentParams{Amount: usd(1999), Method: "pm_card_visa", IdempotencyKey: "order:ord_1:attempt:1",
		OrderID: "ord_1", PaymentID: "pay_1", CustomerID: "usr_1"}
	meta := map[string]string{"metadata[order_id]": "ord_1", "metadata[payment_id]": "pay_1", "metadata[customer_id]": "usr_1"}

	t.Run("server confirm", func(t *testing.T) {
		in, err := g.CreateIntent(bg, params)
		if err != nil {
			t.Fatalf("CreateIntent: %v", err)
		}
		c := rec.last(t)
		if c.Method != http.MethodPost || c.Path != "/v1/payment_intents" || c.Key != params.IdempotencyKey {
			t.Errorf("request = %s %s key %q, want POST /v1/payment_intents key %q", c.Method, c.Path, c.Key, params.IdempotencyKey)
		}
		wantForm(t, c.Form, meta)
		wantForm(t, c.Form, map[string]string{"amount": "1999", "currency": "usd", "confirm": "true", "payment_method": "pm_card_visa",
			"capture_method": "automatic", "automatic_payment_methods[enabled]": "true", "automatic_payment_methods[allow_redirects]": "never"})
		if !strings.HasPrefix(in.ID, "pi_") || in.Amount != usd(1999) || in.PaymentID != "pay_1" || in.OrderID != "ord_1" {
			t.Errorf("CreateIntent = %+v, want a pi_ intent of 19.99 USD for pay_1, ord_1", in)
		}
	})

	t.Run("client confirm", func(t *testing.T) {
		p := params
		p.Method, p.ClientConfirm, p.IdempotencyKey = "", true, "order:ord_1:attempt:2"
		in, err := g.CreateIntent(bg, p)
		if err != nil {
			t.Fatalf("CreateIntent: %v", err)
		}
		c := rec.last(t)
		if c.Key != p.IdempotencyKey {
			t.Errorf("Idempotency-Key = %q, want %q", c.Key, p.IdempotencyKey)
		}
		wantForm(t, c.Form, meta)
		wantForm(t, c.Form, map[string]string{"amount": "1999", "currency": "usd", "confirm": "", "payment_method": "",
			"automatic_payment_methods[enabled]": "true", "automatic_payment_methods[allow_redirects]": ""})
		if in.Status != payment.IntentRequiresAction || in.NextAction == nil {
			t.Fatalf("CreateIntent = %+v, want requires_action with a next action", in)
		}
		if na := *in.NextAction; na.Type != "use_sdk" || na.Gateway != "stripe" || na.PublishableKey != pk || !strings.Contains(na.ClientSecret, "_secret_") {
			t.Errorf("NextAction = %+v, want use_sdk for stripe with the client secret and %s", na, pk)
		}
		if in.FailureCode != "" {
			t.Errorf("FailureCode = %q, want none for an intent awaiting the browser", in.FailureCode)
		}
	})

	t.Run("manual capture, then capture", func(t *testing.T) {
		p := params
		p.ManualCapture, p.IdempotencyKey = true, "order:ord_1:attempt:3"
		in, err := g.CreateIntent(bg, p)
		if err != nil {
			t.Fatalf("CreateIntent: %v", err)
		}
		wantForm(t, rec.last(t).Form, map[string]string{"capture_method": "manual", "confirm": "true"})
		got, err := g.Capture(bg, payment.CaptureParams{IntentID: in.ID, Amount: usd(1500), IdempotencyKey: "capture:pay_1"})
		if err != nil {
			t.Fatalf("Capture: %v", err)
		}
		c := rec.last(t)
		if c.Path != "/v1/payment_intents/"+in.ID+"/capture" || c.Key != "capture:pay_1" || c.Form.Get("amount_to_capture") != "1500" {
			t.Errorf("capture request = %s key %q amount_to_capture %q, want /v1/payment_intents/%s/capture key capture:pay_1 1500",
				c.Path, c.Key, c.Form.Get("amount_to_capture"), in.ID)
		}
		if got.ID != in.ID {
			t.Errorf("Capture = %s, want %s", got.ID, in.ID)
		}
	})

	t.Run("return URL", func(t *testing.T) {
		g, rec := onMock(t, base, stripegw.Options{ReturnURL: "https://shop.example/pay/return"})
		if _, err := g.CreateIntent(bg, params); err != nil {
			t.Fatalf("CreateIntent: %v", err)
		}
		wantForm(t, rec.last(t).Form, map[string]string{"return_url": "https://shop.example/pay/return", "automatic_payment_methods[allow_redirects]": ""})
	})

	t.Run("refused before sending", func(t *testing.T) {
		for _, p := range []payment.IntentParams{
			{Amount: usd(100), Method: "4242 4242 4242 4242", IdempotencyKey: "k"},
			{Amount: usd(100), Method: "", IdempotencyKey: "k"},
			{Amount: usd(100), Method: "visa", IdempotencyKey: "k"},
			{Amount: usd(0), Method: "pm_card_visa", IdempotencyKey: "k"},
			{Amount: usd(100), Method: "pm_card_visa"},
		} {
			_, err := g.CreateIntent(bg, p)
			if apperr.KindOf(err) != apperr.KindInvalid {
				t.Errorf("CreateIntent(%+v) = %v, want Invalid", p, err)
			}
			if strings.Contains(fmt.Sprint(err), "4242") {
				t.Errorf("CreateIntent error repeats the card number: %v", err)
			}
		}
		rec.mu.Lock()
		n := len(rec.calls)
		rec.mu.Unlock()
		if n != 0 {
			t.Errorf("%d requests sent for refused intents, want 0", n)
		}
	})
}

func TestRetrieveRefundTransfer(t *testing.T) {
	g, rec := onMock(t, "", stripegw.Options{})

	t.Run("retrieve", func(t *testing.T) {
		in, err := g.Intent(bg, "pi_123")
		if err != nil {
			t.Fatalf("Intent: %v", err)
		}
		c := rec.last(t)
		if c.Method != http.MethodGet || c.Path != "/v1/payment_intents/pi_123" || c.Key != "" {
			t.Errorf("request = %s %s key %q, want GET /v1/payment_intents/pi_123 without a key", c.Method, c.Path, c.Key)
		}
		if in.ID != "pi_123" || in.Amount.Currency != "USD" || in.Status == "" {
			t.Errorf("Intent = %+v, want pi_123 in USD with a status", in)
		}
	})

	for _, tt := range []struct {
		name   string
		amount int64
	}{{"full refund", 1999}, {"partial refund", 500}} {
		t.Run(tt.name, func(t *testing.T) {
			key := "payment:pay_1:refund:rfd_" + tt.name[:4]
			r, err := g.Refund(bg, payment.RefundParams{IntentID: "pi_123", Amount: usd(tt.amount), IdempotencyKey: key,
				PaymentID: "pay_1", RefundID: "rfd_1"})
			if err != nil {
				t.Fatalf("Refund: %v", err)
			}
			c := rec.last(t)
			if c.Path != "/v1/refunds" || c.Key != key {
				t.Errorf("request = %s key %q, want /v1/refunds key %q", c.Path, c.Key, key)
			}
			wantForm(t, c.Form, map[string]string{"payment_intent": "pi_123", "amount": fmt.Sprint(tt.amount),
				"metadata[payment_id]": "pay_1", "metadata[refund_id]": "rfd_1"})
			want := payment.GatewayRefund{ID: r.ID, IntentID: "pi_123", Amount: usd(tt.amount), Status: payment.RefundSucceeded,
				PaymentID: "pay_1", RefundID: "rfd_1"}
			if diff := cmp.Diff(want, r); diff != "" || !strings.HasPrefix(r.ID, "re_") {
				t.Errorf("Refund (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("transfer", func(t *testing.T) {
		tr, err := g.Transfer(bg, stripegw.TransferParams{Destination: "acct_1Seller", Amount: usd(1200), IdempotencyKey: "payout:po_1", PayoutID: "po_1"})
		if err != nil {
			t.Fatalf("Transfer: %v", err)
		}
		c := rec.last(t)
		if c.Path != "/v1/transfers" || c.Key != "payout:po_1" {
			t.Errorf("request = %s key %q, want /v1/transfers key payout:po_1", c.Path, c.Key)
		}
		wantForm(t, c.Form, map[string]string{"amount": "1200", "currency": "usd", "destination": "acct_1Seller", "metadata[payout_id]": "po_1"})
		if !strings.HasPrefix(tr.ID, "tr_") {
			t.Errorf("Transfer = %+v, want a tr_ ID", tr)
		}
		for _, bad := range []stripegw.TransferParams{
			{Destination: "cus_1", Amount: usd(1), IdempotencyKey: "k"},
			{Destination: "acct_1", Amount: usd(0), IdempotencyKey: "k"},
			{Destination: "acct_1", Amount: usd(1)},
		} {
			if _, err := g.Transfer(bg, bad); apperr.KindOf(err) != apperr.KindInvalid {
				t.Errorf("Transfer(%+v) = %v, want Invalid", bad, err)
			}
		}
	})
}

// TestKeysNeverShown checks the secret key stays out of the options' text,
// the logs and errors, even when the server echoes it (stripe-mock does in
// its 401 message).
func TestKeysNeverShown(t *testing.T) {
	const secret = "sk_live_SuperSecretValue42"
	var logs logBuffer
	opts := stripegw.Options{SecretKey: secret, PublishableKey: pk, WebhookSecrets: []string{"whsec_TopSecretWebhook"}, Logger: logs.logger()}
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "stripe", opts)
	for _, s := range []string{fmt.Sprint(opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts), opts.String(), logs.String()} {
		if strings.Contains(s, "SuperSecretValue42") || strings.Contains(s, "TopSecretWebhook") {
			t.Errorf("options text shows a secret: %s", s)
		}
	}
	g, _ := onMock(t, "", opts)
	_, err := g.Intent(bg, "pi_123")
	if err == nil || apperr.KindOf(err) == apperr.KindInvalid || apperr.KindOf(err) == apperr.KindUnprocessable {
		t.Fatalf("Intent with a key stripe-mock refuses = %v, want an outcome-unknown error (401)", err)
	}
	opts.Logger.Warn("stripe call failed", "err", err)
	if strings.Contains(err.Error(), "SuperSecretValue42") || strings.Contains(logs.String(), "SuperSecretValue42") {
		t.Errorf("error or log shows the key: %v", err)
	}
	if !strings.Contains(err.Error(), "401") {
		t.Errorf("error = %v, want it to say 401", err)
	}
}
