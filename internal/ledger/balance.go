package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
)

// SellerBalance is what the platform owes a seller, per currency.
type SellerBalance struct {
	SellerID id.Seller `json:"seller_id"`
	// Balances has one item per currency the seller ever sold in, by
	// currency code.
	Balances []CurrencyBalance `json:"balances"`
	// PayoutAccount is false while the seller has not said where to be
	// paid: no payout is made until it does.
	PayoutAccount bool `json:"payout_account"`
}

// CurrencyBalance is a seller's balances in one currency: pending (in the
// return window), available (to be paid out; negative when the seller
// owes the platform) and in transit (in payouts not yet paid).
type CurrencyBalance struct {
	Currency   string      `json:"currency"`
	Pending    money.Money `json:"pending"`
	Available  money.Money `json:"available"`
	InTransit  money.Money `json:"in_transit"`
	NextPayout *NextPayout `json:"next_payout"`
}

// NextPayout is the payout the schedule will make next at the present
// balance: the available balance, on the date the seller's interval since
// its last payout ends (today if it already has). Null when the available
// balance is under the minimum or no payout account is set.
type NextPayout struct {
	Date   time.Time   `json:"date"`
	Amount money.Money `json:"amount"`
}

// SellerBalance returns the calling seller's balances (an admin names the
// seller).
func (s *Service) SellerBalance(ctx context.Context, seller id.Seller) (SellerBalance, error) {
	_, sel, err := s.sellerOf(ctx, seller)
	if err != nil {
		return SellerBalance{}, err
	}
	bals, err := s.store.Balances(ctx, BalanceFilter{Owner: string(sel)})
	if err != nil {
		return SellerBalance{}, fmt.Errorf("balances of %s: %w", sel, err)
	}
	by := map[string]*CurrencyBalance{}
	for _, b := range bals {
		cb := by[b.Currency]
		if cb == nil {
			z := money.New(0, b.Currency)
			cb = &CurrencyBalance{Currency: b.Currency, Pending: z, Available: z, InTransit: z}
			by[b.Currency] = cb
		}
		switch b.Account.Kind {
		case SellerPending:
			cb.Pending.Amount = -b.Amount
		case SellerAvailable:
			cb.Available.Amount = -b.Amount
		case SellerPayout:
			cb.InTransit.Amount = -b.Amount
		}
	}
	out := SellerBalance{SellerID: sel, Balances: []CurrencyBalance{}}
	now := s.clock()
	err = s.store.View(ctx, func(tx Tx) error {
		_, ok, err := tx.PayoutAccount(ctx, sel)
		if err != nil {
			return err
		}
		out.PayoutAccount = ok
		for _, cb := range by {
			if ok && cb.Available.Amount >= s.minimumOf(cb.Currency) {
				next := NextPayout{Date: now, Amount: cb.Available}
				last, found, err := tx.LastPayout(ctx, sel, cb.Currency)
				if err != nil {
					return err
				}
				if found && last.CreatedAt.Add(s.interval).After(now) {
					next.Date = last.CreatedAt.Add(s.interval)
				}
				cb.NextPayout = &next
			}
			out.Balances = append(out.Balances, *cb)
		}
		return nil
	})
	if err != nil {
		return SellerBalance{}, err
	}
	slices.SortFunc(out.Balances, func(a, b CurrencyBalance) int { return cmpString(a.Currency, b.Currency) })
	return out, nil
}

// StatementQuery selects a seller's statement lines.
type StatementQuery struct {
	Seller   id.Seller // an admin's choice; a seller sees its own
	Account  string    // pending, available (the default) or payout (in transit)
	Currency string    // "" for every currency
	From, To time.Time // From inclusive, To exclusive; zero for no bound
	Cursor   string
	Limit    int
}

// StatementAccounts are the seller accounts a statement may show.
var StatementAccounts = []string{"available", "pending", "payout"}

// Statement lists the entries of one of a seller's accounts, oldest first,
// each with the account's balance after it in its currency. Amounts are
// from the seller's side: a sale adds, a refund or a payout takes away.
func (s *Service) Statement(ctx context.Context, q StatementQuery) (page.Page[Line], error) {
	_, sel, err := s.sellerOf(ctx, q.Seller)
	if err != nil {
		return page.Page[Line]{}, err
	}
	var f apperr.Fields
	limit := page.Limit(&f, q.Limit)
	if q.Account == "" {
		q.Account = "available"
	}
	f.Check(slices.Contains(StatementAccounts, q.Account), "account", "must be available, pending or payout")
	f.Check(q.Currency == "" || money.ValidCurrency(q.Currency), "currency", "must be a three-letter ISO 4217 code")
	f.Check(q.From.IsZero() || q.To.IsZero() || q.From.Before(q.To), "to", "must be after from")
	if err := f.Err(); err != nil {
		return page.Page[Line]{}, err
	}
	lf := LineFilter{Account: Account{Kind: AccountKind("seller_" + q.Account), Owner: string(sel)}, Currency: q.Currency,
		From: q.From, To: q.To, Limit: limit + 1}
	if q.Cursor != "" {
		var c LineCursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Line]{}, err
		}
		lf.After = &c
	}
	lines, err := s.store.Lines(ctx, lf)
	if err != nil {
		return page.Page[Line]{}, fmt.Errorf("statement of %s: %w", sel, err)
	}
	out := page.Page[Line]{Items: lines}
	if len(lines) > limit {
		out.Items = lines[:limit]
		last := lines[limit-1]
		out.NextCursor = page.EncodeCursor(LineCursor{At: last.CreatedAt, Txn: last.TxnID, Entry: last.Entry})
	}
	for i := range out.Items {
		// Seller accounts are credit-normal: shown from the seller's side.
		out.Items[i].Amount.Amount = -out.Items[i].Amount.Amount
		out.Items[i].Balance.Amount = -out.Items[i].Balance.Amount
	}
	if out.Items == nil {
		out.Items = []Line{}
	}
	return out, nil
}

// Balances sums entries per account and currency for the accounts f
// selects (raw sums: debit balances positive), for the integrator's
// reports and checks; it checks no caller.
func (s *Service) Balances(ctx context.Context, f BalanceFilter) ([]Balance, error) {
	return s.store.Balances(ctx, f)
}

// Transactions lists posted transactions with their entries, oldest
// first, for the integrator's reports and checks; it checks no caller.
func (s *Service) Transactions(ctx context.Context, f TxnFilter) ([]Txn, error) {
	return s.store.Transactions(ctx, f)
}
