package ledgertest

import (
	"context"
	"testing"

	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
)

// PayoutStatuses reads the ledger.payout.status_changed.v1 events a store
// committed, oldest first.
type PayoutStatuses func(t *testing.T) []ledger.PayoutStatusChanged

// MemoryPayoutStatuses reads m's.
func MemoryPayoutStatuses(m *Memory) PayoutStatuses {
	return func(t *testing.T) []ledger.PayoutStatusChanged {
		var out []ledger.PayoutStatusChanged
		for _, e := range m.Events() {
			if e.Topic == ledger.TopicPayoutStatusChanged.Name() {
				out = append(out, e.Payload.(ledger.PayoutStatusChanged))
			}
		}
		return out
	}
}

// PayoutEvents checks that a payout's every status change publishes
// ledger.payout.status_changed.v1 with it, once: approved (in transit),
// then paid; another failed; and that a change that changes nothing (a
// paid payout marked paid again) or is refused publishes nothing.
func PayoutEvents(t *testing.T, e *Env, read PayoutStatuses) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	a, b := id.Make[id.Seller](), id.Make[id.Seller]()
	must(e.Svc.SetPayoutSettings(asSeller(e, a), ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "A", Account: "11112222"}}))
	must(e.Svc.SetPayoutSettings(asSeller(e, b), ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "B", Account: "33334444"}}))
	for _, s := range []id.Seller{a, b} {
		so, _ := sale(e, s, "stripe", 5000, "USD", nil)
		must(e.Svc.Release(ctx, so))
	}
	must(e.Svc.RunPayouts(ctx))
	if got := read(t); len(got) != 0 {
		t.Fatalf("events after creating payouts = %+v, want none (pending is not a change)", got)
	}
	ps := must(e.Svc.Payouts(admin, ledger.PayoutQuery{Limit: 10})).Items
	if len(ps) != 2 {
		t.Fatalf("payouts = %d, want 2", len(ps))
	}
	byseller := map[id.Seller]ledger.Payout{}
	for _, p := range ps {
		byseller[p.SellerID] = p
	}
	pa, pb := byseller[a], byseller[b]
	must(e.Svc.ApprovePayout(admin, pa.ID))
	must(e.Svc.MarkPaid(admin, pa.ID, ledger.PaidInput{Reference: "BANK-1"}))
	must(e.Svc.MarkPaid(admin, pa.ID, ledger.PaidInput{Reference: "BANK-1"})) // again: nothing new
	if _, err := e.Svc.MarkFailed(admin, pa.ID, ledger.FailedInput{Reason: "late"}); err == nil {
		t.Errorf("failing a paid payout succeeded")
	}
	must(e.Svc.MarkFailed(admin, pb.ID, ledger.FailedInput{Reason: "account closed"}))
	got := read(t)
	type brief struct {
		Payout         ledger.PayoutID
		Seller         id.Seller
		Amount         money.Money
		Status, Before ledger.PayoutStatus
		Failure        string
	}
	var briefs []brief
	for _, g := range got {
		briefs = append(briefs, brief{g.PayoutID, g.SellerID, g.Amount, g.Status, g.PreviousStatus, g.Failure})
		if g.At.IsZero() || g.Channel != ledger.ChannelManual {
			t.Errorf("event %+v lacks its time or channel", g)
		}
	}
	want := []brief{
		{pa.ID, a, pa.Amount, ledger.PayoutInTransit, ledger.PayoutPending, ""},
		{pa.ID, a, pa.Amount, ledger.PayoutPaid, ledger.PayoutInTransit, ""},
		{pb.ID, b, pb.Amount, ledger.PayoutFailed, ledger.PayoutPending, "account closed"},
	}
	if len(briefs) != len(want) {
		t.Fatalf("events = %+v, want %+v", briefs, want)
	}
	for i := range want {
		if briefs[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, briefs[i], want[i])
		}
	}
}
