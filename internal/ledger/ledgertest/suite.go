package ledgertest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Env is one scenario's service, its fakes and its clock.
type Env struct {
	Svc       *ledger.Service
	Store     ledger.Store
	Sellers   *Sellers
	Transfers *Transfers
	now       atomic.Int64
}

// Advance moves the clock on.
func (e *Env) Advance(d time.Duration) { e.now.Add(int64(d)) }

// Now is the clock's time.
func (e *Env) Now() time.Time { return time.Unix(0, e.now.Load()).UTC() }

// As is a context signed in as user with role.
func As(user id.User, role auth.Role) context.Context {
	return auth.With(context.Background(), auth.Principal{UserID: user, Role: role})
}

// Open returns a fresh, empty store.
type Open func(t *testing.T) ledger.Store

// NewEnv builds a service on store with a fixed clock, a weekly payout
// interval and a minimum payout of 1000 (USD) and 500 (EUR).
func NewEnv(store ledger.Store) *Env {
	e := &Env{Store: store, Sellers: NewSellers(), Transfers: NewTransfers()}
	e.now.Store(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).UnixNano())
	e.Svc = ledger.New(store, ledger.Deps{Sellers: e.Sellers, Transfers: e.Transfers}, ledger.Options{
		Now: e.Now, PayoutInterval: 7 * 24 * time.Hour, PayoutMinimum: map[string]int64{"USD": 1000, "EUR": 500},
	})
	return e
}

// Suite runs every scenario against the stores open makes, each on a
// fresh one.
func Suite(t *testing.T, open Open) {
	for name, fn := range map[string]func(*testing.T, *Env){
		"SaleAndCommission":  saleAndCommission,
		"Refunds":            refunds,
		"Concurrent":         concurrent,
		"Release":            release,
		"Payouts":            payouts,
		"StripeTransfers":    stripeTransfers,
		"CashOnDelivery":     cashOnDelivery,
		"Goodwill":           goodwill,
		"BooksAndJournal":    booksAndJournal,
		"Statement":          statement,
		"CommissionRules":    commissionRules,
		"AccessAndSettings":  accessAndSettings,
		"InvariantsProperty": func(t *testing.T, e *Env) { Property(t, e, 1, 120) },
	} {
		t.Run(name, func(t *testing.T) {
			e := NewEnv(open(t))
			defer func() {
				if p := recover(); p != nil {
					f, ok := p.(failure)
					if !ok {
						panic(p)
					}
					t.Fatalf("unexpected error: %v", f.err)
				}
			}()
			fn(t, e)
		})
	}
}

// failure is what must panics with; Suite turns it into a test failure.
type failure struct{ err error }

func must[T any](v T, err error) T {
	if err != nil {
		panic(failure{err})
	}
	return v
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Errorf("%s: err = %v (code %q), want code %q", what, err, apperr.CodeOf(err), code)
	}
}

func wantKind(t *testing.T, what string, err error, kind apperr.Kind) {
	t.Helper()
	if !apperr.Is(err, kind) {
		t.Errorf("%s: err = %v, want kind %v", what, err, kind)
	}
}

// balance returns account a's raw balance in currency.
func balance(t *testing.T, e *Env, a ledger.Account, currency string) int64 {
	t.Helper()
	bs := must(e.Store.Balances(context.Background(), ledger.BalanceFilter{Kind: a.Kind, Owner: a.Owner, Currency: currency}))
	var sum int64
	for _, b := range bs {
		if b.Account == a {
			sum += b.Amount
		}
	}
	return sum
}

func wantBalance(t *testing.T, e *Env, a ledger.Account, currency string, want int64) {
	t.Helper()
	if got := balance(t, e, a, currency); got != want {
		t.Errorf("balance of %v in %s = %d, want %d", a, currency, got, want)
	}
}

func usd(a int64) money.Money { return money.New(a, "USD") }

// sale records a sale of one line in the default category.
func sale(e *Env, seller id.Seller, gateway string, total int64, currency string, releaseAt *time.Time) (id.SellerOrder, ledger.Posted) {
	so := id.Make[id.SellerOrder]()
	p := must(e.Svc.RecordSale(context.Background(), ledger.Sale{SellerOrderID: so, OrderID: id.Make[id.Order](), SellerID: seller,
		Gateway: gateway, Lines: []ledger.SaleLine{{Category: "cat_none", Amount: money.New(total, currency)}},
		Total: money.New(total, currency), ReleaseAt: releaseAt}))
	return so, p
}

func saleAndCommission(t *testing.T, e *Env) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	a, b := id.Make[id.Seller](), id.Make[id.Seller]()
	books := id.Make[id.Category]()
	must(e.Svc.SetCommission(admin, ledger.Rules{
		Default:    ledger.Rate{BPS: 1000, Fees: []money.Money{usd(30)}},
		Categories: []ledger.CategoryRate{{CategoryID: books, BPS: 500}},
		Sellers:    []ledger.SellerRate{{SellerID: b, BPS: 200}},
	}))
	so := id.Make[id.SellerOrder]()
	in := ledger.Sale{SellerOrderID: so, OrderID: id.Make[id.Order](), SellerID: a, Gateway: "stripe",
		Lines:    []ledger.SaleLine{{Category: books, Amount: usd(1000)}, {Category: id.Make[id.Category](), Amount: usd(2005)}},
		Shipping: usd(500), Total: usd(3800)}
	p := must(e.Svc.RecordSale(ctx, in))
	// 5 % of 1000 = 50; 10 % of 2005 = 200.5, rounded half up to 201; fee 30.
	if p.Commission.Total != usd(281) || p.Commission.Fee != 30 || p.Commission.Lines[1] != 201 {
		t.Errorf("commission = %+v, want 50 + 201 + fee 30 = 281", p.Commission)
	}
	wantBalance(t, e, ledger.GatewayAccount("stripe"), "USD", 3800)
	wantBalance(t, e, ledger.PendingAccount(a), "USD", -3519)
	wantBalance(t, e, ledger.CommissionAccount(), "USD", -281)

	again := must(e.Svc.RecordSale(ctx, in))
	if !again.Replayed || again.Txn.ID != p.Txn.ID || again.Commission.Total != usd(281) {
		t.Errorf("RecordSale again = %+v, want the first posting replayed", again)
	}
	wantBalance(t, e, ledger.GatewayAccount("stripe"), "USD", 3800)

	// Seller b's rate overrides the category's; no fee of its own.
	pb := must(e.Svc.RecordSale(ctx, ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](), SellerID: b,
		Gateway: "stripe", Lines: []ledger.SaleLine{{Category: books, Amount: usd(1000)}}, Total: usd(1000)}))
	if pb.Commission.Total != usd(20) {
		t.Errorf("seller b's commission = %v, want 20", pb.Commission.Total)
	}
	// No EUR fee: lines only.
	pe := must(e.Svc.RecordSale(ctx, ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](), SellerID: a,
		Gateway: "stripe", Lines: []ledger.SaleLine{{Category: "cat_x", Amount: money.New(999, "EUR")}}, Total: money.New(999, "EUR")}))
	if pe.Commission.Total != money.New(100, "EUR") {
		t.Errorf("EUR commission = %v, want 100 (99.9 rounded half up)", pe.Commission.Total)
	}

	_, err := e.Svc.RecordSale(ctx, ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](), SellerID: a,
		Gateway: "stripe", Lines: []ledger.SaleLine{{Amount: usd(1000)}}, Total: usd(900)})
	wantKind(t, "total under the lines", err, apperr.KindInvalid)
	_, err = e.Svc.RecordSale(ctx, ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](), SellerID: a,
		Gateway: "stripe", Lines: []ledger.SaleLine{{Amount: money.New(100, "EUR")}}, Total: usd(900)})
	wantKind(t, "mixed currencies", err, apperr.KindInvalid)
}

func refunds(t *testing.T, e *Env) {
	ctx := context.Background()
	a := id.Make[id.Seller]()
	so, _ := sale(e, a, "stripe", 1000, "USD", nil) // 10 %: commission 100, share 900
	steps := []struct {
		amount, commission, seller int64
	}{
		{333, 33, 300}, // 33.3 -> 33
		{333, 34, 299}, // cumulative 66.6 -> 67
		{334, 33, 301}, // cumulative 100: the whole commission back
	}
	var first ledger.Txn
	for i, st := range steps {
		rfd := id.Make[id.Refund]()
		tx := must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: rfd, SellerOrderID: so, Amount: usd(st.amount)}))
		if i == 0 {
			first = tx
		}
		for _, en := range tx.Entries {
			switch en.Account.Kind {
			case ledger.PlatformCommission:
				if en.Amount.Amount != st.commission {
					t.Errorf("refund %d gives back commission %d, want %d", i, en.Amount.Amount, st.commission)
				}
			case ledger.SellerPending:
				if en.Amount.Amount != st.seller {
					t.Errorf("refund %d takes %d from pending, want %d", i, en.Amount.Amount, st.seller)
				}
			case ledger.SellerAvailable:
				t.Errorf("refund %d takes from available while the share is pending", i)
			}
		}
	}
	again := must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: first.RefundID, SellerOrderID: so, Amount: usd(333)}))
	if again.ID != first.ID {
		t.Errorf("refund replayed = %s, want the first %s", again.ID, first.ID)
	}
	_, err := e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: so, Amount: usd(1)})
	wantCode(t, "refund beyond the total", err, "refund_exceeds_sale")
	wantBalance(t, e, ledger.PendingAccount(a), "USD", 0)
	wantBalance(t, e, ledger.CommissionAccount(), "USD", 0)
	wantBalance(t, e, ledger.GatewayAccount("stripe"), "USD", 0)
	st := must(e.Svc.Sale(ctx, so))
	if st.Refunded != usd(1000) || st.Pending != usd(0) {
		t.Errorf("sale = refunded %v pending %v, want 1000 and 0", st.Refunded, st.Pending)
	}

	_, err = e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: id.Make[id.SellerOrder](), Amount: usd(1)})
	wantKind(t, "refund of an unknown sale", err, apperr.KindNotFound)
	so2, _ := sale(e, a, "stripe", 2000, "USD", nil)
	_, err = e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: so2, Amount: money.New(10, "EUR")})
	wantCode(t, "refund in another currency", err, "currency_mismatch")

	// Released, paid out, then refunded: the seller owes the platform.
	must(e.Svc.Release(ctx, so2))
	wantBalance(t, e, ledger.AvailableAccount(a), "USD", -1800)
	must(e.Svc.SetPayoutSettings(asSeller(e, a), ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "A", Account: "GB29NWBK60161331926819"}}))
	if run := must(e.Svc.RunPayouts(ctx)); run.Created != 1 {
		t.Fatalf("RunPayouts created %d, want 1", run.Created)
	}
	must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: so2, Amount: usd(500)}))
	wantBalance(t, e, ledger.AvailableAccount(a), "USD", 450) // 500 less its 50 of commission, owed by the seller
	wantBalance(t, e, ledger.PendingAccount(a), "USD", 0)
}

// asSeller signs in a user running seller.
func asSeller(e *Env, seller id.Seller) context.Context {
	u := id.User("usr_of_" + string(seller))
	e.Sellers.Set(u, seller)
	return As(u, auth.Seller)
}

func concurrent(t *testing.T, e *Env) {
	ctx := context.Background()
	a := id.Make[id.Seller]()
	in := ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](), SellerID: a, Gateway: "stripe",
		Lines: []ledger.SaleLine{{Amount: usd(1000)}}, Total: usd(1000)}
	var wg sync.WaitGroup
	ids := make([]ledger.TxnID, 8)
	for i := range ids {
		wg.Go(func() { ids[i] = must(e.Svc.RecordSale(ctx, in)).Txn.ID })
	}
	wg.Wait()
	for _, x := range ids {
		if x != ids[0] {
			t.Errorf("concurrent RecordSale gave %s and %s, want one transaction", ids[0], x)
		}
	}
	wantBalance(t, e, ledger.GatewayAccount("stripe"), "USD", 1000)

	var ok, over atomic.Int64
	for range 20 {
		wg.Go(func() {
			_, err := e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: in.SellerOrderID, Amount: usd(100)})
			switch {
			case err == nil:
				ok.Add(1)
			case apperr.CodeOf(err) == "refund_exceeds_sale":
				over.Add(1)
			default:
				t.Errorf("concurrent refund: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 || over.Load() != 10 {
		t.Errorf("20 concurrent refunds of 100 on 1000: %d made, %d refused; want 10 and 10", ok.Load(), over.Load())
	}
	wantBalance(t, e, ledger.GatewayAccount("stripe"), "USD", 0)
	wantBalance(t, e, ledger.PendingAccount(a), "USD", 0)
}

func release(t *testing.T, e *Env) {
	ctx := context.Background()
	a := id.Make[id.Seller]()
	at := e.Now().Add(14 * 24 * time.Hour)
	so1, _ := sale(e, a, "stripe", 1000, "USD", &at)
	so2, _ := sale(e, a, "stripe", 2000, "USD", nil)
	if n := must(e.Svc.ReleaseDue(ctx)); n != 0 {
		t.Errorf("ReleaseDue before the window closed released %d", n)
	}
	must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: so1, Amount: usd(100)}))
	e.Advance(15 * 24 * time.Hour)
	if n := must(e.Svc.ReleaseDue(ctx)); n != 1 {
		t.Errorf("ReleaseDue = %d, want 1 (the other has no release time)", n)
	}
	wantBalance(t, e, ledger.AvailableAccount(a), "USD", -810) // 900 less the refund's 90
	wantBalance(t, e, ledger.PendingAccount(a), "USD", -1800)
	if err := e.Svc.SetReleaseAt(ctx, so2, e.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n := must(e.Svc.ReleaseDue(ctx)); n != 1 {
		t.Errorf("ReleaseDue after SetReleaseAt = %d, want 1", n)
	}
	wantBalance(t, e, ledger.PendingAccount(a), "USD", 0)
	wantBalance(t, e, ledger.AvailableAccount(a), "USD", -2610)
	if tx := must(e.Svc.Release(ctx, so1)); tx.Kind != ledger.KindRelease {
		t.Errorf("Release again = %+v, want the first release", tx)
	}
	if n := must(e.Svc.ReleaseDue(ctx)); n != 0 {
		t.Errorf("ReleaseDue again = %d, want 0", n)
	}
	if err := e.Svc.SetReleaseAt(ctx, so1, e.Now().Add(time.Hour)); err != nil { // released already: nothing
		t.Error(err)
	}
	_, err := e.Svc.Release(ctx, id.Make[id.SellerOrder]())
	wantKind(t, "release of an unknown sale", err, apperr.KindNotFound)

	// A fully refunded sale releases nothing.
	so3, _ := sale(e, a, "stripe", 500, "USD", nil)
	must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: so3, Amount: usd(500)}))
	if tx := must(e.Svc.Release(ctx, so3)); tx.Kind != "" {
		t.Errorf("release of a refunded sale posted %+v", tx)
	}
}

func payouts(t *testing.T, e *Env) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	a, c := id.Make[id.Seller](), id.Make[id.Seller]()
	for _, s := range []id.Seller{a, c} {
		so, _ := sale(e, s, "stripe", 10000, "USD", nil)
		must(e.Svc.Release(ctx, so))
		so, _ = sale(e, s, "stripe", 300, "EUR", nil) // 270 EUR: under the EUR minimum of 500
		must(e.Svc.Release(ctx, so))
	}
	must(e.Svc.SetPayoutSettings(asSeller(e, a), ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "Ann's Lamps",
		Account: "GB29 NWBK 6016 1331 9268 19", Routing: "NWBK6016"}}))
	run := must(e.Svc.RunPayouts(ctx))
	if run.Created != 1 {
		t.Fatalf("RunPayouts created %d, want 1 (c has no payout account; EUR is under the minimum)", run.Created)
	}
	if run := must(e.Svc.RunPayouts(ctx)); run.Created != 0 {
		t.Errorf("RunPayouts again created %d, want 0", run.Created)
	}
	bal := must(e.Svc.SellerBalance(asSeller(e, a), ""))
	if len(bal.Balances) != 2 || bal.Balances[1].Currency != "USD" || bal.Balances[1].InTransit != usd(9000) ||
		bal.Balances[1].Available != usd(0) || bal.Balances[1].NextPayout != nil || bal.Balances[0].NextPayout != nil {
		t.Errorf("balance = %+v, want EUR then USD with 9000 in transit and no next payout", bal)
	}
	list := must(e.Svc.Payouts(admin, ledger.PayoutQuery{Status: ledger.PayoutPending}))
	if len(list.Items) != 1 || list.Items[0].Amount != usd(9000) || list.Items[0].Channel != ledger.ChannelManual ||
		list.Items[0].Destination != "****6819" {
		t.Fatalf("pending payouts = %+v, want a's 9000 manual to ****6819", list.Items)
	}
	p := list.Items[0]
	_, err := e.Svc.MarkPaid(admin, p.ID, ledger.PaidInput{})
	wantCode(t, "paid before approval", err, "illegal_transition")
	p = must(e.Svc.ApprovePayout(admin, p.ID))
	if p.Status != ledger.PayoutInTransit {
		t.Errorf("approved manual payout is %s, want in_transit", p.Status)
	}
	rows := must(e.Svc.Export(admin))
	if len(rows) != 1 || rows[0].Holder != "Ann's Lamps" || rows[0].Account != "****6819" || rows[0].Amount != usd(9000) || rows[0].Routing != "NWBK6016" {
		t.Errorf("export = %+v", rows)
	}
	p = must(e.Svc.MarkPaid(admin, p.ID, ledger.PaidInput{Reference: "BANK-1"}))
	if p.Status != ledger.PayoutPaid || p.TransferID != "BANK-1" {
		t.Errorf("paid payout = %+v", p)
	}
	must(e.Svc.MarkPaid(admin, p.ID, ledger.PaidInput{})) // again: nothing
	_, err = e.Svc.MarkFailed(admin, p.ID, ledger.FailedInput{Reason: "bounced"})
	wantCode(t, "failing a paid payout", err, "illegal_transition")
	wantBalance(t, e, ledger.BankPayoutsAccount(), "USD", -9000)
	wantBalance(t, e, ledger.PayoutAccountOf(a), "USD", 0)

	// The next payout waits for the interval.
	so, _ := sale(e, a, "stripe", 5000, "USD", nil)
	must(e.Svc.Release(ctx, so))
	if run := must(e.Svc.RunPayouts(ctx)); run.Created != 0 {
		t.Errorf("RunPayouts within the interval created %d", run.Created)
	}
	bal = must(e.Svc.SellerBalance(asSeller(e, a), ""))
	if np := bal.Balances[1].NextPayout; np == nil || !np.Date.Equal(e.Now().Add(7*24*time.Hour)) || np.Amount != usd(4500) {
		t.Errorf("next payout = %+v, want 4500 in 7 days", np)
	}
	e.Advance(8 * 24 * time.Hour)
	if run := must(e.Svc.RunPayouts(ctx)); run.Created != 1 {
		t.Errorf("RunPayouts after the interval created %d, want 1", run.Created)
	}
	p = must(e.Svc.Payouts(admin, ledger.PayoutQuery{Seller: a, Status: ledger.PayoutPending})).Items[0]
	_, err = e.Svc.MarkFailed(admin, p.ID, ledger.FailedInput{})
	wantKind(t, "failed without a reason", err, apperr.KindInvalid)
	p = must(e.Svc.MarkFailed(admin, p.ID, ledger.FailedInput{Reason: "account frozen"}))
	if p.Status != ledger.PayoutFailed || p.Failure != "account frozen" {
		t.Errorf("failed payout = %+v", p)
	}
	wantBalance(t, e, ledger.AvailableAccount(a), "USD", -4500)
	wantBalance(t, e, ledger.PayoutAccountOf(a), "USD", 0)
	_, err = e.Svc.ApprovePayout(admin, p.ID)
	wantCode(t, "approving a failed payout", err, "illegal_transition")

	// Paging, newest first.
	all := must(e.Svc.Payouts(admin, ledger.PayoutQuery{Limit: 1}))
	if len(all.Items) != 1 || all.NextCursor == "" || all.Items[0].ID != p.ID {
		t.Fatalf("first page = %+v", all)
	}
	next := must(e.Svc.Payouts(admin, ledger.PayoutQuery{Limit: 1, Cursor: all.NextCursor}))
	if len(next.Items) != 1 || next.Items[0].Status != ledger.PayoutPaid || next.NextCursor != "" {
		t.Errorf("second page = %+v", next)
	}
}

func stripeTransfers(t *testing.T, e *Env) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	b := id.Make[id.Seller]()
	must(e.Svc.SetPayoutSettings(asSeller(e, b), ledger.PayoutSettingsInput{StripeAccount: "acct_1Nv0FGQ9RKHgCVdK"}))
	pay := func() ledger.Payout {
		so, _ := sale(e, b, "stripe", 10000, "USD", nil)
		must(e.Svc.Release(ctx, so))
		e.Advance(8 * 24 * time.Hour)
		if run := must(e.Svc.RunPayouts(ctx)); run.Created != 1 {
			t.Fatalf("RunPayouts created %d, want 1", run.Created)
		}
		return must(e.Svc.Payouts(admin, ledger.PayoutQuery{Status: ledger.PayoutPending})).Items[0]
	}

	p := must(e.Svc.ApprovePayout(admin, pay().ID))
	if p.Status != ledger.PayoutPaid || p.TransferID == "" || p.Channel != ledger.ChannelStripe || p.Destination != "acct_****CVdK" {
		t.Errorf("approved Stripe payout = %+v, want paid by transfer to acct_****CVdK", p)
	}
	if m := e.Transfers.Made()["payout:"+string(p.ID)]; m.Destination != "acct_1Nv0FGQ9RKHgCVdK" || m.Amount != usd(9000) {
		t.Errorf("transfer = %+v", m)
	}
	wantBalance(t, e, ledger.BankPayoutsAccount(), "USD", -9000)

	e.Transfers.SetMode(TransferRefuse)
	p = must(e.Svc.ApprovePayout(admin, pay().ID))
	if p.Status != ledger.PayoutFailed || p.Failure == "" {
		t.Errorf("refused transfer: payout = %+v, want failed", p)
	}
	wantBalance(t, e, ledger.AvailableAccount(b), "USD", -9000)

	e.Transfers.SetMode(TransferDown)
	p = must(e.Svc.ApprovePayout(admin, pay().ID))
	if p.Status != ledger.PayoutInTransit {
		t.Errorf("gateway down: payout = %+v, want in_transit", p)
	}
	e.Transfers.SetMode(TransferOK)
	if run := must(e.Svc.RunPayouts(ctx)); run.Sent != 0 {
		t.Errorf("RunPayouts right after approval resent %d", run.Sent)
	}
	e.Advance(2 * time.Minute)
	if run := must(e.Svc.RunPayouts(ctx)); run.Sent != 1 {
		t.Errorf("RunPayouts resent %d, want 1", run.Sent)
	}
	p = must(e.Svc.Payout(admin, p.ID))
	if p.Status != ledger.PayoutPaid {
		t.Errorf("after the retry the payout is %s, want paid", p.Status)
	}
	_, err := e.Svc.ApprovePayout(admin, p.ID)
	wantCode(t, "approving a paid payout", err, "illegal_transition")
	_, err = e.Svc.ApprovePayout(admin, id.Make[ledger.PayoutID]())
	wantKind(t, "approving a missing payout", err, apperr.KindNotFound)
	if n := len(e.Transfers.Made()); n != 2 {
		t.Errorf("%d transfers made, want 2 (one per paid payout)", n)
	}
	wantBalance(t, e, ledger.BankPayoutsAccount(), "USD", -27000) // 9000, then 18000 with the refused one's money
	wantBalance(t, e, ledger.PayoutAccountOf(b), "USD", 0)
}

func cashOnDelivery(t *testing.T, e *Env) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	a := id.Make[id.Seller]()
	rider, rider2 := id.Make[id.User](), id.Make[id.User]()
	so, _ := sale(e, a, ledger.CODGateway, 2500, "USD", nil)
	wantBalance(t, e, ledger.GatewayAccount("cod"), "USD", 2500)
	in := ledger.CashCollected{PartnerID: rider, SellerOrderID: so, Amount: usd(2500)}
	must(e.Svc.RecordCashCollected(ctx, in))
	must(e.Svc.RecordCashCollected(ctx, in))
	so2, _ := sale(e, a, ledger.CODGateway, 700, "EUR", nil)
	must(e.Svc.RecordCashCollected(ctx, ledger.CashCollected{PartnerID: rider2, SellerOrderID: so2, Amount: money.New(700, "EUR")}))
	wantBalance(t, e, ledger.GatewayAccount("cod"), "USD", 0)
	held := must(e.Svc.CashHeld(admin))
	if len(held) != 2 {
		t.Fatalf("cash held = %+v, want two partners", held)
	}
	_, err := e.Svc.HandOver(admin, rider, ledger.HandoverInput{Amount: usd(3000)})
	wantCode(t, "handing over more than held", err, "exceeds_cash_held")
	must(e.Svc.HandOver(admin, rider, ledger.HandoverInput{Amount: usd(2000), Reference: "R-1"}))
	must(e.Svc.HandOver(admin, rider, ledger.HandoverInput{Amount: usd(2000), Reference: "R-1"}))
	wantBalance(t, e, ledger.CODAccount(rider), "USD", 500)
	wantBalance(t, e, ledger.PlatformCashAccount(), "USD", 2000)
	_, err = e.Svc.HandOver(As(rider, auth.Delivery), rider, ledger.HandoverInput{Amount: usd(1)})
	wantKind(t, "a partner recording its own handover", err, apperr.KindForbidden)
	_, err = e.Svc.CashHeld(As(rider, auth.Delivery))
	wantKind(t, "a partner listing cash held", err, apperr.KindForbidden)

	must(e.Svc.RecordGatewayFee(ctx, ledger.Fee{PaymentID: id.Make[id.Payment](), Gateway: "stripe", Amount: usd(59)}))
	wantBalance(t, e, ledger.GatewayFeesAccount(), "USD", 59)
}

// goodwill: a goodwill refund charged to a seller order is booked like a
// return's; one charged to nobody, and what exceeds the sale, are the
// platform's expense; replays change nothing.
func goodwill(t *testing.T, e *Env) {
	ctx := context.Background()
	a := id.Make[id.Seller]()
	so, p := sale(e, a, "stripe", 10000, "USD", nil) // default commission 10 %: 1000
	if p.Commission.Total.Amount != 1000 {
		t.Fatalf("commission = %v, want 1000", p.Commission.Total)
	}
	// Charged to the seller order: 2500 back, a quarter of the commission reversed.
	g := ledger.Goodwill{RefundID: id.Make[id.Refund](), OrderID: id.Make[id.Order](), SellerOrderID: so, Gateway: "stripe", Amount: usd(2500)}
	txs := must(e.Svc.RecordGoodwill(ctx, g))
	if len(txs) != 1 || txs[0].Kind != ledger.KindRefund {
		t.Fatalf("goodwill charged to a seller order posted %+v, want one refund", txs)
	}
	must(e.Svc.RecordGoodwill(ctx, g))
	st := must(e.Svc.Sale(ctx, so))
	if st.Refunded.Amount != 2500 || st.CommissionReversed.Amount != 250 || st.Pending.Amount != 9000-2250 {
		t.Errorf("sale after a goodwill refund = %+v, want 2500 refunded, 250 reversed, 6750 pending", st)
	}
	wantBalance(t, e, ledger.GoodwillAccount(), "USD", 0)

	// The platform's own: nothing on the seller.
	pg := ledger.Goodwill{RefundID: id.Make[id.Refund](), OrderID: g.OrderID, Gateway: "stripe", Amount: usd(700)}
	txs = must(e.Svc.RecordGoodwill(ctx, pg))
	if len(txs) != 1 || txs[0].Kind != ledger.KindGoodwill {
		t.Fatalf("platform goodwill posted %+v, want one goodwill", txs)
	}
	must(e.Svc.RecordGoodwill(ctx, pg))
	wantBalance(t, e, ledger.GoodwillAccount(), "USD", 700)
	wantBalance(t, e, ledger.PendingAccount(a), "USD", -6750)

	// More than is left of the sale: the seller is charged what is left
	// (7500), the platform the rest (500).
	over := ledger.Goodwill{RefundID: id.Make[id.Refund](), OrderID: g.OrderID, SellerOrderID: so, Gateway: "stripe", Amount: usd(8000)}
	txs = must(e.Svc.RecordGoodwill(ctx, over))
	if len(txs) != 2 {
		t.Fatalf("goodwill over the sale posted %d transactions, want 2", len(txs))
	}
	must(e.Svc.RecordGoodwill(ctx, over))
	st = must(e.Svc.Sale(ctx, so))
	if st.Refunded.Amount != 10000 || st.CommissionReversed.Amount != 1000 || st.Pending.Amount != 0 {
		t.Errorf("sale refunded in full = %+v, want 10000 refunded, 1000 reversed, 0 pending", st)
	}
	wantBalance(t, e, ledger.GoodwillAccount(), "USD", 1200)
	wantBalance(t, e, ledger.GatewayAccount("stripe"), "USD", 10000-2500-700-8000)
	wantBalance(t, e, ledger.CommissionAccount(), "USD", 0)

	_, err := e.Svc.RecordGoodwill(ctx, ledger.Goodwill{RefundID: id.Make[id.Refund](), SellerOrderID: id.Make[id.SellerOrder](), Gateway: "stripe", Amount: usd(1)})
	wantKind(t, "goodwill charged to a sale not recorded yet", err, apperr.KindNotFound)
	_, err = e.Svc.RecordGoodwill(ctx, ledger.Goodwill{RefundID: id.Make[id.Refund](), Gateway: "stripe", Amount: usd(0)})
	wantKind(t, "goodwill of nothing", err, apperr.KindInvalid)
}

// booksAndJournal: the admin's books sum every account per currency on its
// normal side, and balance; the journal lists transactions newest first,
// filtered by kind and account, a page at a time; only admins see either.
func booksAndJournal(t *testing.T, e *Env) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	a := id.Make[id.Seller]()
	so, _ := sale(e, a, "stripe", 10000, "USD", nil)                                                                   // commission 1000
	sale(e, a, ledger.CODGateway, 2000, "USD", nil)                                                                    // commission 200
	sale(e, a, "test", 500, "EUR", nil)                                                                                // commission 50
	must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: so, Amount: usd(1000)})) // 100 back
	must(e.Svc.RecordGatewayFee(ctx, ledger.Fee{PaymentID: id.Make[id.Payment](), Gateway: "stripe", Amount: usd(320)}))
	must(e.Svc.RecordGoodwill(ctx, ledger.Goodwill{RefundID: id.Make[id.Refund](), Gateway: "stripe", Amount: usd(150)}))

	b := must(e.Svc.Books(admin))
	if len(b.Currencies) != 2 || b.Currencies[0].Currency != "EUR" || b.Currencies[1].Currency != "USD" {
		t.Fatalf("books = %+v, want EUR and USD", b)
	}
	u := b.Currencies[1]
	want := ledger.CurrencyBooks{Currency: "USD",
		Gateways:     []ledger.GatewayBalance{{Gateway: "cod", Balance: usd(2000)}, {Gateway: "stripe", Balance: usd(10000 - 1000 - 320 - 150)}},
		PartnersCash: usd(0), Cash: usd(0), PaidOut: usd(0), Commission: usd(1000 + 200 - 100), GatewayFees: usd(320), Goodwill: usd(150),
		SellersPending: usd(9000 - 900 + 1800), SellersAvailable: usd(0), SellersInTransit: usd(0)}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("USD books (-want +got):\n%s", diff)
	}
	// Assets = revenue - expenses + owed to sellers.
	assets := u.PartnersCash.Amount + u.Cash.Amount - u.PaidOut.Amount
	for _, g := range u.Gateways {
		assets += g.Balance.Amount
	}
	if owed := u.Commission.Amount - u.GatewayFees.Amount - u.Goodwill.Amount + u.SellersPending.Amount + u.SellersAvailable.Amount + u.SellersInTransit.Amount; assets != owed {
		t.Errorf("USD books do not balance: assets %d, revenue less expenses plus owed %d", assets, owed)
	}

	all := must(e.Svc.Journal(admin, ledger.JournalQuery{}))
	if len(all.Items) != 6 || all.Items[0].Kind != ledger.KindGoodwill || all.Items[5].Kind != ledger.KindSale {
		t.Fatalf("journal = %d transactions from %s to %s, want 6, goodwill first and a sale last", len(all.Items), all.Items[0].Kind, all.Items[len(all.Items)-1].Kind)
	}
	var paged []ledger.TxnID
	cursor := ""
	for range 10 {
		p := must(e.Svc.Journal(admin, ledger.JournalQuery{Limit: 4, Cursor: cursor}))
		for _, x := range p.Items {
			paged = append(paged, x.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(paged) != 6 || paged[0] != all.Items[0].ID || paged[5] != all.Items[5].ID {
		t.Errorf("paging by 4 gave %v, want the 6 of the journal in its order", paged)
	}
	sales := must(e.Svc.Journal(admin, ledger.JournalQuery{Kind: ledger.KindSale}))
	if len(sales.Items) != 3 {
		t.Errorf("sales in the journal = %d, want 3", len(sales.Items))
	}
	stripe := must(e.Svc.Journal(admin, ledger.JournalQuery{Account: "gateway:stripe"}))
	if len(stripe.Items) != 4 { // the sale, the refund, the fee, the goodwill
		t.Errorf("transactions on gateway:stripe = %d, want 4", len(stripe.Items))
	}
	commission := must(e.Svc.Journal(admin, ledger.JournalQuery{Account: "platform:commission", Kind: ledger.KindRefund}))
	if len(commission.Items) != 1 || commission.Items[0].SellerOrderID != so {
		t.Errorf("refunds touching the commission = %+v, want the one refund of %s", commission.Items, so)
	}
	_, err := e.Svc.Journal(admin, ledger.JournalQuery{Kind: "bribe"})
	wantKind(t, "an unknown kind", err, apperr.KindInvalid)
	_, err = e.Svc.Journal(admin, ledger.JournalQuery{Account: "platform:nothing"})
	wantKind(t, "an unknown account", err, apperr.KindInvalid)
	_, err = e.Svc.Journal(admin, ledger.JournalQuery{Cursor: "forged"})
	wantKind(t, "a forged cursor", err, apperr.KindInvalid)
	_, err = e.Svc.Books(asSeller(e, a))
	wantKind(t, "a seller reading the books", err, apperr.KindForbidden)
	_, err = e.Svc.Journal(As("usr_support", auth.Support), ledger.JournalQuery{})
	wantKind(t, "support reading the journal", err, apperr.KindForbidden)
}

func statement(t *testing.T, e *Env) {
	ctx := context.Background()
	a := id.Make[id.Seller]()
	ctxA := asSeller(e, a)
	var sos []id.SellerOrder
	for i := range 5 {
		so, _ := sale(e, a, "stripe", int64(1000*(i+1)), "USD", nil)
		sos = append(sos, so)
		e.Advance(time.Hour)
	}
	mid := e.Now()
	for _, so := range sos {
		must(e.Svc.Release(ctx, so))
		e.Advance(time.Hour)
	}
	must(e.Svc.RecordRefund(ctx, ledger.Refund{RefundID: id.Make[id.Refund](), SellerOrderID: sos[0], Amount: usd(1000)}))
	// available: +900 +1800 +2700 +3600 +4500, then -900.
	want := []int64{900, 2700, 5400, 9000, 13500, 12600}
	var got []int64
	cursor := ""
	for pages := 0; ; pages++ {
		p := must(e.Svc.Statement(ctxA, ledger.StatementQuery{Limit: 4, Cursor: cursor}))
		for _, l := range p.Items {
			got = append(got, l.Balance.Amount)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
		if pages > 5 {
			t.Fatal("statement pages do not end")
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("running balances = %v, want %v", got, want)
	}
	p := must(e.Svc.Statement(ctxA, ledger.StatementQuery{Account: "pending", From: mid}))
	if len(p.Items) != 5 || p.Items[0].Amount != usd(-900) || p.Items[0].Balance != usd(12600) || p.Items[4].Balance != usd(0) {
		t.Errorf("pending since %v = %+v, want 5 releases from a 13500 balance", mid, p.Items)
	}
	if p.Items[0].Kind != ledger.KindRelease || p.Items[0].SellerOrderID != sos[0] {
		t.Errorf("first pending line = %+v", p.Items[0])
	}
	p = must(e.Svc.Statement(ctxA, ledger.StatementQuery{Account: "pending", To: mid}))
	if len(p.Items) != 5 || p.Items[4].Balance != usd(13500) {
		t.Errorf("pending until %v = %+v", mid, p.Items)
	}
	_, err := e.Svc.Statement(ctxA, ledger.StatementQuery{Account: "bank"})
	wantKind(t, "statement of another account", err, apperr.KindInvalid)
	_, err = e.Svc.Statement(ctxA, ledger.StatementQuery{Cursor: "nonsense"})
	wantKind(t, "bad cursor", err, apperr.KindInvalid)
	_, err = e.Svc.Statement(As("usr_admin", auth.Admin), ledger.StatementQuery{})
	wantKind(t, "admin without a seller", err, apperr.KindInvalid)
	if p := must(e.Svc.Statement(As("usr_admin", auth.Admin), ledger.StatementQuery{Seller: a})); len(p.Items) != 6 {
		t.Errorf("admin's statement of a = %d lines, want 6", len(p.Items))
	}
}

func commissionRules(t *testing.T, e *Env) {
	admin := As("usr_admin", auth.Admin)
	r := must(e.Svc.Commission(admin))
	if r.Version != 0 || r.Default.BPS != 1000 {
		t.Errorf("rules before any = %+v, want version 0 and the 10 %% default", r)
	}
	_, err := e.Svc.Commission(As("usr_s", auth.Seller))
	wantKind(t, "a seller reading the rules", err, apperr.KindForbidden)
	bad := ledger.Rules{Default: ledger.Rate{BPS: 10001, Fees: []money.Money{usd(-1), money.New(5, "usd")}},
		Categories: []ledger.CategoryRate{{CategoryID: "nope", BPS: -1}},
		Sellers:    []ledger.SellerRate{{SellerID: "sel_x", BPS: 5, Fees: []money.Money{usd(1), usd(2)}}}}
	_, err = e.Svc.SetCommission(admin, bad)
	if e, ok := apperr.As(err); !ok || len(e.Fields) < 6 {
		t.Errorf("invalid rules: err = %v, want every field named", err)
	}
	cat, sel := id.Make[id.Category](), id.Make[id.Seller]()
	good := ledger.Rules{Default: ledger.Rate{BPS: 800}, Categories: []ledger.CategoryRate{{CategoryID: cat, BPS: 1500}},
		Sellers: []ledger.SellerRate{{SellerID: sel, BPS: 0, Fees: []money.Money{usd(25)}}}}
	r = must(e.Svc.SetCommission(admin, good))
	if r.Version != 1 {
		t.Errorf("version after the first set = %d, want 1", r.Version)
	}
	_, err = e.Svc.SetCommission(admin, good) // still says version 0
	wantCode(t, "stale version", err, "version_conflict")
	good.Version = 1
	must(e.Svc.SetCommission(admin, good))
	r = must(e.Svc.Commission(admin))
	if r.Version != 2 || len(r.Categories) != 1 || r.Categories[0].BPS != 1500 || len(r.Sellers) != 1 || r.Sellers[0].Fees[0] != usd(25) {
		t.Errorf("rules read back = %+v", r)
	}
	// The seller's 0 % rate with a 25 fee, capped at the lines.
	p := must(e.Svc.RecordSale(context.Background(), ledger.Sale{SellerOrderID: id.Make[id.SellerOrder](), OrderID: id.Make[id.Order](),
		SellerID: sel, Gateway: "stripe", Lines: []ledger.SaleLine{{Category: cat, Amount: usd(10)}}, Shipping: usd(100), Total: usd(110)}))
	if p.Commission.Total != usd(10) {
		t.Errorf("commission = %v, want the fee capped at the line: 10", p.Commission.Total)
	}
}

func accessAndSettings(t *testing.T, e *Env) {
	ctx := context.Background()
	admin := As("usr_admin", auth.Admin)
	a, b := id.Make[id.Seller](), id.Make[id.Seller]()
	ctxA, ctxB := asSeller(e, a), asSeller(e, b)
	_, err := e.Svc.SellerBalance(As("usr_nostore", auth.Seller), "")
	wantKind(t, "a seller without a store", err, apperr.KindNotFound)
	_, err = e.Svc.SellerBalance(As("usr_c", auth.Customer), "")
	wantKind(t, "a customer's balance", err, apperr.KindForbidden)
	_, err = e.Svc.SellerBalance(context.Background(), "")
	wantKind(t, "anonymous balance", err, apperr.KindUnauthorized)

	for _, in := range []ledger.PayoutSettingsInput{
		{},
		{StripeAccount: "acct_1", Bank: &ledger.BankInput{Holder: "x", Account: "12345678"}},
		{StripeAccount: "cus_123456"},
		{Bank: &ledger.BankInput{Holder: "", Account: "12"}},
		{Bank: &ledger.BankInput{Holder: "=cmd", Account: "12345678", Routing: "bad routing!"}},
	} {
		_, err := e.Svc.SetPayoutSettings(ctxA, in)
		wantKind(t, fmt.Sprintf("settings %+v", in), err, apperr.KindInvalid)
	}
	_, err = e.Svc.SetPayoutSettings(admin, ledger.PayoutSettingsInput{StripeAccount: "acct_123456789"})
	wantKind(t, "an admin setting payout settings", err, apperr.KindForbidden)
	ps := must(e.Svc.SetPayoutSettings(ctxA, ledger.PayoutSettingsInput{Bank: &ledger.BankInput{Holder: "Ann", Account: "000123456789", Routing: "HDFC0001234"}}))
	if ps.Account != "****6789" || ps.Channel != ledger.ChannelManual {
		t.Errorf("settings = %+v, want the account masked", ps)
	}
	got := must(e.Svc.PayoutSettings(ctxA, ""))
	if fmt.Sprint(got) != fmt.Sprint(ps) {
		t.Errorf("settings read back = %+v, want %+v", got, ps)
	}
	if got := must(e.Svc.PayoutSettings(ctxB, "")); got.Channel != "" || got.SellerID != b {
		t.Errorf("b's settings = %+v, want none", got)
	}
	if got := must(e.Svc.PayoutSettings(admin, a)); got.Account != "****6789" {
		t.Errorf("admin reads a's settings = %+v", got)
	}

	so, _ := sale(e, a, "stripe", 5000, "USD", nil)
	must(e.Svc.Release(ctx, so))
	must(e.Svc.RunPayouts(ctx))
	pa := must(e.Svc.Payouts(ctxA, ledger.PayoutQuery{})).Items
	if len(pa) != 1 {
		t.Fatalf("a's payouts = %+v", pa)
	}
	if pb := must(e.Svc.Payouts(ctxB, ledger.PayoutQuery{Seller: a})).Items; len(pb) != 0 {
		t.Errorf("b lists a's payouts: %+v", pb)
	}
	_, err = e.Svc.Payout(ctxB, pa[0].ID)
	wantKind(t, "b reads a's payout", err, apperr.KindNotFound)
	must(e.Svc.Payout(ctxA, pa[0].ID))
	_, err = e.Svc.ApprovePayout(ctxA, pa[0].ID)
	wantKind(t, "a seller approving its payout", err, apperr.KindForbidden)
	_, err = e.Svc.Payouts(ctxA, ledger.PayoutQuery{Status: "lost"})
	wantKind(t, "bad status", err, apperr.KindInvalid)
}
