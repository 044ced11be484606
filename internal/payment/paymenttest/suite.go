package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// StoreSuite runs the payment Store contract against stores made by
// newStore, each fresh and empty.
func StoreSuite(t *testing.T, newStore func(t *testing.T) payment.Store) {
	t.Run("StartAttempt", func(t *testing.T) { testStartAttempt(t, newStore(t)) })
	t.Run("ConcurrentStart", func(t *testing.T) { testConcurrentStart(t, newStore(t)) })
	t.Run("Update", func(t *testing.T) { testUpdate(t, newStore(t)) })
	t.Run("ConcurrentUpdate", func(t *testing.T) { testConcurrentUpdate(t, newStore(t)) })
	t.Run("ApplyWebhook", func(t *testing.T) { testApplyWebhook(t, newStore(t)) })
	t.Run("Stuck", func(t *testing.T) { testStuck(t, newStore(t)) })
}

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// NewPayment returns a pending payment for orderID, ready for StartAttempt.
func NewPayment(orderID id.Order, amount int64, now time.Time) payment.Payment {
	return payment.Payment{ID: id.Make[id.Payment](), OrderID: orderID, CustomerID: "usr_c", Amount: money.New(amount, "USD"),
		Method: "tok_visa", Gateway: "test", Status: payment.Pending,
		Captured: money.New(0, "USD"), Refunded: money.New(0, "USD"), CreatedAt: now, UpdatedAt: now}
}

func intent(p payment.Payment, s payment.IntentStatus) payment.Intent {
	return payment.Intent{ID: "pi_" + string(p.ID), Status: s, Amount: p.Amount, PaymentID: string(p.ID), FailureCode: "generic_decline", FailureMessage: "declined"}
}

func applyIntent(s payment.IntentStatus, now time.Time) payment.Mutation {
	return func(p *payment.Payment) ([]payment.Event, error) { return p.ApplyIntent(intent(*p, s), now) }
}

func mustStart(t *testing.T, s payment.Store, p payment.Payment) payment.Payment {
	t.Helper()
	got, created, err := s.StartAttempt(context.Background(), p)
	if err != nil || !created {
		t.Fatalf("StartAttempt(%s) = created %v, %v; want a new attempt", p.OrderID, created, err)
	}
	return got
}

func testStartAttempt(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p1 := mustStart(t, s, NewPayment("ord_1", 1000, t0))
	if p1.Attempt != 1 || p1.IdempotencyKey != "order:ord_1:attempt:1" || p1.Version == 0 {
		t.Errorf("first attempt = %d %q v%d, want 1 %q and a version", p1.Attempt, p1.IdempotencyKey, p1.Version, "order:ord_1:attempt:1")
	}
	got, err := s.Payment(ctx, p1.ID)
	if err != nil {
		t.Fatalf("Payment: %v", err)
	}
	if diff := cmp.Diff(p1, got); diff != "" {
		t.Errorf("Payment differs from what StartAttempt returned (-start +read):\n%s", diff)
	}
	// An open attempt is returned, not duplicated.
	again, created, err := s.StartAttempt(ctx, NewPayment("ord_1", 1000, t0))
	if err != nil || created || again.ID != p1.ID {
		t.Errorf("StartAttempt while open = %s created %v, %v; want %s not created", again.ID, created, err, p1.ID)
	}
	// After a failure a new attempt starts.
	if _, err := s.Update(ctx, p1.ID, applyIntent(payment.IntentRequiresPaymentMethod, t0)); err != nil {
		t.Fatalf("fail attempt 1: %v", err)
	}
	p2 := mustStart(t, s, NewPayment("ord_1", 1000, t0.Add(time.Second)))
	if p2.Attempt != 2 || p2.IdempotencyKey != "order:ord_1:attempt:2" {
		t.Errorf("second attempt = %d %q, want 2 order:ord_1:attempt:2", p2.Attempt, p2.IdempotencyKey)
	}
	if _, err := s.Update(ctx, p2.ID, applyIntent(payment.IntentSucceeded, t0)); err != nil {
		t.Fatalf("succeed attempt 2: %v", err)
	}
	// A paid order takes no further attempt.
	_, _, err = s.StartAttempt(ctx, NewPayment("ord_1", 1000, t0))
	if apperr.CodeOf(err) != "already_paid" {
		t.Errorf("StartAttempt on a paid order = %v, want already_paid", err)
	}
	list, err := s.OrderPayments(ctx, "ord_1")
	if err != nil {
		t.Fatalf("OrderPayments: %v", err)
	}
	var got2 []string
	for _, p := range list {
		got2 = append(got2, fmt.Sprintf("%d:%s", p.Attempt, p.Status))
	}
	if diff := cmp.Diff([]string{"1:failed", "2:succeeded"}, got2); diff != "" {
		t.Errorf("OrderPayments (-want +got):\n%s", diff)
	}
	if _, err := s.Payment(ctx, "pay_missing"); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Payment(missing) = %v, want NotFound", err)
	}
	byIntent, err := s.PaymentByIntent(ctx, "test", string("pi_"+p2.ID))
	if err != nil || byIntent.ID != p2.ID {
		t.Errorf("PaymentByIntent = %s, %v; want %s", byIntent.ID, err, p2.ID)
	}
	if _, err := s.PaymentByIntent(ctx, "stripe", string("pi_"+p2.ID)); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("PaymentByIntent(other gateway) = %v, want NotFound", err)
	}
}

func testConcurrentStart(t *testing.T, s payment.Store) {
	ctx := context.Background()
	const n = 10
	var wg sync.WaitGroup
	ids := make([]string, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, c, err := s.StartAttempt(ctx, NewPayment("ord_c", 500, t0))
			ids[i], created[i], errs[i] = string(p.ID), c, err
		}()
	}
	wg.Wait()
	nCreated := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("StartAttempt %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("StartAttempt %d = %s, want %s (one attempt)", i, ids[i], ids[0])
		}
		if created[i] {
			nCreated++
		}
	}
	if nCreated != 1 {
		t.Errorf("%d concurrent StartAttempt created %d attempts, want 1", n, nCreated)
	}
}

func testUpdate(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := mustStart(t, s, NewPayment("ord_u", 1000, t0))
	// ErrUnchanged writes nothing.
	same, err := s.Update(ctx, p.ID, func(*payment.Payment) ([]payment.Event, error) { return nil, payment.ErrUnchanged })
	if err != nil || same.Version != p.Version {
		t.Errorf("Update(unchanged) = v%d, %v; want v%d", same.Version, err, p.Version)
	}
	// Another error is returned and nothing is written.
	boom := errors.New("boom")
	if _, err := s.Update(ctx, p.ID, func(q *payment.Payment) ([]payment.Event, error) {
		q.Status = payment.Failed
		return nil, boom
	}); !errors.Is(err, boom) {
		t.Errorf("Update(error) = %v, want boom", err)
	}
	if got, _ := s.Payment(ctx, p.ID); got.Status != payment.Pending {
		t.Errorf("after a failed Update the status is %s, want pending", got.Status)
	}
	if _, err := s.Update(ctx, "pay_missing", applyIntent(payment.IntentSucceeded, t0)); !apperr.Is(err, apperr.KindNotFound) {
		t.Errorf("Update(missing) = %v, want NotFound", err)
	}
	// A change is stored with its refunds and a new version.
	later := t0.Add(time.Minute)
	succ, err := s.Update(ctx, p.ID, applyIntent(payment.IntentSucceeded, later))
	if err != nil {
		t.Fatalf("Update(succeed): %v", err)
	}
	r := payment.Refund{ID: id.Make[id.Refund](), Amount: money.New(400, "USD"), Reason: "damaged", By: "usr_s",
		Origin: payment.OriginGoodwill, SellerOrderID: "so_1"}
	withRefund, err := s.Update(ctx, p.ID, func(q *payment.Payment) ([]payment.Event, error) { return nil, q.AddRefund(r, later) })
	if err != nil {
		t.Fatalf("Update(add refund): %v", err)
	}
	if withRefund.Version != succ.Version+1 || succ.Version != p.Version+1 {
		t.Errorf("versions %d -> %d -> %d, want +1 per change", p.Version, succ.Version, withRefund.Version)
	}
	done, err := s.Update(ctx, p.ID, func(q *payment.Payment) ([]payment.Event, error) {
		return q.ApplyRefund(r.ID, payment.GatewayRefund{ID: "re_1", Amount: r.Amount, Status: payment.RefundSucceeded}, later)
	})
	if err != nil {
		t.Fatalf("Update(apply refund): %v", err)
	}
	got, err := s.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(done, got); diff != "" {
		t.Errorf("stored payment differs from Update's answer (-update +read):\n%s", diff)
	}
	want := payment.Refund{ID: r.ID, PaymentID: p.ID, Amount: r.Amount, Reason: "damaged", Status: payment.RefundSucceeded,
		By: "usr_s", Origin: payment.OriginGoodwill, SellerOrderID: "so_1", GatewayRefundID: "re_1", CreatedAt: later, UpdatedAt: later}
	if diff := cmp.Diff([]payment.Refund{want}, got.Refunds); diff != "" {
		t.Errorf("refunds (-want +got):\n%s", diff)
	}
	if got.Status != payment.PartiallyRefunded || got.Refunded.Amount != 400 || got.Captured.Amount != 1000 {
		t.Errorf("after refund: %s refunded %v captured %v, want partially_refunded 400 1000", got.Status, got.Refunded, got.Captured)
	}
}

// testConcurrentUpdate: concurrent mutations are serialised; none is lost.
func testConcurrentUpdate(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := mustStart(t, s, NewPayment("ord_cu", 1000, t0))
	if _, err := s.Update(ctx, p.ID, applyIntent(payment.IntentSucceeded, t0)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := payment.Refund{ID: id.Make[id.Refund](), Amount: money.New(100, "USD"), Reason: "r", By: "usr_s"}
			_, errs[i] = s.Update(ctx, p.ID, func(q *payment.Payment) ([]payment.Event, error) { return nil, q.AddRefund(r, t0) })
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddRefund %d: %v", i, err)
		}
	}
	got, err := s.Payment(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Refunds) != n || got.Refundable().Amount != 1000-n*100 {
		t.Errorf("after %d concurrent refunds: %d stored, %v refundable; want %d and %d", n, len(got.Refunds), got.Refundable(), n, 1000-n*100)
	}
}

func testApplyWebhook(t *testing.T, s payment.Store) {
	ctx := context.Background()
	p := mustStart(t, s, NewPayment("ord_w", 1000, t0))
	calls := 0
	m := func(q *payment.Payment) ([]payment.Event, error) {
		calls++
		return q.ApplyIntent(intent(*q, payment.IntentSucceeded), t0)
	}
	first, err := s.ApplyWebhook(ctx, "test", "evt_1", p.ID, t0, m)
	if err != nil || !first {
		t.Fatalf("ApplyWebhook = %v, %v; want first", first, err)
	}
	again, err := s.ApplyWebhook(ctx, "test", "evt_1", p.ID, t0, m)
	if err != nil || again {
		t.Errorf("ApplyWebhook(duplicate) = %v, %v; want not first", again, err)
	}
	if calls != 1 {
		t.Errorf("mutation ran %d times, want 1", calls)
	}
	// The same event ID from another gateway is another event.
	if other, err := s.ApplyWebhook(ctx, "stripe", "evt_1", "", t0, m); err != nil || !other {
		t.Errorf("ApplyWebhook(other gateway) = %v, %v; want first", other, err)
	}
	// An unknown payment is recorded and ignored.
	if unk, err := s.ApplyWebhook(ctx, "test", "evt_2", "pay_missing", t0, m); err != nil || !unk {
		t.Errorf("ApplyWebhook(unknown payment) = %v, %v; want first, nil", unk, err)
	}
	// A failing mutation records nothing: the redelivery applies.
	boom := errors.New("boom")
	q := mustStart(t, s, NewPayment("ord_w2", 1000, t0))
	if _, err := s.ApplyWebhook(ctx, "test", "evt_3", q.ID, t0, func(*payment.Payment) ([]payment.Event, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("ApplyWebhook(failing) = %v, want boom", err)
	}
	if first, err := s.ApplyWebhook(ctx, "test", "evt_3", q.ID, t0, m); err != nil || !first {
		t.Errorf("redelivery after a failure = %v, %v; want first", first, err)
	}
	got, _ := s.Payment(ctx, q.ID)
	if got.Status != payment.Succeeded {
		t.Errorf("after redelivery the status is %s, want succeeded", got.Status)
	}
}

func testStuck(t *testing.T, s payment.Store) {
	ctx := context.Background()
	old := mustStart(t, s, NewPayment("ord_s1", 1000, t0))
	mustStart(t, s, NewPayment("ord_s2", 1000, t0.Add(time.Hour))) // too recent
	done := mustStart(t, s, NewPayment("ord_s3", 1000, t0))
	if _, err := s.Update(ctx, done.ID, applyIntent(payment.IntentSucceeded, t0)); err != nil {
		t.Fatal(err)
	}
	refunding := mustStart(t, s, NewPayment("ord_s4", 1000, t0))
	if _, err := s.Update(ctx, refunding.ID, applyIntent(payment.IntentSucceeded, t0)); err != nil {
		t.Fatal(err)
	}
	r := payment.Refund{ID: id.Make[id.Refund](), Amount: money.New(10, "USD"), Reason: "r", By: "usr_s"}
	if _, err := s.Update(ctx, refunding.ID, func(q *payment.Payment) ([]payment.Event, error) { return nil, q.AddRefund(r, t0) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Stuck(ctx, t0.Add(time.Minute), 10)
	if err != nil {
		t.Fatalf("Stuck: %v", err)
	}
	var ids []string
	for _, p := range got {
		ids = append(ids, string(p.OrderID))
	}
	if diff := cmp.Diff([]string{"ord_s1", "ord_s4"}, ids); diff != "" {
		t.Errorf("Stuck orders (-want +got):\n%s", diff)
	}
	if got, _ := s.Stuck(ctx, t0.Add(time.Minute), 1); len(got) != 1 || got[0].ID != old.ID {
		t.Errorf("Stuck(limit 1) = %d payments, want the oldest only", len(got))
	}
}
