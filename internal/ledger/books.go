package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
)

// Books is the admin's view of the platform's accounts: one item per
// currency the ledger holds money in.
type Books struct {
	Currencies []CurrencyBooks `json:"currencies"`
}

// CurrencyBooks is every account's total in one currency, each shown on
// its normal side (what the platform holds, earns, spends or owes reads
// positive). Its asset accounts (gateways, cash on delivery, cash, and
// the bank's payouts, negative) equal its revenue less its expenses plus
// what it owes sellers: the books balance.
type CurrencyBooks struct {
	Currency string `json:"currency"`
	// Gateways is the cash at each gateway ("cod": cash on delivery still
	// to collect), by name.
	Gateways []GatewayBalance `json:"gateways"`
	// PartnersCash is cash delivery partners collected and hold.
	PartnersCash money.Money `json:"partners_cash"`
	// Cash is the cash partners handed to the platform.
	Cash money.Money `json:"cash"`
	// PaidOut is what left the platform's bank in paid payouts (shown
	// positive).
	PaidOut money.Money `json:"paid_out"`
	// Commission is the platform's commission revenue.
	Commission money.Money `json:"commission"`
	// GatewayFees and Goodwill are the platform's expenses: gateways'
	// fees and the refunds it bore itself.
	GatewayFees money.Money `json:"gateway_fees"`
	Goodwill    money.Money `json:"goodwill"`
	// SellersPending, SellersAvailable and SellersInTransit are what the
	// platform owes all sellers: in return windows, to be paid out (net of
	// what sellers owe), and in payouts not yet paid.
	SellersPending   money.Money `json:"sellers_pending"`
	SellersAvailable money.Money `json:"sellers_available"`
	SellersInTransit money.Money `json:"sellers_in_transit"`
}

// GatewayBalance is the money at one gateway.
type GatewayBalance struct {
	Gateway string      `json:"gateway"`
	Balance money.Money `json:"balance"`
}

// Books sums every account per currency for an admin (Forbidden for
// anyone else).
func (s *Service) Books(ctx context.Context) (Books, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Books{}, err
	}
	bals, err := s.store.Balances(ctx, BalanceFilter{})
	if err != nil {
		return Books{}, fmt.Errorf("balances: %w", err)
	}
	by := map[string]*CurrencyBooks{}
	for _, b := range bals {
		c := by[b.Currency]
		if c == nil {
			z := money.New(0, b.Currency)
			c = &CurrencyBooks{Currency: b.Currency, Gateways: []GatewayBalance{}, PartnersCash: z, Cash: z, PaidOut: z, Commission: z,
				GatewayFees: z, Goodwill: z, SellersPending: z, SellersAvailable: z, SellersInTransit: z}
			by[b.Currency] = c
		}
		switch b.Account.Kind {
		case Gateway:
			c.Gateways = append(c.Gateways, GatewayBalance{Gateway: b.Account.Owner, Balance: money.New(b.Amount, b.Currency)})
		case COD:
			c.PartnersCash.Amount += b.Amount
		case PlatformCash:
			c.Cash.Amount += b.Amount
		case BankPayouts:
			c.PaidOut.Amount -= b.Amount
		case PlatformCommission:
			c.Commission.Amount -= b.Amount
		case GatewayFees:
			c.GatewayFees.Amount += b.Amount
		case PlatformGoodwill:
			c.Goodwill.Amount += b.Amount
		case SellerPending:
			c.SellersPending.Amount -= b.Amount
		case SellerAvailable:
			c.SellersAvailable.Amount -= b.Amount
		case SellerPayout:
			c.SellersInTransit.Amount -= b.Amount
		}
	}
	out := Books{Currencies: []CurrencyBooks{}}
	for _, c := range by {
		slices.SortFunc(c.Gateways, func(a, b GatewayBalance) int { return compareStrings(a.Gateway, b.Gateway) })
		out.Currencies = append(out.Currencies, *c)
	}
	slices.SortFunc(out.Currencies, func(a, b CurrencyBooks) int { return compareStrings(a.Currency, b.Currency) })
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// JournalQuery selects the journal's transactions: of one kind, touching
// one account (as the chart names it: "platform:commission",
// "gateway:stripe", "seller:sel_...:available"), a page at a time.
type JournalQuery struct {
	Kind    TxnKind
	Account string
	Cursor  string
	Limit   int
}

// journalCursor is where a journal page ended.
type journalCursor struct {
	Txn TxnID `json:"x"`
}

// Journal lists the ledger's transactions with their entries, newest
// first, for an admin (Forbidden for anyone else). An unknown kind or an
// account the chart does not name is Invalid.
func (s *Service) Journal(ctx context.Context, q JournalQuery) (page.Page[Txn], error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return page.Page[Txn]{}, err
	}
	var f apperr.Fields
	limit := page.Limit(&f, q.Limit)
	tf := TxnFilter{Kind: q.Kind, Newest: true, Limit: limit + 1}
	f.Check(q.Kind == "" || slices.Contains(TxnKinds, q.Kind), "kind", "must be a transaction kind such as sale, refund, payout")
	if q.Account != "" {
		a, ok := ParseAccount(q.Account)
		f.Check(ok, "account", "must be an account such as platform:commission, gateway:stripe or seller:sel_...:available")
		tf.Account = &a
	}
	if err := f.Err(); err != nil {
		return page.Page[Txn]{}, err
	}
	if q.Cursor != "" {
		var c journalCursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Txn]{}, err
		}
		tf.Before = c.Txn
	}
	txns, err := s.store.Transactions(ctx, tf)
	if err != nil {
		return page.Page[Txn]{}, fmt.Errorf("journal: %w", err)
	}
	out := page.Page[Txn]{Items: txns}
	if len(txns) > limit {
		out.Items = txns[:limit]
		out.NextCursor = page.EncodeCursor(journalCursor{Txn: txns[limit-1].ID})
	}
	if out.Items == nil {
		out.Items = []Txn{}
	}
	return out, nil
}
