package ledger

import (
	"context"
	"time"

	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Store keeps the ledger: transactions and their entries, the sales'
// records, the commission rules, payouts and sellers' payout accounts.
// Balances are never stored: they are sums of entries.
type Store interface {
	// Update runs fn in one store transaction after taking the named
	// locks (in sorted order; each name serialises the Updates that take
	// it, across processes). fn's writes commit together if it returns
	// nil and not at all otherwise; its error is returned as it is.
	Update(ctx context.Context, locks []string, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction (fn must not write).
	View(ctx context.Context, fn func(tx Tx) error) error

	// Balances sums entries per account and currency, for the accounts
	// f selects; accounts without entries are left out.
	Balances(ctx context.Context, f BalanceFilter) ([]Balance, error)
	// Lines lists one account's entries in posting order (time,
	// transaction ID, entry), each with the account's balance in its
	// currency after it (the raw sum, debits positive), counting every
	// earlier entry whatever the filter.
	Lines(ctx context.Context, f LineFilter) ([]Line, error)
	// Transactions lists transactions with their entries, oldest first.
	Transactions(ctx context.Context, f TxnFilter) ([]Txn, error)
	// Payouts lists payouts, newest first.
	Payouts(ctx context.Context, f PayoutFilter) ([]Payout, error)
	// DueSales returns up to limit seller orders whose release time is at
	// or before now and that are not released yet, the earliest due first.
	DueSales(ctx context.Context, now time.Time, limit int) ([]id.SellerOrder, error)
}

// Tx is the store inside one Update (or View) transaction.
type Tx interface {
	// Txn returns the transaction with the given reference; false if none.
	Txn(ctx context.Context, ref string) (Txn, bool, error)
	// Post writes t and its entries after checking it (Txn.Check). A
	// reference posted already is a Conflict "duplicate_reference".
	Post(ctx context.Context, t Txn) error
	// Balance is the sum of a's entries in currency.
	Balance(ctx context.Context, a Account, currency string) (int64, error)

	// Sale returns a sale's record; NotFound if none.
	Sale(ctx context.Context, so id.SellerOrder) (SaleRecord, error)
	// InsertSale writes a new sale's record.
	InsertSale(ctx context.Context, s SaleRecord) error
	// UpdateSale writes a sale's release time and released time.
	UpdateSale(ctx context.Context, s SaleRecord) error
	// SaleSums sums the entries of the transactions linked to a seller
	// order, per transaction kind and account kind.
	SaleSums(ctx context.Context, so id.SellerOrder) (map[SumKey]int64, error)

	// Rules returns the commission rules; Version 0 when never set.
	Rules(ctx context.Context) (Rules, error)
	// SetRules replaces the commission rules.
	SetRules(ctx context.Context, r Rules) error

	// Payout returns a payout; NotFound if none.
	Payout(ctx context.Context, id PayoutID) (Payout, error)
	// InsertPayout writes a new payout. A second open (pending or
	// in_transit) payout of one seller in one currency is a Conflict
	// "payout_open".
	InsertPayout(ctx context.Context, p Payout) error
	// UpdatePayout writes a payout's status and details.
	UpdatePayout(ctx context.Context, p Payout) error
	// LastPayout returns the seller's latest payout in currency; false if
	// none.
	LastPayout(ctx context.Context, seller id.Seller, currency string) (Payout, bool, error)

	// PayoutAccount returns where a seller is paid; false if it said
	// nowhere yet.
	PayoutAccount(ctx context.Context, seller id.Seller) (PayoutAccount, bool, error)
	// SetPayoutAccount writes where a seller is paid.
	SetPayoutAccount(ctx context.Context, a PayoutAccount) error

	// Publish records an event about aggregate in the transaction (the
	// outbox): it is delivered only if the transaction commits.
	Publish(ctx context.Context, topic, aggregate string, payload any) error
}

// SumKey groups a seller order's entries: the kind of their transaction
// and of their account.
type SumKey struct {
	Txn     TxnKind
	Account AccountKind
}

// Balance is the sum of an account's entries in one currency: positive for
// a debit balance, negative for a credit balance.
type Balance struct {
	Account  Account
	Currency string
	Amount   int64
}

// BalanceFilter selects accounts; empty fields select all.
type BalanceFilter struct {
	Kind     AccountKind
	Owner    string
	Currency string
}

// Line is one entry of an account as a statement lists it.
type Line struct {
	TxnID         TxnID          `json:"txn_id"`
	Entry         int            `json:"-"` // the entry's position in its transaction
	Kind          TxnKind        `json:"kind"`
	Reference     string         `json:"reference"`
	OrderID       id.Order       `json:"order_id,omitempty"`
	SellerOrderID id.SellerOrder `json:"seller_order_id,omitempty"`
	RefundID      id.Refund      `json:"refund_id,omitempty"`
	PayoutID      PayoutID       `json:"payout_id,omitempty"`
	Account       Account        `json:"account"`
	Amount        money.Money    `json:"amount"`
	Balance       money.Money    `json:"balance"`
	CreatedAt     time.Time      `json:"created_at"`
}

// LineFilter selects an account's lines.
type LineFilter struct {
	Account  Account
	Currency string    // "" for every currency (each line's balance is in its own)
	From, To time.Time // zero for no bound; From inclusive, To exclusive
	After    *LineCursor
	Limit    int
}

// LineCursor is the position of the last line of a page.
type LineCursor struct {
	At    time.Time `json:"t"`
	Txn   TxnID     `json:"x"`
	Entry int       `json:"e"`
}

// TxnFilter selects transactions; empty fields select all.
type TxnFilter struct {
	Reference     string
	SellerOrderID id.SellerOrder
	Kind          TxnKind
	Account       *Account // transactions with an entry on this account
	After         TxnID    // transactions after this ID (the cursor), oldest first
	// Newest lists newest first, before Before when it is set.
	Newest bool
	Before TxnID
	Limit  int
}

// PayoutFilter selects payouts; empty fields select all.
type PayoutFilter struct {
	SellerID   id.Seller
	Status     PayoutStatus
	Channel    Channel
	NoTransfer bool     // only payouts without a transfer ID
	Before     PayoutID // payouts before this ID (the cursor)
	Limit      int
}

// SaleRecord is what the ledger keeps of a seller order's sale besides its
// transactions: the amounts its refunds are measured against and when its
// share is released.
type SaleRecord struct {
	SellerOrderID id.SellerOrder
	OrderID       id.Order
	PaymentID     id.Payment
	SellerID      id.Seller
	Gateway       string
	Total         money.Money
	Commission    money.Money
	ReleaseAt     *time.Time
	ReleasedAt    *time.Time
	CreatedAt     time.Time
}
