package ledger

import (
	"errors"
	"strings"

	"github.com/bazaar-market/bazaar/internal/id"
)

// AccountKind is the kind of a ledger account: what the money in it is.
// Kinds are stored as they are written here and never renamed.
type AccountKind string

const (
	// Gateway is cash at a payment gateway (an asset), owned by the
	// gateway's name. The gateway "cod" is cash on delivery not yet
	// collected: what customers owe for COD orders (a receivable).
	Gateway AccountKind = "gateway"
	// COD is cash a delivery partner collected and has not handed over
	// (an asset), owned by the partner's user ID.
	COD AccountKind = "cod"
	// PlatformCash is cash delivery partners handed to the platform (an
	// asset).
	PlatformCash AccountKind = "platform_cash"
	// PlatformCommission is the platform's commission revenue.
	PlatformCommission AccountKind = "commission"
	// GatewayFees is what gateways charged the platform (an expense).
	GatewayFees AccountKind = "gateway_fees"
	// SellerPending is what the platform owes a seller for seller orders
	// still in their return window (a liability), owned by the seller ID.
	SellerPending AccountKind = "seller_pending"
	// SellerAvailable is what the platform owes a seller and will pay out
	// (a liability); negative when the seller owes the platform.
	SellerAvailable AccountKind = "seller_available"
	// SellerPayout is money on its way to a seller in a payout not yet
	// paid (a liability).
	SellerPayout AccountKind = "seller_payout"
	// PlatformGoodwill is what the platform refunded customers at its own
	// expense (goodwill refunds charged to no seller).
	PlatformGoodwill AccountKind = "goodwill"
	// BankPayouts is the cash that left the platform's bank in paid
	// payouts (an asset account that only decreases).
	BankPayouts AccountKind = "bank_payouts"
)

// AccountKinds lists every kind.
var AccountKinds = []AccountKind{Gateway, COD, PlatformCash, PlatformCommission, GatewayFees, PlatformGoodwill, SellerPending, SellerAvailable, SellerPayout, BankPayouts}

// CODGateway is the gateway name of cash-on-delivery sales.
const CODGateway = "cod"

// Valid reports whether k is a known kind.
func (k AccountKind) Valid() bool {
	for _, v := range AccountKinds {
		if v == k {
			return true
		}
	}
	return false
}

// CreditNormal reports whether accounts of kind k normally have a credit
// balance (liabilities and revenue): their balance is shown as the negated
// sum of their entries, so a seller's balance reads positive.
func (k AccountKind) CreditNormal() bool {
	switch k {
	case PlatformCommission, SellerPending, SellerAvailable, SellerPayout:
		return true
	}
	return false
}

// Account is one ledger account: a kind and an owner (a seller, a gateway,
// a delivery partner; "" for the platform's own accounts). Each account
// has a balance per currency.
type Account struct {
	Kind  AccountKind
	Owner string
}

// Accounts of the chart (see the package documentation).
func GatewayAccount(name string) Account        { return Account{Gateway, name} }
func CODAccount(partner id.User) Account        { return Account{COD, string(partner)} }
func PlatformCashAccount() Account              { return Account{PlatformCash, ""} }
func CommissionAccount() Account                { return Account{PlatformCommission, ""} }
func GatewayFeesAccount() Account               { return Account{GatewayFees, ""} }
func GoodwillAccount() Account                  { return Account{PlatformGoodwill, ""} }
func PendingAccount(seller id.Seller) Account   { return Account{SellerPending, string(seller)} }
func AvailableAccount(seller id.Seller) Account { return Account{SellerAvailable, string(seller)} }
func PayoutAccountOf(seller id.Seller) Account  { return Account{SellerPayout, string(seller)} }
func BankPayoutsAccount() Account               { return Account{BankPayouts, ""} }

// String names the account as the chart does: "gateway:stripe",
// "cod:usr_...", "platform:commission", "seller:sel_...:pending",
// "bank:payouts".
func (a Account) String() string {
	switch a.Kind {
	case Gateway, COD:
		return string(a.Kind) + ":" + a.Owner
	case PlatformCash:
		return "platform:cash"
	case PlatformCommission:
		return "platform:commission"
	case GatewayFees:
		return "platform:gateway_fees"
	case PlatformGoodwill:
		return "platform:goodwill"
	case SellerPending, SellerAvailable, SellerPayout:
		return "seller:" + a.Owner + ":" + strings.TrimPrefix(string(a.Kind), "seller_")
	case BankPayouts:
		return "bank:payouts"
	}
	return string(a.Kind) + ":" + a.Owner
}

// MarshalText writes the account as String does.
func (a Account) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads an account written by MarshalText.
func (a *Account) UnmarshalText(b []byte) error {
	p, ok := ParseAccount(string(b))
	if !ok {
		return errBadAccount
	}
	*a = p
	return nil
}

var errBadAccount = errors.New("not a ledger account")

// ParseAccount reads an account's name as String writes it.
func ParseAccount(s string) (Account, bool) {
	switch s {
	case "platform:cash":
		return PlatformCashAccount(), true
	case "platform:commission":
		return CommissionAccount(), true
	case "platform:gateway_fees":
		return GatewayFeesAccount(), true
	case "platform:goodwill":
		return GoodwillAccount(), true
	case "bank:payouts":
		return BankPayoutsAccount(), true
	}
	parts := strings.Split(s, ":")
	switch {
	case len(parts) == 2 && parts[1] != "" && (parts[0] == string(Gateway) || parts[0] == string(COD)):
		return Account{AccountKind(parts[0]), parts[1]}, true
	case len(parts) == 3 && parts[0] == "seller":
		k := AccountKind("seller_" + parts[2])
		if (k == SellerPending || k == SellerAvailable || k == SellerPayout) && parts[1] != "" {
			return Account{k, parts[1]}, true
		}
	}
	return Account{}, false
}
