package ledgertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Property runs steps random operations seeded by seed (sales, partial
// refunds and returns, refunds beyond the total, goodwill refunds charged
// to a seller order, beyond it or to the platform, replays, releases, time
// passing, payouts approved, paid and failed with the transfer gateway
// up, down or refusing, cash on delivery collected and handed over)
// across four sellers and two currencies, and after each step checks the
// ledger's invariants: every transaction sums to zero per currency, so do
// all balances, no pending balance is negative, a sale's refunds never
// exceed it and are what was accepted, the in-transit balances are the
// open payouts and the paid-out balance the paid ones, and a replay
// changes nothing.
func Property(t *testing.T, e *Env, seed uint64, steps int) {
	t.Helper()
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	currencies := []string{"USD", "EUR"}
	sellers := make([]id.Seller, 4)
	for i := range sellers {
		sellers[i] = id.Make[id.Seller]()
	}
	must(e.Svc.SetPayoutSettings(asSeller(e, sellers[0]), ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "Zero", Account: "12345678"}}))
	must(e.Svc.SetPayoutSettings(asSeller(e, sellers[1]), ledger.PayoutSettingsInput{StripeAccount: "acct_000111222333"}))
	must(e.Svc.SetPayoutSettings(asSeller(e, sellers[2]), ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "Two", Account: "87654321"}}))
	cats := []id.Category{id.Make[id.Category](), id.Make[id.Category](), id.Make[id.Category]()}
	must(e.Svc.SetCommission(admin, ledger.Rules{
		Default:    ledger.Rate{BPS: 1000, Fees: []money.Money{money.New(25, "USD")}},
		Categories: []ledger.CategoryRate{{CategoryID: cats[0], BPS: 333}, {CategoryID: cats[1], BPS: 10000}},
		Sellers:    []ledger.SellerRate{{SellerID: sellers[3], BPS: 1250, Fees: []money.Money{money.New(40, "EUR")}}},
	}))

	type saleModel struct {
		in        ledger.Sale
		refunded  int64
		collected bool
	}
	var sales []*saleModel
	var refunds []ledger.Refund
	var goodwills []ledger.Goodwill
	var goodwillTotal = map[string]int64{} // what the platform bore, per currency
	partners := []id.User{id.Make[id.User](), id.Make[id.User]()}

	count := func() int { return len(must(e.Store.Transactions(ctx, ledger.TxnFilter{}))) }
	var lastTxn ledger.TxnID // the transactions up to it are checked
	var touched *saleModel   // the sale the step changed, checked at once
	fail := func(step int, op, format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d step %d (%s): %s", seed, step, op, fmt.Sprintf(format, args...))
	}
	for step := range steps {
		var op string
		touched = nil
		switch k := r.IntN(100); {
		case k < 25 || len(sales) == 0:
			op = "sale"
			cur := currencies[r.IntN(2)]
			in := ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](), SellerID: sellers[r.IntN(4)],
				Gateway: []string{"stripe", "test", ledger.CODGateway}[r.IntN(3)], Shipping: money.New(r.Int64N(500), cur)}
			total := in.Shipping.Amount + r.Int64N(300)
			for range 1 + r.IntN(3) {
				a := 1 + r.Int64N(5000)
				in.Lines = append(in.Lines, ledger.SaleLine{Category: cats[r.IntN(3)], Amount: money.New(a, cur)})
				total += a
			}
			in.Total = money.New(total, cur)
			if r.IntN(2) == 0 {
				at := e.Now().Add(time.Duration(r.IntN(10*24)) * time.Hour)
				in.ReleaseAt = &at
			}
			p := must(e.Svc.RecordSale(ctx, in))
			if c := p.Commission.Total.Amount; c < 0 || c > total-in.Shipping.Amount {
				fail(step, op, "commission %d of a sale of %d with shipping %d", c, total, in.Shipping.Amount)
			}
			sales = append(sales, &saleModel{in: in})
			touched = sales[len(sales)-1]
		case k < 45:
			op = "refund"
			s := sales[r.IntN(len(sales))]
			touched = s
			left := s.in.Total.Amount - s.refunded
			amount := 1 + r.Int64N(left+left/4+1)
			if r.IntN(4) == 0 {
				amount = max(left, 1) // a whole return
			}
			rf := ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: s.in.SellerOrderID, Amount: money.New(amount, s.in.Total.Currency)}
			_, err := e.Svc.RecordRefund(ctx, rf)
			switch {
			case amount <= left && err != nil:
				fail(step, op, "refund of %d with %d left: %v", amount, left, err)
			case amount > left && apperr.CodeOf(err) != "refund_exceeds_sale":
				fail(step, op, "refund of %d with %d left: err = %v, want refund_exceeds_sale", amount, left, err)
			case err == nil:
				s.refunded += amount
				refunds = append(refunds, rf)
			}
		case k < 50:
			op = "replay"
			before := count()
			switch {
			case len(goodwills) > 0 && r.IntN(3) == 0:
				must(e.Svc.RecordGoodwill(ctx, goodwills[r.IntN(len(goodwills))]))
			case len(refunds) > 0 && r.IntN(2) == 0:
				must(e.Svc.RecordRefund(ctx, refunds[r.IntN(len(refunds))]))
			default:
				p := must(e.Svc.RecordSale(ctx, sales[r.IntN(len(sales))].in))
				if !p.Replayed {
					fail(step, op, "a sale recorded again is not a replay")
				}
			}
			if after := count(); after != before {
				fail(step, op, "a replay posted %d transactions", after-before)
			}
		case k < 55:
			op = "goodwill"
			s := sales[r.IntN(len(sales))]
			cur := s.in.Total.Currency
			g := ledger.Goodwill{RefundID: id.Make[id.Refund](), OrderID: s.in.OrderID, Gateway: s.in.Gateway,
				Amount: money.New(1+r.Int64N(s.in.Total.Amount/2+1), cur)}
			charged := int64(0)
			if r.IntN(3) > 0 {
				touched = s
				g.SellerOrderID = s.in.SellerOrderID
				charged = min(g.Amount.Amount, s.in.Total.Amount-s.refunded)
			}
			must(e.Svc.RecordGoodwill(ctx, g))
			s.refunded += charged
			goodwillTotal[cur] += g.Amount.Amount - charged
			goodwills = append(goodwills, g)
		case k < 60:
			op = "release"
			must(e.Svc.Release(ctx, sales[r.IntN(len(sales))].in.SellerOrderID))
		case k < 68:
			op = "time passes"
			e.Advance(time.Duration(1+r.IntN(72)) * time.Hour)
			must(e.Svc.ReleaseDue(ctx))
		case k < 76:
			op = "payout run"
			e.Transfers.SetMode(Mode(r.IntN(3)))
			_, _ = e.Svc.RunPayouts(ctx) // a refused or failed transfer is not an error here
		case k < 90:
			op = "payout action"
			open := must(e.Svc.Payouts(admin, ledger.PayoutQuery{Limit: 100}))
			var cands []ledger.Payout
			for _, p := range open.Items {
				if p.Status == ledger.PayoutPending || p.Status == ledger.PayoutInTransit {
					cands = append(cands, p)
				}
			}
			if len(cands) == 0 {
				continue
			}
			p := cands[r.IntN(len(cands))]
			e.Transfers.SetMode(Mode(r.IntN(3)))
			var err error
			switch r.IntN(3) {
			case 0:
				_, err = e.Svc.ApprovePayout(admin, p.ID)
			case 1:
				_, err = e.Svc.MarkPaid(admin, p.ID, ledger.PaidInput{})
				if p.Status == ledger.PayoutPending && apperr.CodeOf(err) == "illegal_transition" {
					err = nil
				}
			default:
				_, err = e.Svc.MarkFailed(admin, p.ID, ledger.FailedInput{Reason: "bounced"})
			}
			if err != nil {
				fail(step, op, "%v", err)
			}
		case k < 95:
			op = "cash collected"
			for _, s := range sales {
				if s.in.Gateway == ledger.CODGateway && !s.collected {
					must(e.Svc.RecordCashCollected(ctx, ledger.CashCollected{PartnerID: partners[r.IntN(2)], SellerOrderID: s.in.SellerOrderID,
						Amount: s.in.Total}))
					s.collected = true
					break
				}
			}
		default:
			op = "cash handover"
			held := must(e.Svc.CashHeld(admin))
			if len(held) == 0 {
				continue
			}
			h := held[r.IntN(len(held))]
			amount := 1 + r.Int64N(h.Held.Amount+10)
			_, err := e.Svc.HandOver(admin, h.PartnerID, ledger.HandoverInput{Amount: money.New(amount, h.Held.Currency)})
			if (amount <= h.Held.Amount) != (err == nil) {
				fail(step, op, "handover of %d of %d held: %v", amount, h.Held.Amount, err)
			}
		}

		// The invariants. Transactions never change once posted: each is
		// checked once, when new.
		for _, tx := range must(e.Store.Transactions(ctx, ledger.TxnFilter{After: lastTxn})) {
			lastTxn = max(lastTxn, tx.ID)
			sums := map[string]int64{}
			for _, en := range tx.Entries {
				sums[en.Amount.Currency] += en.Amount.Amount
			}
			for c, s := range sums {
				if s != 0 {
					fail(step, op, "transaction %s sums to %d %s", tx.Reference, s, c)
				}
			}
		}
		totals := map[string]int64{}
		byKind := map[ledger.AccountKind]map[string]int64{}
		for _, b := range must(e.Store.Balances(ctx, ledger.BalanceFilter{})) {
			totals[b.Currency] += b.Amount
			if b.Account.Kind == ledger.SellerPending && b.Amount > 0 {
				fail(step, op, "pending balance of %s is %d %s (below zero)", b.Account.Owner, -b.Amount, b.Currency)
			}
			if byKind[b.Account.Kind] == nil {
				byKind[b.Account.Kind] = map[string]int64{}
			}
			byKind[b.Account.Kind][b.Currency] += b.Amount
		}
		for c, s := range totals {
			if s != 0 {
				fail(step, op, "balances sum to %d %s", s, c)
			}
		}
		check := sales
		if step%20 != 19 && step != steps-1 {
			check = nil // every sale every 20 steps; the one changed every step
			if touched != nil {
				check = []*saleModel{touched}
			}
		}
		for _, s := range check {
			st := must(e.Svc.Sale(ctx, s.in.SellerOrderID))
			if st.Refunded.Amount != s.refunded || st.Refunded.Amount > st.Total.Amount || st.Pending.Amount < 0 ||
				st.CommissionReversed.Amount > st.Commission.Amount {
				fail(step, op, "sale %s: %+v, want %d refunded", s.in.SellerOrderID, st, s.refunded)
			}
		}
		inTransit, paid := map[string]int64{}, map[string]int64{}
		all := must(e.Store.Payouts(ctx, ledger.PayoutFilter{}))
		for _, p := range all {
			switch p.Status {
			case ledger.PayoutPending, ledger.PayoutInTransit:
				inTransit[p.Amount.Currency] += p.Amount.Amount
			case ledger.PayoutPaid:
				paid[p.Amount.Currency] += p.Amount.Amount
			}
		}
		for _, c := range currencies {
			if got := -byKind[ledger.SellerPayout][c]; got != inTransit[c] {
				fail(step, op, "in transit %d %s, open payouts %d", got, c, inTransit[c])
			}
			if got := -byKind[ledger.BankPayouts][c]; got != paid[c] {
				fail(step, op, "paid out %d %s, paid payouts %d", got, c, paid[c])
			}
			if got := byKind[ledger.PlatformGoodwill][c]; got != goodwillTotal[c] {
				fail(step, op, "goodwill %d %s, the platform bore %d", got, c, goodwillTotal[c])
			}
		}
	}
}
