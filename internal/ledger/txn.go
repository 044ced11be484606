package ledger

import (
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// TxnID identifies a ledger transaction ("ltx_...").
type TxnID string

// Prefix implements id.Kind.
func (TxnID) Prefix() string { return "ltx" }

// PayoutID identifies a payout ("pyo_...").
type PayoutID string

// Prefix implements id.Kind.
func (PayoutID) Prefix() string { return "pyo" }

// TxnKind says what movement a transaction records.
type TxnKind string

const (
	KindSale         TxnKind = "sale"          // a seller order paid (or ordered cash on delivery)
	KindRefund       TxnKind = "refund"        // part or all of a seller order refunded
	KindRelease      TxnKind = "release"       // a seller order's share released after its return window
	KindPayout       TxnKind = "payout"        // a payout created: available -> in transit
	KindPayoutPaid   TxnKind = "payout_paid"   // a payout arrived: in transit -> paid out
	KindPayoutFailed TxnKind = "payout_failed" // a payout failed: in transit -> available
	KindCODCollected TxnKind = "cod_collected" // a delivery partner collected cash on delivery
	KindCODHandover  TxnKind = "cod_handover"  // a delivery partner handed cash to the platform
	KindGatewayFee   TxnKind = "gateway_fee"   // a gateway's fee on a payment
	KindGoodwill     TxnKind = "goodwill"      // a refund the platform bears
)

// TxnKinds lists every kind.
var TxnKinds = []TxnKind{KindSale, KindRefund, KindRelease, KindPayout, KindPayoutPaid, KindPayoutFailed,
	KindCODCollected, KindCODHandover, KindGatewayFee, KindGoodwill}

// Txn is one balanced movement of money: its entries sum to zero in each
// currency. Reference is unique: posting a movement again with the same
// reference returns the first transaction and changes nothing.
type Txn struct {
	ID            TxnID          `json:"id"`
	Kind          TxnKind        `json:"kind"`
	Reference     string         `json:"reference"`
	OrderID       id.Order       `json:"order_id,omitempty"`
	SellerOrderID id.SellerOrder `json:"seller_order_id,omitempty"`
	PaymentID     id.Payment     `json:"payment_id,omitempty"`
	RefundID      id.Refund      `json:"refund_id,omitempty"`
	PayoutID      PayoutID       `json:"payout_id,omitempty"`
	SellerID      id.Seller      `json:"seller_id,omitempty"`
	PartnerID     id.User        `json:"partner_id,omitempty"`
	Memo          string         `json:"memo,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	Entries       []Entry        `json:"entries"`
}

// Entry is one line of a transaction: a signed amount on an account.
// Debits are positive, credits negative.
type Entry struct {
	Account Account     `json:"account"`
	Amount  money.Money `json:"amount"`
}

// debit and credit build entries; a zero amount makes none.
func debit(a Account, amount int64, currency string) []Entry {
	if amount == 0 {
		return nil
	}
	return []Entry{{Account: a, Amount: money.New(amount, currency)}}
}

func credit(a Account, amount int64, currency string) []Entry {
	return debit(a, -amount, currency)
}

// Check reports whether t may be posted: a reference, a known kind, at
// least two entries, no zero amounts, known accounts, well-formed
// currencies, and entries summing to zero per currency. Stores check it
// again before they write.
func (t Txn) Check() error {
	if t.Reference == "" || len(t.Reference) > 200 {
		return fmt.Errorf("transaction %s: reference %q must be 1 to 200 characters", t.ID, t.Reference)
	}
	known := false
	for _, k := range TxnKinds {
		known = known || k == t.Kind
	}
	if !known {
		return fmt.Errorf("transaction %s: unknown kind %q", t.Reference, t.Kind)
	}
	if len(t.Entries) < 2 {
		return fmt.Errorf("transaction %s: %d entries, want at least 2", t.Reference, len(t.Entries))
	}
	sums := map[string]int64{}
	for _, e := range t.Entries {
		if e.Amount.Amount == 0 || !money.ValidCurrency(e.Amount.Currency) || !e.Account.Kind.Valid() {
			return fmt.Errorf("transaction %s: bad entry %v %v", t.Reference, e.Account, e.Amount)
		}
		if e.Amount.Amount >= 1e15 || e.Amount.Amount <= -1e15 {
			return fmt.Errorf("transaction %s: entry %v of %v is too large", t.Reference, e.Account, e.Amount)
		}
		sums[e.Amount.Currency] += e.Amount.Amount
	}
	for c, s := range sums {
		if s != 0 {
			return apperr.New(apperr.KindInternal, "unbalanced", "transaction %s is unbalanced: %s entries sum to %d", t.Reference, c, s)
		}
	}
	return nil
}
