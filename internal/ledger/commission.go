package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Rate is a commission: BPS basis points (1/100 of a percent) of each
// line, plus a fixed fee once per seller order in the sale's currency
// (Fees has at most one fee per currency; a sale in a currency without one
// pays no fixed fee).
type Rate struct {
	BPS  int64         `json:"bps"`
	Fees []money.Money `json:"fees"`
}

// CategoryRate is the percentage for lines of one category. Fixed fees are
// per seller order, not per line: they belong to the default or a seller's
// rate.
type CategoryRate struct {
	CategoryID id.Category `json:"category_id"`
	BPS        int64       `json:"bps"`
}

// SellerRate overrides every other rate for one seller: its percentage
// applies to all its lines and its fees replace the default's.
type SellerRate struct {
	SellerID id.Seller     `json:"seller_id"`
	BPS      int64         `json:"bps"`
	Fees     []money.Money `json:"fees"`
}

// Rules are the whole commission schedule. A line pays its seller's
// percentage if the seller has a rate, else its category's if the category
// has one, else the default's. The fixed fee is the seller's if it has a
// rate, else the default's.
//
// Version counts changes: SetCommission takes the rules with the version
// it read and refuses (409 version_conflict) if they changed meanwhile, so
// two admins editing at once cannot silently undo each other.
type Rules struct {
	Version    int64          `json:"version"`
	Default    Rate           `json:"default"`
	Categories []CategoryRate `json:"categories"`
	Sellers    []SellerRate   `json:"sellers"`
	UpdatedAt  *time.Time     `json:"updated_at,omitempty"`
}

// DefaultRate is the commission when no rules were ever set: 10 %, no fee.
var DefaultRate = Rate{BPS: 1000, Fees: []money.Money{}}

// Validate checks the rules: percentages 0..10000 bps, fees non-negative
// with one per currency, each category and seller at most once.
func (r Rules) Validate() error {
	var f apperr.Fields
	checkRate := func(field string, bps int64, fees []money.Money) {
		f.Check(bps >= 0 && bps <= 10000, field+".bps", "must be from 0 to 10000 (basis points: 1000 is 10 %)")
		seen := map[string]bool{}
		for i, fee := range fees {
			ff := fmt.Sprintf("%s.fees[%d]", field, i)
			if err := fee.Validate(ff); err != nil {
				if e, ok := apperr.As(err); ok {
					f = append(f, e.Fields...)
				}
				continue
			}
			f.Check(!seen[fee.Currency], ff+".currency", "has a fee already")
			seen[fee.Currency] = true
		}
	}
	checkRate("default", r.Default.BPS, r.Default.Fees)
	cats := map[id.Category]bool{}
	for i, c := range r.Categories {
		field := fmt.Sprintf("categories[%d]", i)
		_, ok := id.Parse[id.Category](string(c.CategoryID))
		f.Check(ok, field+".category_id", "must be a category ID (cat_...)")
		f.Check(!cats[c.CategoryID], field+".category_id", "has a rate already")
		cats[c.CategoryID] = true
		checkRate(field, c.BPS, nil)
	}
	sellers := map[id.Seller]bool{}
	for i, s := range r.Sellers {
		field := fmt.Sprintf("sellers[%d]", i)
		_, ok := id.Parse[id.Seller](string(s.SellerID))
		f.Check(ok, field+".seller_id", "must be a seller ID (sel_...)")
		f.Check(!sellers[s.SellerID], field+".seller_id", "has a rate already")
		sellers[s.SellerID] = true
		checkRate(field, s.BPS, s.Fees)
	}
	f.Check(len(r.Categories)+len(r.Sellers) <= 10000, "categories", "at most 10000 category and seller rates in all")
	return f.Err()
}

// normalize sorts the rates and makes empty lists non-nil, so rules read
// back equal rules written.
func (r Rules) normalize() Rules {
	r.Categories = slices.Clone(r.Categories)
	r.Sellers = slices.Clone(r.Sellers)
	if r.Categories == nil {
		r.Categories = []CategoryRate{}
	}
	if r.Sellers == nil {
		r.Sellers = []SellerRate{}
	}
	if r.Default.Fees == nil {
		r.Default.Fees = []money.Money{}
	}
	for i := range r.Sellers {
		if r.Sellers[i].Fees == nil {
			r.Sellers[i].Fees = []money.Money{}
		}
	}
	slices.SortFunc(r.Categories, func(a, b CategoryRate) int { return cmpString(string(a.CategoryID), string(b.CategoryID)) })
	slices.SortFunc(r.Sellers, func(a, b SellerRate) int { return cmpString(string(a.SellerID), string(b.SellerID)) })
	return r
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SaleLine is one line of a sale for commission: its category and its
// amount after discounts.
type SaleLine struct {
	Category id.Category `json:"category_id"`
	Amount   money.Money `json:"amount"`
}

// Commission is the commission of a seller order, line by line.
type Commission struct {
	Lines []int64     `json:"lines"` // per sale line, in minor units
	Fee   int64       `json:"fee"`   // the fixed fee charged
	Total money.Money `json:"total"` // lines + fee, at most the lines' sum
}

// Compute returns the commission of seller's lines in currency: each
// line's amount times its rate in basis points, rounded half up to a
// minor unit (so never more than the line), plus the fixed fee once. The
// total never exceeds the sum of the lines: shipping and tax are never
// commissioned and the seller always keeps them.
func (r Rules) Compute(seller id.Seller, currency string, lines []SaleLine) Commission {
	cats := map[id.Category]int64{}
	for _, c := range r.Categories {
		cats[c.CategoryID] = c.BPS
	}
	rate, fees := r.Default.BPS, r.Default.Fees
	var sellerRate *SellerRate
	for i := range r.Sellers {
		if r.Sellers[i].SellerID == seller {
			sellerRate = &r.Sellers[i]
			fees = sellerRate.Fees
		}
	}
	c := Commission{Lines: make([]int64, len(lines))}
	var sum, linesSum int64
	for i, l := range lines {
		bps := rate
		if b, ok := cats[l.Category]; ok {
			bps = b
		}
		if sellerRate != nil {
			bps = sellerRate.BPS
		}
		c.Lines[i] = min((l.Amount.Amount*bps+5000)/10000, l.Amount.Amount)
		sum += c.Lines[i]
		linesSum += l.Amount.Amount
	}
	for _, f := range fees {
		if f.Currency == currency {
			c.Fee = min(f.Amount, linesSum-sum)
		}
	}
	c.Total = money.New(sum+c.Fee, currency)
	return c
}

// rules returns the stored rules, or the default ones if none were set.
func (s *Service) rules(ctx context.Context, tx Tx) (Rules, error) {
	r, err := tx.Rules(ctx)
	if err != nil {
		return Rules{}, fmt.Errorf("read commission rules: %w", err)
	}
	if r.Version == 0 {
		r.Default = s.defaultRate
	}
	return r.normalize(), nil
}

// Commission returns the commission rules (admin).
func (s *Service) Commission(ctx context.Context) (Rules, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Rules{}, err
	}
	var r Rules
	err := s.store.Update(ctx, nil, func(tx Tx) error {
		var err error
		r, err = s.rules(ctx, tx)
		return err
	})
	return r, err
}

// SetCommission replaces the whole rule set (admin). in.Version must be
// the version read (0 before any rules were set): otherwise Conflict
// "version_conflict". Sales already recorded keep their commission.
func (s *Service) SetCommission(ctx context.Context, in Rules) (Rules, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Rules{}, err
	}
	if err := in.Validate(); err != nil {
		return Rules{}, err
	}
	in = in.normalize()
	now := s.clock()
	in.UpdatedAt = &now
	err := s.store.Update(ctx, []string{"commission"}, func(tx Tx) error {
		cur, err := tx.Rules(ctx)
		if err != nil {
			return fmt.Errorf("read commission rules: %w", err)
		}
		if cur.Version != in.Version {
			return apperr.Conflict("version_conflict", "the commission rules changed since version %d (now %d): read them again", in.Version, cur.Version)
		}
		in.Version++
		return tx.SetRules(ctx, in)
	})
	if err != nil {
		return Rules{}, err
	}
	return in, nil
}
