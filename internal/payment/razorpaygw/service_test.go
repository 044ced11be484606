package razorpaygw_test

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/payment/paymentsql"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw"
	"github.com/bazaar-market/bazaar/internal/payment/razorpaygw/razorpayfake"
	"github.com/bazaar-market/bazaar/internal/sqldb/sqldbtest"
)

// TestWithService runs today's payment.Service (which sends a method and
// no ClientConfirm) on the driver and the fake, with the real store: test
// tokens pay, webhooks apply once, refunds go through.
func TestWithService(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	if err := event.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := paymentsql.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	fake, g := setup(t, razorpayfake.Options{})
	svc := payment.New(paymentsql.New(db), g, payment.Options{Logger: quiet})
	admin := auth.With(ctx, auth.Principal{UserID: "usr_admin", Role: auth.Admin})
	inr := money.New(49900, "INR")

	declined, err := svc.Start(ctx, payment.Start{OrderID: "ord_a", CustomerID: "usr_c", Amount: inr, Method: razorpaygw.TokenFailure})
	if err != nil || declined.Status != payment.Failed || declined.FailureCode != "payment_declined" {
		t.Fatalf("Start(declined) = %s %q, %v; want failed payment_declined", declined.Status, declined.FailureCode, err)
	}
	p, err := svc.Start(ctx, payment.Start{OrderID: "ord_a", CustomerID: "usr_c", Amount: inr, Method: razorpaygw.TokenSuccess})
	if err != nil || p.Status != payment.Succeeded || p.Captured != inr || p.Attempt != 2 {
		t.Fatalf("Start(success) = %s captured %v attempt %d, %v; want succeeded %v attempt 2", p.Status, p.Captured, p.Attempt, err, inr)
	}
	if _, err := svc.Start(ctx, payment.Start{OrderID: "ord_b", CustomerID: "usr_c", Amount: inr, Method: "tok_visa"}); err == nil {
		t.Errorf("Start(tok_visa) = nil error, want the method refused")
	}
	if _, err := svc.Refund(admin, p.ID, payment.RefundRequest{Amount: &money.Money{Amount: 9900, Currency: "INR"}, Reason: "damaged"}); err != nil {
		t.Fatalf("Refund: %v", err)
	}
	// Every webhook, twice: each applies once and none moves a payment back.
	for range 2 {
		for _, w := range fake.Webhooks() {
			if err := svc.HandleWebhook(ctx, razorpaygw.Name, fake.Header(w), w.Body); err != nil {
				t.Errorf("HandleWebhook(%s): %v", w.Event, err)
			}
		}
	}
	w := fake.Webhooks()[0]
	h := fake.Header(w)
	h.Set("X-Razorpay-Signature", razorpayfake.Sign("forged", string(w.Body)))
	if err := svc.HandleWebhook(ctx, razorpaygw.Name, h, w.Body); err == nil {
		t.Errorf("HandleWebhook(forged) = nil, want invalid_signature")
	}
	got, err := svc.Payment(admin, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != payment.PartiallyRefunded || got.Refunded.Amount != 9900 || len(got.Refunds) != 1 || got.Refunds[0].Status != payment.RefundSucceeded {
		t.Errorf("payment = %s refunded %v refunds %+v; want partially_refunded 9900 with one succeeded refund", got.Status, got.Refunded, got.Refunds)
	}
	if n, err := svc.Reconcile(ctx, 0); err != nil || n != 0 {
		t.Errorf("Reconcile = %d, %v; want nothing to do", n, err)
	}
}
