// Package ledgersql is the ledger Store on database/sql, for SQLite and
// PostgreSQL. An Update takes its named locks first: on PostgreSQL as
// transaction-scoped advisory locks (pg_advisory_xact_lock) in sorted
// order; SQLite has one writer, which serialises every Update already.
// Balances are sums over ledger_entry, read inside the lock where a rule
// depends on them.
package ledgersql

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/ledger"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrate creates or upgrades the ledger tables and the event outbox it
// publishes through.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	if err := event.Migrate(ctx, db); err != nil {
		return err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	return db.Migrate(ctx, "ledger", sub)
}

// Store is the ledger store.
type Store struct{ db *sqldb.DB }

var _ ledger.Store = (*Store)(nil)

// New returns a Store on db (migrated with Migrate).
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// lockKey maps a lock name to an advisory lock key. Two names sharing a
// key only serialise more than needed.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("ledger:" + name))
	return int64(h.Sum64())
}

// Update implements ledger.Store.
func (s *Store) Update(ctx context.Context, locks []string, fn func(tx ledger.Tx) error) error {
	keys := make([]int64, 0, len(locks))
	for _, l := range locks {
		keys = append(keys, lockKey(l))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect == sqldb.Postgres {
			for _, k := range keys {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, k); err != nil {
					return fmt.Errorf("lock: %w", err)
				}
			}
		}
		return fn(&sqlTx{q: tx, tx: tx})
	})
}

// View implements ledger.Store.
func (s *Store) View(ctx context.Context, fn func(tx ledger.Tx) error) error {
	tx, err := s.db.Read().BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(&sqlTx{q: tx, readOnly: true})
}

type sqlTx struct {
	q        sqldb.Querier
	tx       *sql.Tx // nil in a View
	readOnly bool
}

// Publish implements ledger.Tx: the event goes to the outbox in tx.
func (t *sqlTx) Publish(ctx context.Context, topic, aggregate string, payload any) error {
	if t.readOnly || t.tx == nil {
		return errReadOnly
	}
	return event.PublishRaw(ctx, t.tx, topic, aggregate, payload)
}

var errReadOnly = errors.New("ledgersql: write in a read-only transaction")

const txnCols = `id, kind, reference, order_id, seller_order_id, payment_id, refund_id, payout_id, seller_id, partner_id, memo, created_at`

func scanTxn(row interface{ Scan(...any) error }) (ledger.Txn, error) {
	var t ledger.Txn
	var created int64
	err := row.Scan(&t.ID, &t.Kind, &t.Reference, &t.OrderID, &t.SellerOrderID, &t.PaymentID, &t.RefundID, &t.PayoutID,
		&t.SellerID, &t.PartnerID, &t.Memo, &created)
	t.CreatedAt = sqldb.Time(created)
	return t, err
}

// entries reads the entries of the transactions ts, in order.
func entries(ctx context.Context, q sqldb.Querier, ts []ledger.Txn) error {
	if len(ts) == 0 {
		return nil
	}
	index := make(map[ledger.TxnID]int, len(ts))
	args := make([]any, len(ts))
	ph := make([]string, len(ts))
	for i, t := range ts {
		index[t.ID] = i
		args[i] = string(t.ID)
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.QueryContext(ctx, `SELECT txn_id, account_kind, account_owner, currency, amount FROM ledger_entry
		WHERE txn_id IN (`+strings.Join(ph, ", ")+`) ORDER BY txn_id, line`, args...)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tid ledger.TxnID
		var e ledger.Entry
		if err := rows.Scan(&tid, &e.Account.Kind, &e.Account.Owner, &e.Amount.Currency, &e.Amount.Amount); err != nil {
			return fmt.Errorf("read entries: %w", err)
		}
		i := index[tid]
		ts[i].Entries = append(ts[i].Entries, e)
	}
	return rows.Err()
}

func (tx *sqlTx) Txn(ctx context.Context, ref string) (ledger.Txn, bool, error) {
	t, err := scanTxn(tx.q.QueryRowContext(ctx, `SELECT `+txnCols+` FROM ledger_txn WHERE reference = $1`, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return ledger.Txn{}, false, nil
	}
	if err != nil {
		return ledger.Txn{}, false, fmt.Errorf("read transaction %s: %w", ref, err)
	}
	ts := []ledger.Txn{t}
	if err := entries(ctx, tx.q, ts); err != nil {
		return ledger.Txn{}, false, err
	}
	return ts[0], true, nil
}

func (tx *sqlTx) Post(ctx context.Context, t ledger.Txn) error {
	if tx.readOnly {
		return errReadOnly
	}
	if err := t.Check(); err != nil {
		return err
	}
	at := sqldb.Micros(t.CreatedAt)
	_, err := tx.q.ExecContext(ctx, `INSERT INTO ledger_txn (`+txnCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		string(t.ID), string(t.Kind), t.Reference, string(t.OrderID), string(t.SellerOrderID), string(t.PaymentID), string(t.RefundID),
		string(t.PayoutID), string(t.SellerID), string(t.PartnerID), t.Memo, at)
	if sqldb.IsUniqueViolation(err) {
		return apperr.Conflict("duplicate_reference", "reference %s is posted already", t.Reference)
	}
	if err != nil {
		return fmt.Errorf("insert transaction %s: %w", t.Reference, err)
	}
	for i, e := range t.Entries {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO ledger_entry (txn_id, line, account_kind, account_owner, currency, amount, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, string(t.ID), i, string(e.Account.Kind), e.Account.Owner, e.Amount.Currency,
			e.Amount.Amount, at); err != nil {
			return fmt.Errorf("insert entry of %s: %w", t.Reference, err)
		}
	}
	return nil
}

func (tx *sqlTx) Balance(ctx context.Context, a ledger.Account, currency string) (int64, error) {
	var sum int64
	err := tx.q.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entry
		WHERE account_kind = $1 AND account_owner = $2 AND currency = $3`, string(a.Kind), a.Owner, currency).Scan(&sum)
	if err != nil {
		return 0, fmt.Errorf("balance of %v: %w", a, err)
	}
	return sum, nil
}

const saleCols = `seller_order_id, order_id, payment_id, seller_id, gateway, currency, total, commission, release_at, released_at, created_at`

func (tx *sqlTx) Sale(ctx context.Context, so id.SellerOrder) (ledger.SaleRecord, error) {
	var r ledger.SaleRecord
	var cur string
	var total, comm, created int64
	var rel, released sql.NullInt64
	err := tx.q.QueryRowContext(ctx, `SELECT `+saleCols+` FROM ledger_sale WHERE seller_order_id = $1`, string(so)).Scan(
		&r.SellerOrderID, &r.OrderID, &r.PaymentID, &r.SellerID, &r.Gateway, &cur, &total, &comm, &rel, &released, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("sale of seller order %s not found", so)
	}
	if err != nil {
		return r, fmt.Errorf("read sale %s: %w", so, err)
	}
	r.Total, r.Commission, r.CreatedAt = money.New(total, cur), money.New(comm, cur), sqldb.Time(created)
	r.ReleaseAt, r.ReleasedAt = timePtr(rel), timePtr(released)
	return r, nil
}

func timePtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := sqldb.Time(v.Int64)
	return &t
}

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return sqldb.Micros(*t)
}

func (tx *sqlTx) InsertSale(ctx context.Context, r ledger.SaleRecord) error {
	if tx.readOnly {
		return errReadOnly
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO ledger_sale (`+saleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		string(r.SellerOrderID), string(r.OrderID), string(r.PaymentID), string(r.SellerID), r.Gateway, r.Total.Currency,
		r.Total.Amount, r.Commission.Amount, nullMicros(r.ReleaseAt), nullMicros(r.ReleasedAt), sqldb.Micros(r.CreatedAt))
	if sqldb.IsUniqueViolation(err) {
		return apperr.Conflict("duplicate_sale", "sale of %s recorded already", r.SellerOrderID)
	}
	return err
}

func (tx *sqlTx) UpdateSale(ctx context.Context, r ledger.SaleRecord) error {
	if tx.readOnly {
		return errReadOnly
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE ledger_sale SET release_at = $1, released_at = $2 WHERE seller_order_id = $3`,
		nullMicros(r.ReleaseAt), nullMicros(r.ReleasedAt), string(r.SellerOrderID))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFound("sale of seller order %s not found", r.SellerOrderID)
	}
	return nil
}

func (tx *sqlTx) SaleSums(ctx context.Context, so id.SellerOrder) (map[ledger.SumKey]int64, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT t.kind, e.account_kind, CAST(SUM(e.amount) AS BIGINT)
		FROM ledger_txn t JOIN ledger_entry e ON e.txn_id = t.id
		WHERE t.seller_order_id = $1 GROUP BY t.kind, e.account_kind`, string(so))
	if err != nil {
		return nil, fmt.Errorf("sums of %s: %w", so, err)
	}
	defer rows.Close()
	out := map[ledger.SumKey]int64{}
	for rows.Next() {
		var k ledger.SumKey
		var v int64
		if err := rows.Scan(&k.Txn, &k.Account, &v); err != nil {
			return nil, fmt.Errorf("sums of %s: %w", so, err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// ruleSet is the stored JSON of the commission rules.
type ruleSet struct {
	Default    ledger.Rate           `json:"default"`
	Categories []ledger.CategoryRate `json:"categories"`
	Sellers    []ledger.SellerRate   `json:"sellers"`
}

func (tx *sqlTx) Rules(ctx context.Context) (ledger.Rules, error) {
	var version, updated int64
	var raw string
	err := tx.q.QueryRowContext(ctx, `SELECT version, rules, updated_at FROM ledger_commission WHERE id = 1`).Scan(&version, &raw, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return ledger.Rules{}, nil
	}
	if err != nil {
		return ledger.Rules{}, err
	}
	var rs ruleSet
	if err := json.Unmarshal([]byte(raw), &rs); err != nil {
		return ledger.Rules{}, fmt.Errorf("stored commission rules: %w", err)
	}
	t := sqldb.Time(updated)
	return ledger.Rules{Version: version, Default: rs.Default, Categories: rs.Categories, Sellers: rs.Sellers, UpdatedAt: &t}, nil
}

func (tx *sqlTx) SetRules(ctx context.Context, r ledger.Rules) error {
	if tx.readOnly {
		return errReadOnly
	}
	raw, err := json.Marshal(ruleSet{Default: r.Default, Categories: r.Categories, Sellers: r.Sellers})
	if err != nil {
		return err
	}
	var updated int64
	if r.UpdatedAt != nil {
		updated = sqldb.Micros(*r.UpdatedAt)
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO ledger_commission (id, version, rules, updated_at) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, rules = excluded.rules, updated_at = excluded.updated_at`,
		r.Version, string(raw), updated)
	return err
}

const payoutCols = `id, seller_id, currency, amount, status, channel, destination, transfer_to, transfer_id, failure,
	created_at, updated_at, approved_at, paid_at, failed_at`

func scanPayout(row interface{ Scan(...any) error }) (ledger.Payout, error) {
	var p ledger.Payout
	var created, updated int64
	var approved, paid, failed sql.NullInt64
	err := row.Scan(&p.ID, &p.SellerID, &p.Amount.Currency, &p.Amount.Amount, &p.Status, &p.Channel, &p.Destination,
		&p.TransferTo, &p.TransferID, &p.Failure, &created, &updated, &approved, &paid, &failed)
	p.CreatedAt, p.UpdatedAt = sqldb.Time(created), sqldb.Time(updated)
	p.ApprovedAt, p.PaidAt, p.FailedAt = timePtr(approved), timePtr(paid), timePtr(failed)
	return p, err
}

func payoutArgs(p ledger.Payout) []any {
	return []any{string(p.ID), string(p.SellerID), p.Amount.Currency, p.Amount.Amount, string(p.Status), string(p.Channel),
		p.Destination, p.TransferTo, p.TransferID, p.Failure, sqldb.Micros(p.CreatedAt), sqldb.Micros(p.UpdatedAt),
		nullMicros(p.ApprovedAt), nullMicros(p.PaidAt), nullMicros(p.FailedAt)}
}

func (tx *sqlTx) Payout(ctx context.Context, pid ledger.PayoutID) (ledger.Payout, error) {
	p, err := scanPayout(tx.q.QueryRowContext(ctx, `SELECT `+payoutCols+` FROM ledger_payout WHERE id = $1`, string(pid)))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("payout %s not found", pid)
	}
	if err != nil {
		return p, fmt.Errorf("read payout %s: %w", pid, err)
	}
	return p, nil
}

func (tx *sqlTx) InsertPayout(ctx context.Context, p ledger.Payout) error {
	if tx.readOnly {
		return errReadOnly
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO ledger_payout (`+payoutCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
		$10, $11, $12, $13, $14, $15)`, payoutArgs(p)...)
	if sqldb.IsUniqueViolation(err) {
		return apperr.Conflict("payout_open", "seller %s has an open payout in %s", p.SellerID, p.Amount.Currency)
	}
	if err != nil {
		return fmt.Errorf("insert payout: %w", err)
	}
	return nil
}

func (tx *sqlTx) UpdatePayout(ctx context.Context, p ledger.Payout) error {
	if tx.readOnly {
		return errReadOnly
	}
	args := payoutArgs(p)
	res, err := tx.q.ExecContext(ctx, `UPDATE ledger_payout SET status = $5, channel = $6, destination = $7, transfer_to = $8,
		transfer_id = $9, failure = $10, updated_at = $12, approved_at = $13, paid_at = $14, failed_at = $15
		WHERE id = $1 AND seller_id = $2 AND currency = $3 AND amount = $4 AND created_at = $11`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFound("payout %s not found", p.ID)
	}
	return nil
}

func (tx *sqlTx) LastPayout(ctx context.Context, seller id.Seller, currency string) (ledger.Payout, bool, error) {
	p, err := scanPayout(tx.q.QueryRowContext(ctx, `SELECT `+payoutCols+` FROM ledger_payout
		WHERE seller_id = $1 AND currency = $2 ORDER BY id DESC LIMIT 1`, string(seller), currency))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("last payout of %s: %w", seller, err)
	}
	return p, true, nil
}

func (tx *sqlTx) PayoutAccount(ctx context.Context, seller id.Seller) (ledger.PayoutAccount, bool, error) {
	var a ledger.PayoutAccount
	var updated int64
	err := tx.q.QueryRowContext(ctx, `SELECT seller_id, stripe_account, holder, account_number, routing, updated_at
		FROM ledger_payout_account WHERE seller_id = $1`, string(seller)).Scan(&a.SellerID, &a.StripeAccount, &a.Holder,
		&a.AccountNumber, &a.Routing, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("payout account of %s: %w", seller, err)
	}
	a.UpdatedAt = sqldb.Time(updated)
	return a, true, nil
}

func (tx *sqlTx) SetPayoutAccount(ctx context.Context, a ledger.PayoutAccount) error {
	if tx.readOnly {
		return errReadOnly
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO ledger_payout_account (seller_id, stripe_account, holder, account_number, routing, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seller_id) DO UPDATE SET stripe_account = excluded.stripe_account,
		holder = excluded.holder, account_number = excluded.account_number, routing = excluded.routing, updated_at = excluded.updated_at`,
		string(a.SellerID), a.StripeAccount, a.Holder, a.AccountNumber, a.Routing, sqldb.Micros(a.UpdatedAt))
	return err
}

// where builds a WHERE clause with numbered parameters.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(w.args))))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Balances implements ledger.Store.
func (s *Store) Balances(ctx context.Context, f ledger.BalanceFilter) ([]ledger.Balance, error) {
	var w where
	if f.Kind != "" {
		w.add("account_kind = ?", string(f.Kind))
	}
	if f.Owner != "" {
		w.add("account_owner = ?", f.Owner)
	}
	if f.Currency != "" {
		w.add("currency = ?", f.Currency)
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT account_kind, account_owner, currency, CAST(SUM(amount) AS BIGINT)
		FROM ledger_entry`+w.sql()+` GROUP BY account_kind, account_owner, currency ORDER BY account_kind, account_owner, currency`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("balances: %w", err)
	}
	defer rows.Close()
	var out []ledger.Balance
	for rows.Next() {
		var b ledger.Balance
		if err := rows.Scan(&b.Account.Kind, &b.Account.Owner, &b.Currency, &b.Amount); err != nil {
			return nil, fmt.Errorf("balances: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Lines implements ledger.Store.
func (s *Store) Lines(ctx context.Context, f ledger.LineFilter) ([]ledger.Line, error) {
	q := s.db.Read()
	var w where
	w.add("e.account_kind = ?", string(f.Account.Kind))
	w.add("e.account_owner = ?", f.Account.Owner)
	if f.Currency != "" {
		w.add("e.currency = ?", f.Currency)
	}
	if !f.From.IsZero() {
		w.add("e.created_at >= ?", sqldb.Micros(f.From))
	}
	if !f.To.IsZero() {
		w.add("e.created_at < ?", sqldb.Micros(f.To))
	}
	if f.After != nil {
		w.add("(e.created_at > ?", sqldb.Micros(f.After.At))
		w.conds[len(w.conds)-1] += " OR (e.created_at = $" + strconv.Itoa(len(w.args)) + " AND (e.txn_id > $" + strconv.Itoa(len(w.args)+1) +
			" OR (e.txn_id = $" + strconv.Itoa(len(w.args)+1) + " AND e.line > $" + strconv.Itoa(len(w.args)+2) + "))))"
		w.args = append(w.args, string(f.After.Txn), f.After.Entry)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := q.QueryContext(ctx, `SELECT e.txn_id, e.line, t.kind, t.reference, t.order_id, t.seller_order_id, t.refund_id,
		t.payout_id, e.currency, e.amount, e.created_at
		FROM ledger_entry e JOIN ledger_txn t ON t.id = e.txn_id`+w.sql()+`
		ORDER BY e.created_at, e.txn_id, e.line LIMIT `+strconv.Itoa(limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("lines: %w", err)
	}
	var out []ledger.Line
	for rows.Next() {
		l := ledger.Line{Account: f.Account}
		var created int64
		if err := rows.Scan(&l.TxnID, &l.Entry, &l.Kind, &l.Reference, &l.OrderID, &l.SellerOrderID, &l.RefundID, &l.PayoutID,
			&l.Amount.Currency, &l.Amount.Amount, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("lines: %w", err)
		}
		l.CreatedAt = sqldb.Time(created)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// The balances before the first line, per currency.
	first := out[0]
	var ob where
	ob.add("account_kind = ?", string(f.Account.Kind))
	ob.add("account_owner = ?", f.Account.Owner)
	if f.Currency != "" {
		ob.add("currency = ?", f.Currency)
	}
	ob.add("(created_at < ?", sqldb.Micros(first.CreatedAt))
	n := len(ob.args)
	ob.conds[len(ob.conds)-1] += " OR (created_at = $" + strconv.Itoa(n) + " AND (txn_id < $" + strconv.Itoa(n+1) +
		" OR (txn_id = $" + strconv.Itoa(n+1) + " AND line < $" + strconv.Itoa(n+2) + "))))"
	ob.args = append(ob.args, string(first.TxnID), first.Entry)
	brows, err := q.QueryContext(ctx, `SELECT currency, CAST(SUM(amount) AS BIGINT) FROM ledger_entry`+ob.sql()+` GROUP BY currency`, ob.args...)
	if err != nil {
		return nil, fmt.Errorf("opening balance: %w", err)
	}
	defer brows.Close()
	bal := map[string]int64{}
	for brows.Next() {
		var c string
		var v int64
		if err := brows.Scan(&c, &v); err != nil {
			return nil, fmt.Errorf("opening balance: %w", err)
		}
		bal[c] = v
	}
	if err := brows.Err(); err != nil {
		return nil, fmt.Errorf("opening balance: %w", err)
	}
	for i := range out {
		c := out[i].Amount.Currency
		bal[c] += out[i].Amount.Amount
		out[i].Balance = money.New(bal[c], c)
	}
	return out, nil
}

// Transactions implements ledger.Store.
func (s *Store) Transactions(ctx context.Context, f ledger.TxnFilter) ([]ledger.Txn, error) {
	var w where
	if f.Reference != "" {
		w.add("reference = ?", f.Reference)
	}
	if f.SellerOrderID != "" {
		w.add("seller_order_id = ?", string(f.SellerOrderID))
	}
	if f.After != "" {
		w.add("id > ?", string(f.After))
	}
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.Account != nil {
		w.args = append(w.args, string(f.Account.Kind), f.Account.Owner)
		n := len(w.args)
		w.conds = append(w.conds, fmt.Sprintf("id IN (SELECT txn_id FROM ledger_entry WHERE account_kind = $%d AND account_owner = $%d)", n-1, n))
	}
	order := " ORDER BY created_at, id"
	if f.Newest {
		order = " ORDER BY created_at DESC, id DESC"
		if f.Before != "" {
			w.add("id < ?", string(f.Before))
		}
	}
	limit := ""
	if f.Limit > 0 {
		limit = " LIMIT " + strconv.Itoa(f.Limit)
	}
	q := s.db.Read()
	rows, err := q.QueryContext(ctx, `SELECT `+txnCols+` FROM ledger_txn`+w.sql()+order+limit, w.args...)
	if err != nil {
		return nil, fmt.Errorf("transactions: %w", err)
	}
	var out []ledger.Txn
	for rows.Next() {
		t, err := scanTxn(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("transactions: %w", err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transactions: %w", err)
	}
	for start := 0; start < len(out); start += 500 {
		if err := entries(ctx, q, out[start:min(start+500, len(out))]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Payouts implements ledger.Store.
func (s *Store) Payouts(ctx context.Context, f ledger.PayoutFilter) ([]ledger.Payout, error) {
	var w where
	if f.SellerID != "" {
		w.add("seller_id = ?", string(f.SellerID))
	}
	if f.Status != "" {
		w.add("status = ?", string(f.Status))
	}
	if f.Channel != "" {
		w.add("channel = ?", string(f.Channel))
	}
	if f.NoTransfer {
		w.conds = append(w.conds, "transfer_id = ''")
	}
	if f.Before != "" {
		w.add("id < ?", string(f.Before))
	}
	limit := ""
	if f.Limit > 0 {
		limit = " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+payoutCols+` FROM ledger_payout`+w.sql()+` ORDER BY id DESC`+limit, w.args...)
	if err != nil {
		return nil, fmt.Errorf("payouts: %w", err)
	}
	defer rows.Close()
	var out []ledger.Payout
	for rows.Next() {
		p, err := scanPayout(rows)
		if err != nil {
			return nil, fmt.Errorf("payouts: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// DueSales implements ledger.Store.
func (s *Store) DueSales(ctx context.Context, now time.Time, limit int) ([]id.SellerOrder, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT seller_order_id FROM ledger_sale
		WHERE released_at IS NULL AND release_at IS NOT NULL AND release_at <= $1
		ORDER BY release_at, seller_order_id LIMIT $2`, sqldb.Micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due sales: %w", err)
	}
	defer rows.Close()
	var out []id.SellerOrder
	for rows.Next() {
		var so id.SellerOrder
		if err := rows.Scan(&so); err != nil {
			return nil, fmt.Errorf("due sales: %w", err)
		}
		out = append(out, so)
	}
	return out, rows.Err()
}
