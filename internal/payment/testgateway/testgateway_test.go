package testgateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/testgateway"
	"github.com/bazaar-market/bazaar/internal/sqldb"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// inbox verifies and collects webhooks, failing the first failFirst.
type inbox struct {
	mu        sync.Mutex
	gw        *testgateway.Gateway
	failFirst int
	got       []payment.WebhookEvent
}

func (b *inbox) deliver(_ context.Context, h http.Header, body []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failFirst > 0 {
		b.failFirst--
		return errors.New("503")
	}
	ev, err := b.gw.VerifyWebhook(h, body)
	if err != nil {
		return err
	}
	b.got = append(b.got, ev)
	return nil
}

func (b *inbox) types() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.got {
		out = append(out, e.Type)
	}
	return out
}

func TestGateway(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := testgateway.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		secret := []byte("whsec_test")
		now := time.Now()
		clock := func() time.Time { return now }
		box := &inbox{failFirst: 1}
		gw := testgateway.New(db, testgateway.Options{Secrets: [][]byte{secret}, Deliver: box.deliver, Now: clock, Logger: quiet})
		box.gw = gw
		usd := money.New(700, "USD")
		in := payment.IntentParams{Amount: usd, Method: "tok_processing", IdempotencyKey: "order:o:attempt:1", OrderID: "o", PaymentID: "pay_1"}
		a, err := gw.CreateIntent(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := gw.CreateIntent(ctx, in)
		if err != nil || b.ID != a.ID || a.Status != payment.IntentProcessing {
			t.Errorf("same key twice = %s/%s, %v; want the same processing intent %s", b.ID, a.Status, err, a.ID)
		}
		other := in
		other.Amount = money.New(1, "USD")
		if _, err := gw.CreateIntent(ctx, other); apperr.CodeOf(err) != "idempotency_key_reused" {
			t.Errorf("same key, other amount = %v, want idempotency_key_reused", err)
		}
		card := in
		card.Method, card.IdempotencyKey = "4111111111111111", "k2"
		if _, err := gw.CreateIntent(ctx, card); apperr.KindOf(err) != apperr.KindInvalid {
			t.Errorf("card number = %v, want Invalid", err)
		}
		// The first delivery fails and is retried after a backoff.
		if n, _ := gw.Flush(ctx); n != 0 {
			t.Errorf("flush with a failing receiver delivered %d", n)
		}
		now = now.Add(time.Second)
		if n, _ := gw.Flush(ctx); n != 1 {
			t.Errorf("retry delivered %d, want 1", n)
		}
		// A restarted gateway (a new value on the same tables) settles it when due.
		now = now.Add(3 * time.Second)
		gw2 := testgateway.New(db, testgateway.Options{Secrets: [][]byte{secret}, Deliver: box.deliver, Now: clock, Logger: quiet})
		if n, err := gw2.Flush(ctx); n != 1 || err != nil {
			t.Errorf("restarted gateway delivered %d, %v; want 1", n, err)
		}
		got, err := gw2.Intent(ctx, a.ID)
		if err != nil || got.Status != payment.IntentSucceeded || got.PaymentID != "pay_1" {
			t.Errorf("Intent = %+v, %v; want succeeded for pay_1", got, err)
		}
		types := box.types()
		if len(types) != 2 || types[0] != "payment_intent.processing" || types[1] != "payment_intent.succeeded" {
			t.Errorf("webhooks = %v, want processing then succeeded", types)
		}
		// Refunds: idempotent, never over the amount.
		rp := payment.RefundParams{IntentID: a.ID, Amount: money.New(500, "USD"), IdempotencyKey: "r1", PaymentID: "pay_1", RefundID: "rfd_1"}
		r1, err := gw.Refund(ctx, rp)
		if err != nil || r1.Status != payment.RefundSucceeded {
			t.Fatalf("Refund = %+v, %v", r1, err)
		}
		if again, err := gw.Refund(ctx, rp); err != nil || again.ID != r1.ID {
			t.Errorf("Refund with the same key = %s, %v; want %s", again.ID, err, r1.ID)
		}
		rp.IdempotencyKey = "r2"
		if _, err := gw.Refund(ctx, rp); apperr.CodeOf(err) != "amount_too_large" {
			t.Errorf("refund over the amount = %v, want amount_too_large", err)
		}
		// A signature from another secret is refused.
		forged := http.Header{}
		forged.Set(payment.SignatureHeader, payment.Sign([]byte(`{}`), now, []byte("other")))
		if _, err := gw.VerifyWebhook(forged, []byte(`{}`)); apperr.CodeOf(err) != "invalid_signature" {
			t.Errorf("forged webhook = %v, want invalid_signature", err)
		}
	})
}

func TestRunDelivers(t *testing.T) {
	db := sqldbtest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := testgateway.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	box := &inbox{}
	gw := testgateway.New(db, testgateway.Options{Deliver: box.deliver, Logger: quiet, PollInterval: 10 * time.Millisecond})
	box.gw = gw
	go gw.Run(ctx)
	if _, err := gw.CreateIntent(ctx, payment.IntentParams{Amount: money.New(5, "EUR"), Method: "tok_chargeDeclined", IdempotencyKey: "k", PaymentID: "pay_2"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(box.types()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.got) != 1 || box.got[0].Intent == nil || box.got[0].Intent.FailureCode != "generic_decline" {
		t.Fatalf("Run delivered %+v, want one payment_failed webhook with generic_decline", box.got)
	}
}
