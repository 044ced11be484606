// Package ledgertest has an in-memory ledger Store, fakes of what the
// ledger works with (sellers, a Stripe-like transferer), and the scenarios
// and property test every Store must pass through the service.
package ledgertest

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
)

// Memory is a ledger Store in memory. Updates run one at a time (a
// superset of any locking) and are undone when they fail.
type Memory struct {
	mu       sync.Mutex
	txns     []ledger.Txn
	byRef    map[string]int
	sales    map[id.SellerOrder]ledger.SaleRecord
	rules    ledger.Rules
	payouts  map[ledger.PayoutID]ledger.Payout
	accounts map[id.Seller]ledger.PayoutAccount
	events   []Published
}

// Published is an event a Memory store committed.
type Published struct {
	Topic, Aggregate string
	Payload          any
}

// Events returns the events committed so far, oldest first.
func (m *Memory) Events() []Published {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events)
}

func (tx *memTx) Publish(_ context.Context, topic, aggregate string, payload any) error {
	if err := tx.write(); err != nil {
		return err
	}
	n := len(tx.m.events)
	tx.m.events = append(tx.m.events, Published{Topic: topic, Aggregate: aggregate, Payload: payload})
	tx.undo = append(tx.undo, func() { tx.m.events = tx.m.events[:n] })
	return nil
}

var _ ledger.Store = (*Memory)(nil)

// NewMemory returns an empty store.
func NewMemory() *Memory {
	return &Memory{byRef: map[string]int{}, sales: map[id.SellerOrder]ledger.SaleRecord{},
		payouts: map[ledger.PayoutID]ledger.Payout{}, accounts: map[id.Seller]ledger.PayoutAccount{}}
}

// Update implements ledger.Store.
func (m *Memory) Update(ctx context.Context, _ []string, fn func(tx ledger.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{m: m}
	if err := fn(tx); err != nil {
		for i := len(tx.undo) - 1; i >= 0; i-- {
			tx.undo[i]()
		}
		return err
	}
	return ctx.Err()
}

// View implements ledger.Store.
func (m *Memory) View(ctx context.Context, fn func(tx ledger.Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(&memTx{m: m, readOnly: true})
}

type memTx struct {
	m        *Memory
	undo     []func()
	readOnly bool
}

func (tx *memTx) write() error {
	if tx.readOnly {
		return apperr.New(apperr.KindInternal, "read_only", "write in a read-only transaction")
	}
	return nil
}

func (tx *memTx) Txn(_ context.Context, ref string) (ledger.Txn, bool, error) {
	i, ok := tx.m.byRef[ref]
	if !ok {
		return ledger.Txn{}, false, nil
	}
	return cloneTxn(tx.m.txns[i]), true, nil
}

func cloneTxn(t ledger.Txn) ledger.Txn {
	t.Entries = slices.Clone(t.Entries)
	return t
}

func (tx *memTx) Post(_ context.Context, t ledger.Txn) error {
	if err := tx.write(); err != nil {
		return err
	}
	if err := t.Check(); err != nil {
		return err
	}
	if _, ok := tx.m.byRef[t.Reference]; ok {
		return apperr.Conflict("duplicate_reference", "reference %s is posted already", t.Reference)
	}
	m := tx.m
	m.txns = append(m.txns, cloneTxn(t))
	m.byRef[t.Reference] = len(m.txns) - 1
	tx.undo = append(tx.undo, func() {
		m.txns = m.txns[:len(m.txns)-1]
		delete(m.byRef, t.Reference)
	})
	return nil
}

func (tx *memTx) Balance(_ context.Context, a ledger.Account, currency string) (int64, error) {
	var sum int64
	for _, t := range tx.m.txns {
		for _, e := range t.Entries {
			if e.Account == a && e.Amount.Currency == currency {
				sum += e.Amount.Amount
			}
		}
	}
	return sum, nil
}

func (tx *memTx) Sale(_ context.Context, so id.SellerOrder) (ledger.SaleRecord, error) {
	s, ok := tx.m.sales[so]
	if !ok {
		return s, apperr.NotFound("sale of seller order %s not found", so)
	}
	return s, nil
}

func (tx *memTx) InsertSale(_ context.Context, s ledger.SaleRecord) error {
	if err := tx.write(); err != nil {
		return err
	}
	m := tx.m
	if _, ok := m.sales[s.SellerOrderID]; ok {
		return apperr.Conflict("duplicate_sale", "sale of %s recorded already", s.SellerOrderID)
	}
	m.sales[s.SellerOrderID] = s
	tx.undo = append(tx.undo, func() { delete(m.sales, s.SellerOrderID) })
	return nil
}

func (tx *memTx) UpdateSale(_ context.Context, s ledger.SaleRecord) error {
	if err := tx.write(); err != nil {
		return err
	}
	m := tx.m
	old, ok := m.sales[s.SellerOrderID]
	if !ok {
		return apperr.NotFound("sale of seller order %s not found", s.SellerOrderID)
	}
	old2 := old
	old.ReleaseAt, old.ReleasedAt = s.ReleaseAt, s.ReleasedAt
	m.sales[s.SellerOrderID] = old
	tx.undo = append(tx.undo, func() { m.sales[s.SellerOrderID] = old2 })
	return nil
}

func (tx *memTx) SaleSums(_ context.Context, so id.SellerOrder) (map[ledger.SumKey]int64, error) {
	out := map[ledger.SumKey]int64{}
	for _, t := range tx.m.txns {
		if t.SellerOrderID != so {
			continue
		}
		for _, e := range t.Entries {
			out[ledger.SumKey{Txn: t.Kind, Account: e.Account.Kind}] += e.Amount.Amount
		}
	}
	return out, nil
}

func (tx *memTx) Rules(context.Context) (ledger.Rules, error) {
	r := tx.m.rules
	r.Categories = slices.Clone(r.Categories)
	r.Sellers = slices.Clone(r.Sellers)
	return r, nil
}

func (tx *memTx) SetRules(_ context.Context, r ledger.Rules) error {
	if err := tx.write(); err != nil {
		return err
	}
	m, old := tx.m, tx.m.rules
	m.rules = r
	tx.undo = append(tx.undo, func() { m.rules = old })
	return nil
}

func (tx *memTx) Payout(_ context.Context, pid ledger.PayoutID) (ledger.Payout, error) {
	p, ok := tx.m.payouts[pid]
	if !ok {
		return p, apperr.NotFound("payout %s not found", pid)
	}
	return p, nil
}

func open(p ledger.Payout) bool {
	return p.Status == ledger.PayoutPending || p.Status == ledger.PayoutInTransit
}

func (tx *memTx) InsertPayout(_ context.Context, p ledger.Payout) error {
	if err := tx.write(); err != nil {
		return err
	}
	m := tx.m
	for _, q := range m.payouts {
		if open(p) && open(q) && q.SellerID == p.SellerID && q.Amount.Currency == p.Amount.Currency {
			return apperr.Conflict("payout_open", "seller %s has an open payout in %s", p.SellerID, p.Amount.Currency)
		}
	}
	m.payouts[p.ID] = p
	tx.undo = append(tx.undo, func() { delete(m.payouts, p.ID) })
	return nil
}

func (tx *memTx) UpdatePayout(_ context.Context, p ledger.Payout) error {
	if err := tx.write(); err != nil {
		return err
	}
	m := tx.m
	old, ok := m.payouts[p.ID]
	if !ok {
		return apperr.NotFound("payout %s not found", p.ID)
	}
	m.payouts[p.ID] = p
	tx.undo = append(tx.undo, func() { m.payouts[p.ID] = old })
	return nil
}

func (tx *memTx) LastPayout(_ context.Context, seller id.Seller, currency string) (ledger.Payout, bool, error) {
	var last ledger.Payout
	found := false
	for _, p := range tx.m.payouts {
		if p.SellerID == seller && p.Amount.Currency == currency && (!found || p.ID > last.ID) {
			last, found = p, true
		}
	}
	return last, found, nil
}

func (tx *memTx) PayoutAccount(_ context.Context, seller id.Seller) (ledger.PayoutAccount, bool, error) {
	a, ok := tx.m.accounts[seller]
	return a, ok, nil
}

func (tx *memTx) SetPayoutAccount(_ context.Context, a ledger.PayoutAccount) error {
	if err := tx.write(); err != nil {
		return err
	}
	m := tx.m
	old, had := m.accounts[a.SellerID]
	m.accounts[a.SellerID] = a
	tx.undo = append(tx.undo, func() {
		if had {
			m.accounts[a.SellerID] = old
		} else {
			delete(m.accounts, a.SellerID)
		}
	})
	return nil
}

// Balances implements ledger.Store.
func (m *Memory) Balances(_ context.Context, f ledger.BalanceFilter) ([]ledger.Balance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	type key struct {
		a ledger.Account
		c string
	}
	sums := map[key]int64{}
	for _, t := range m.txns {
		for _, e := range t.Entries {
			if (f.Kind == "" || e.Account.Kind == f.Kind) && (f.Owner == "" || e.Account.Owner == f.Owner) &&
				(f.Currency == "" || e.Amount.Currency == f.Currency) {
				sums[key{e.Account, e.Amount.Currency}] += e.Amount.Amount
			}
		}
	}
	out := make([]ledger.Balance, 0, len(sums))
	for k, v := range sums {
		out = append(out, ledger.Balance{Account: k.a, Currency: k.c, Amount: v})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Account != b.Account {
			return a.Account.String() < b.Account.String()
		}
		return a.Currency < b.Currency
	})
	return out, nil
}

// Lines implements ledger.Store.
func (m *Memory) Lines(_ context.Context, f ledger.LineFilter) ([]ledger.Line, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var all []ledger.Line
	for _, t := range m.txns {
		for i, e := range t.Entries {
			if e.Account != f.Account || (f.Currency != "" && e.Amount.Currency != f.Currency) {
				continue
			}
			all = append(all, ledger.Line{TxnID: t.ID, Entry: i, Kind: t.Kind, Reference: t.Reference, OrderID: t.OrderID,
				SellerOrderID: t.SellerOrderID, RefundID: t.RefundID, PayoutID: t.PayoutID, Account: e.Account, Amount: e.Amount,
				CreatedAt: t.CreatedAt})
		}
	}
	less := func(a, b ledger.Line) bool {
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		if a.TxnID != b.TxnID {
			return a.TxnID < b.TxnID
		}
		return a.Entry < b.Entry
	}
	sort.Slice(all, func(i, j int) bool { return less(all[i], all[j]) })
	bal := map[string]int64{}
	var out []ledger.Line
	for _, l := range all {
		bal[l.Amount.Currency] += l.Amount.Amount
		l.Balance = money.New(bal[l.Amount.Currency], l.Amount.Currency)
		if f.After != nil && !less(ledger.Line{CreatedAt: f.After.At, TxnID: f.After.Txn, Entry: f.After.Entry}, l) {
			continue
		}
		if !f.From.IsZero() && l.CreatedAt.Before(f.From) || !f.To.IsZero() && !l.CreatedAt.Before(f.To) {
			continue
		}
		out = append(out, l)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, nil
}

// Transactions implements ledger.Store.
func (m *Memory) Transactions(_ context.Context, f ledger.TxnFilter) ([]ledger.Txn, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ledger.Txn
	for _, t := range m.txns {
		if (f.Reference != "" && t.Reference != f.Reference) || (f.SellerOrderID != "" && t.SellerOrderID != f.SellerOrderID) ||
			(f.After != "" && t.ID <= f.After) || (f.Kind != "" && t.Kind != f.Kind) || (f.Newest && f.Before != "" && t.ID >= f.Before) {
			continue
		}
		if f.Account != nil && !slices.ContainsFunc(t.Entries, func(e ledger.Entry) bool { return e.Account == *f.Account }) {
			continue
		}
		out = append(out, cloneTxn(t))
	}
	slices.SortFunc(out, func(a, b ledger.Txn) int {
		c := a.CreatedAt.Compare(b.CreatedAt)
		if c == 0 {
			c = compare(string(a.ID), string(b.ID))
		}
		if f.Newest {
			return -c
		}
		return c
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Payouts implements ledger.Store.
func (m *Memory) Payouts(_ context.Context, f ledger.PayoutFilter) ([]ledger.Payout, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ledger.Payout
	for _, p := range m.payouts {
		if (f.SellerID != "" && p.SellerID != f.SellerID) || (f.Status != "" && p.Status != f.Status) ||
			(f.Channel != "" && p.Channel != f.Channel) || (f.NoTransfer && p.TransferID != "") || (f.Before != "" && p.ID >= f.Before) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b ledger.Payout) int { return compare(string(b.ID), string(a.ID)) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// DueSales implements ledger.Store.
func (m *Memory) DueSales(_ context.Context, now time.Time, limit int) ([]id.SellerOrder, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []ledger.SaleRecord
	for _, s := range m.sales {
		if s.ReleasedAt == nil && s.ReleaseAt != nil && !s.ReleaseAt.After(now) {
			due = append(due, s)
		}
	}
	slices.SortFunc(due, func(a, b ledger.SaleRecord) int {
		if c := a.ReleaseAt.Compare(*b.ReleaseAt); c != 0 {
			return c
		}
		return compare(string(a.SellerOrderID), string(b.SellerOrderID))
	})
	out := make([]id.SellerOrder, 0, min(limit, len(due)))
	for _, s := range due[:min(limit, len(due))] {
		out = append(out, s.SellerOrderID)
	}
	return out, nil
}
