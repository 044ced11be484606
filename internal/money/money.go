// Package money holds amounts as integer minor units with an ISO 4217
// currency: {"amount": 1999, "currency": "USD"} is 19.99 US dollars. There are
// no floats anywhere in the money path.
package money

import (
	"fmt"

	"github.com/bazaar-market/bazaar/internal/apperr"
)

// Money is an amount in minor units of Currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// New returns amount minor units of currency.
func New(amount int64, currency string) Money { return Money{Amount: amount, Currency: currency} }

// ValidCurrency reports whether c is a three-letter upper-case ISO 4217 code.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// Validate checks that m is a usable price: a known-shaped currency and a
// non-negative amount below one trillion minor units.
func (m Money) Validate(field string) error {
	var f apperr.Fields
	f.Check(ValidCurrency(m.Currency), field+".currency", "must be a three-letter ISO 4217 code such as USD")
	f.Check(m.Amount >= 0, field+".amount", "must not be negative")
	f.Check(m.Amount < 1e12, field+".amount", "is too large")
	return f.Err()
}

// Add returns m+o. It fails if the currencies differ.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, apperr.Unprocessable("currency_mismatch", "cannot add %s to %s", o.Currency, m.Currency)
	}
	return Money{Amount: m.Amount + o.Amount, Currency: m.Currency}, nil
}

// Mul returns m times n.
func (m Money) Mul(n int64) Money { return Money{Amount: m.Amount * n, Currency: m.Currency} }

// String formats m for logs ("19.99 USD"); clients format by locale.
func (m Money) String() string {
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, a/100, a%100, m.Currency)
}
