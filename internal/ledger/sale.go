package ledger

import (
	"context"
	"fmt"
	"math/bits"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Sale is a seller order paid for (or ordered cash on delivery), as the
// order and payment modules report it.
type Sale struct {
	SellerOrderID id.SellerOrder
	OrderID       id.Order
	PaymentID     id.Payment // optional
	SellerID      id.Seller
	// Gateway names the gateway holding the customer's money ("stripe",
	// "test"); CODGateway for cash on delivery.
	Gateway string
	// Lines are the seller order's lines after discounts, which the
	// commission is taken from.
	Lines    []SaleLine
	Shipping money.Money
	// Total is what the customer pays for the seller order: the lines,
	// shipping and tax. At least the lines and shipping.
	Total money.Money
	// ReleaseAt is when the seller's share becomes available (the end of
	// the return window); nil until known (SetReleaseAt on delivery).
	ReleaseAt *time.Time
}

// Posted is a recorded sale: its transaction and its commission. When the
// sale was recorded before, Posted is the first recording's, and
// Commission has its total only.
type Posted struct {
	Txn        Txn        `json:"txn"`
	Commission Commission `json:"commission"`
	Replayed   bool       `json:"replayed"`
}

func (in Sale) validate() error {
	var f apperr.Fields
	f.Check(in.SellerOrderID != "", "seller_order_id", "is required")
	f.Check(in.OrderID != "", "order_id", "is required")
	f.Check(in.SellerID != "", "seller_id", "is required")
	f.Check(validGateway(in.Gateway), "gateway", "must be a gateway name: 1 to 50 letters, digits, '_' or '-'")
	if err := in.Total.Validate("total"); err != nil {
		return err
	}
	f.Check(in.Total.Amount > 0, "total.amount", "must be positive")
	sum := in.Shipping.Amount
	f.Check(in.Shipping.Amount >= 0 && in.Shipping.Amount < 1e12, "shipping.amount", "must be from 0 to 10^12")
	f.Check(in.Shipping.Currency == in.Total.Currency || in.Shipping.Amount == 0, "shipping.currency", "must be the total's")
	f.Check(len(in.Lines) <= 1000, "lines", "at most 1000 lines")
	for i, l := range in.Lines {
		field := fmt.Sprintf("lines[%d].amount", i)
		f.Check(l.Amount.Amount >= 0 && l.Amount.Amount < 1e12, field, "must be from 0 to 10^12")
		f.Check(l.Amount.Currency == in.Total.Currency, field+".currency", "must be the total's")
		sum += l.Amount.Amount
	}
	f.Check(sum <= in.Total.Amount, "total", "is less than the lines and shipping")
	return f.Err()
}

func validGateway(g string) bool {
	if g == "" || len(g) > 50 {
		return false
	}
	for _, c := range g {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func saleLock(so id.SellerOrder) string { return "sale:" + string(so) }

// RecordSale posts a seller order's sale: the gateway (or, for cash on
// delivery, the COD receivable) is debited the total; the seller's pending
// balance is credited the total less the commission, and the platform's
// commission the commission (see Rules.Compute). It is idempotent by
// seller order (reference "sale:<seller order>"): recording it again
// returns the first posting and changes nothing.
func (s *Service) RecordSale(ctx context.Context, in Sale) (Posted, error) {
	if err := in.validate(); err != nil {
		return Posted{}, err
	}
	var c Commission
	var rec SaleRecord
	t, existed, err := s.post(ctx, "sale:"+string(in.SellerOrderID), []string{saleLock(in.SellerOrderID)}, func(tx Tx) (Txn, error) {
		rules, err := s.rules(ctx, tx)
		if err != nil {
			return Txn{}, err
		}
		cur := in.Total.Currency
		c = rules.Compute(in.SellerID, cur, in.Lines)
		rec = SaleRecord{SellerOrderID: in.SellerOrderID, OrderID: in.OrderID, PaymentID: in.PaymentID, SellerID: in.SellerID,
			Gateway: in.Gateway, Total: in.Total, Commission: c.Total, ReleaseAt: in.ReleaseAt, CreatedAt: s.clock()}
		if err := tx.InsertSale(ctx, rec); err != nil {
			return Txn{}, fmt.Errorf("record sale %s: %w", in.SellerOrderID, err)
		}
		return Txn{Kind: KindSale, OrderID: in.OrderID, SellerOrderID: in.SellerOrderID, PaymentID: in.PaymentID, SellerID: in.SellerID,
			Entries: join(
				debit(GatewayAccount(in.Gateway), in.Total.Amount, cur),
				credit(PendingAccount(in.SellerID), in.Total.Amount-c.Total.Amount, cur),
				credit(CommissionAccount(), c.Total.Amount, cur),
			)}, nil
	})
	if err != nil {
		return Posted{}, err
	}
	if existed {
		for _, e := range t.Entries {
			if e.Account.Kind == PlatformCommission {
				c.Total = money.New(-e.Amount.Amount, e.Amount.Currency)
			}
		}
		if c.Total.Currency == "" {
			c.Total = money.New(0, in.Total.Currency)
		}
	}
	return Posted{Txn: t, Commission: c, Replayed: existed}, nil
}

func join(parts ...[]Entry) []Entry {
	var out []Entry
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Refund is part or all of a seller order's total given back to its
// customer.
type Refund struct {
	RefundID      id.Refund
	SellerOrderID id.SellerOrder
	Amount        money.Money
	// Gateway is where the money goes back from; the sale's gateway when
	// empty.
	Gateway string

	memo string // the transaction's memo
}

// position is where a sale stands, from its transactions' entries.
type position struct {
	refunded int64 // the refunds' total
	reversed int64 // the commission given back by refunds
	pending  int64 // the seller's share still pending
}

func positionOf(sums map[SumKey]int64) position {
	var p position
	for k, v := range sums {
		switch {
		case k.Txn == KindRefund && k.Account == Gateway:
			p.refunded -= v
		case k.Txn == KindRefund && k.Account == PlatformCommission:
			p.reversed += v
		}
		if k.Account == SellerPending {
			p.pending -= v
		}
	}
	return p
}

// mulDivRound returns a*b/c rounded half up, for 0 <= a <= c, b >= 0.
func mulDivRound(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	lo, carry := bits.Add64(lo, uint64(c/2), 0)
	hi += carry
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// RecordRefund posts a refund of part of a seller order: the gateway is
// credited the amount; the commission is given back in proportion to the
// refunds so far against the sale's total (cumulatively, rounded half up,
// so refunds adding up to the total give back exactly the whole
// commission); the rest is debited from the seller, from the seller
// order's pending share as far as it goes, else from the available balance
// (which may go negative: the seller owes the platform). The refunds of a
// seller order never exceed its total: Unprocessable
// "refund_exceeds_sale", checked under the sale's lock. A sale not recorded
// yet is NotFound (the caller retries). Idempotent by refund and seller
// order (reference "refund:<refund>:<seller order>").
func (s *Service) RecordRefund(ctx context.Context, in Refund) (Txn, error) {
	var f apperr.Fields
	f.Check(in.RefundID != "", "refund_id", "is required")
	f.Check(in.SellerOrderID != "", "seller_order_id", "is required")
	f.Check(in.Amount.Amount > 0 && in.Amount.Amount < 1e12, "amount.amount", "must be positive")
	f.Check(money.ValidCurrency(in.Amount.Currency), "amount.currency", "must be a three-letter ISO 4217 code")
	f.Check(in.Gateway == "" || validGateway(in.Gateway), "gateway", "must be a gateway name")
	if err := f.Err(); err != nil {
		return Txn{}, err
	}
	ref := "refund:" + string(in.RefundID) + ":" + string(in.SellerOrderID)
	t, _, err := s.post(ctx, ref, []string{saleLock(in.SellerOrderID)}, func(tx Tx) (Txn, error) {
		return s.refundTxn(ctx, tx, in, false)
	})
	return t, err
}

// refundTxn builds the transaction of a refund of part of a seller order
// (see RecordRefund). With capped, a refund over what is left of the sale
// is charged for what is left (nothing: a zero Txn) instead of refused.
func (s *Service) refundTxn(ctx context.Context, tx Tx, in Refund, capped bool) (Txn, error) {
	sale, err := tx.Sale(ctx, in.SellerOrderID)
	if err != nil {
		return Txn{}, err
	}
	cur := sale.Total.Currency
	if in.Amount.Currency != cur {
		return Txn{}, apperr.Unprocessable("currency_mismatch", "refund in %s of a sale in %s", in.Amount.Currency, cur)
	}
	sums, err := tx.SaleSums(ctx, in.SellerOrderID)
	if err != nil {
		return Txn{}, err
	}
	p := positionOf(sums)
	total, r := sale.Total.Amount, in.Amount.Amount
	if r > total-p.refunded {
		if !capped {
			return Txn{}, apperr.Unprocessable("refund_exceeds_sale", "refund of %v exceeds what is left of seller order %s: %v",
				in.Amount, in.SellerOrderID, money.New(total-p.refunded, cur))
		}
		if r = total - p.refunded; r <= 0 {
			return Txn{}, nil
		}
	}
	reverse := mulDivRound(sale.Commission.Amount, p.refunded+r, total) - p.reversed
	seller := r - reverse
	fromPending := min(seller, max(p.pending, 0))
	gw := in.Gateway
	if gw == "" {
		gw = sale.Gateway
	}
	return Txn{Kind: KindRefund, OrderID: sale.OrderID, SellerOrderID: sale.SellerOrderID, PaymentID: sale.PaymentID,
		RefundID: in.RefundID, SellerID: sale.SellerID, Memo: in.memo,
		Entries: join(
			debit(PendingAccount(sale.SellerID), fromPending, cur),
			debit(AvailableAccount(sale.SellerID), seller-fromPending, cur),
			debit(CommissionAccount(), reverse, cur),
			credit(GatewayAccount(gw), r, cur),
		)}, nil
}

// Goodwill is a refund an admin or support made directly through the
// payment API, not through a cancellation or a return.
type Goodwill struct {
	RefundID  id.Refund
	OrderID   id.Order
	PaymentID id.Payment
	// SellerOrderID charges the refund to a seller order: its seller bears
	// it as a return's refund. Empty: the platform bears it all.
	SellerOrderID id.SellerOrder
	// Gateway is where the money went back from (the payment's).
	Gateway string
	Amount  money.Money
}

// RecordGoodwill books a goodwill refund. Charged to a seller order, it is
// booked as RecordRefund books a return (reference
// "refund:<refund>:<seller order>"), for as much as is left of the sale;
// whatever is more than that, and all of a refund that names no seller
// order, is the platform's expense: Dr platform:goodwill, Cr gateway
// (reference "goodwill:<refund>"). It returns the transactions posted (or
// posted before: it is idempotent by refund). A seller order whose sale is
// not recorded yet is NotFound, and its consumer retries.
func (s *Service) RecordGoodwill(ctx context.Context, in Goodwill) ([]Txn, error) {
	var f apperr.Fields
	f.Check(in.RefundID != "", "refund_id", "is required")
	f.Check(in.Amount.Amount > 0 && in.Amount.Amount < 1e12, "amount.amount", "must be positive")
	f.Check(money.ValidCurrency(in.Amount.Currency), "amount.currency", "must be a three-letter ISO 4217 code")
	f.Check(validGateway(in.Gateway), "gateway", "must be a gateway name")
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out []Txn
	left := in.Amount.Amount
	if in.SellerOrderID != "" {
		ref := "refund:" + string(in.RefundID) + ":" + string(in.SellerOrderID)
		rf := Refund{RefundID: in.RefundID, SellerOrderID: in.SellerOrderID, Amount: in.Amount, Gateway: in.Gateway, memo: "goodwill"}
		t, _, err := s.post(ctx, ref, []string{saleLock(in.SellerOrderID)}, func(tx Tx) (Txn, error) {
			return s.refundTxn(ctx, tx, rf, true)
		})
		if err != nil {
			return nil, err
		}
		if t.Kind != "" {
			out = append(out, t)
			for _, e := range t.Entries {
				if e.Account.Kind == Gateway {
					left += e.Amount.Amount // a credit: negative
				}
			}
		}
	}
	if left <= 0 {
		return out, nil
	}
	cur := in.Amount.Currency
	t, _, err := s.post(ctx, "goodwill:"+string(in.RefundID), nil, func(tx Tx) (Txn, error) {
		return Txn{Kind: KindGoodwill, OrderID: in.OrderID, SellerOrderID: in.SellerOrderID, PaymentID: in.PaymentID, RefundID: in.RefundID,
			Entries: join(debit(GoodwillAccount(), left, cur), credit(GatewayAccount(in.Gateway), left, cur))}, nil
	})
	if err != nil {
		return out, err
	}
	return append(out, t), nil
}

// Release moves what is left of a seller order's pending share to the
// seller's available balance, once (reference "release:<seller order>"),
// and marks the sale released. It returns the posted transaction, or a
// zero Txn when nothing was left pending. A sale not recorded yet is
// NotFound.
func (s *Service) Release(ctx context.Context, so id.SellerOrder) (Txn, error) {
	t, _, err := s.post(ctx, "release:"+string(so), []string{saleLock(so)}, func(tx Tx) (Txn, error) {
		sale, err := tx.Sale(ctx, so)
		if err != nil {
			return Txn{}, err
		}
		if sale.ReleasedAt != nil {
			return Txn{}, nil
		}
		sums, err := tx.SaleSums(ctx, so)
		if err != nil {
			return Txn{}, err
		}
		now := s.clock()
		sale.ReleasedAt = &now
		if err := tx.UpdateSale(ctx, sale); err != nil {
			return Txn{}, fmt.Errorf("mark %s released: %w", so, err)
		}
		pending, cur := positionOf(sums).pending, sale.Total.Currency
		if pending <= 0 {
			return Txn{}, nil
		}
		return Txn{Kind: KindRelease, OrderID: sale.OrderID, SellerOrderID: so, SellerID: sale.SellerID,
			Entries: join(debit(PendingAccount(sale.SellerID), pending, cur), credit(AvailableAccount(sale.SellerID), pending, cur))}, nil
	})
	return t, err
}

// SetReleaseAt sets when a seller order's share is released (on delivery:
// the end of its return window). It does nothing once the sale is
// released. A sale not recorded yet is NotFound.
func (s *Service) SetReleaseAt(ctx context.Context, so id.SellerOrder, at time.Time) error {
	at = at.UTC().Truncate(time.Microsecond)
	return s.store.Update(ctx, []string{saleLock(so)}, func(tx Tx) error {
		sale, err := tx.Sale(ctx, so)
		if err != nil || sale.ReleasedAt != nil {
			return err
		}
		sale.ReleaseAt = &at
		return tx.UpdateSale(ctx, sale)
	})
}

// ReleaseDue releases every sale whose release time has come (the
// ledger.release job) and returns how many it released. A failure is
// logged and left for the next run.
func (s *Service) ReleaseDue(ctx context.Context) (int, error) {
	const batch = 100
	n := 0
	for range 50 {
		due, err := s.store.DueSales(ctx, s.clock(), batch)
		if err != nil {
			return n, fmt.Errorf("due sales: %w", err)
		}
		failed := 0
		for _, so := range due {
			if _, err := s.Release(ctx, so); err != nil {
				if ctx.Err() != nil {
					return n, ctx.Err()
				}
				s.log.Warn("release failed", "seller_order", so, "err", err)
				failed++
				continue
			}
			n++
		}
		if len(due) < batch || failed > 0 {
			break
		}
	}
	return n, nil
}

// Sale returns a seller order's sale record with where it stands (for the
// integrator and tests).
func (s *Service) Sale(ctx context.Context, so id.SellerOrder) (SaleState, error) {
	var st SaleState
	err := s.store.View(ctx, func(tx Tx) error {
		sale, err := tx.Sale(ctx, so)
		if err != nil {
			return err
		}
		sums, err := tx.SaleSums(ctx, so)
		if err != nil {
			return err
		}
		p, cur := positionOf(sums), sale.Total.Currency
		st = SaleState{SaleRecord: sale, Refunded: money.New(p.refunded, cur), CommissionReversed: money.New(p.reversed, cur),
			Pending: money.New(p.pending, cur)}
		return nil
	})
	return st, err
}

// SaleState is a sale with its refunds so far and its share still pending.
type SaleState struct {
	SaleRecord
	Refunded           money.Money
	CommissionReversed money.Money
	Pending            money.Money
}
