package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/page"
)

// PayoutStatus is where a payout stands.
//
//	pending ──> in_transit ──> paid
//	   │             └───────> failed   (the money returns to available)
//	   └───────────────────────> failed
type PayoutStatus string

const (
	PayoutPending   PayoutStatus = "pending"    // created by the schedule, awaiting an admin's approval
	PayoutInTransit PayoutStatus = "in_transit" // approved: the transfer is sent or the bank file made
	PayoutPaid      PayoutStatus = "paid"
	PayoutFailed    PayoutStatus = "failed"
)

// PayoutStatuses lists every status.
var PayoutStatuses = []PayoutStatus{PayoutPending, PayoutInTransit, PayoutPaid, PayoutFailed}

// Channel is how a payout is sent.
type Channel string

const (
	ChannelStripe Channel = "stripe" // a Stripe Connect transfer to the seller's connected account
	ChannelManual Channel = "manual" // a bank transfer an admin makes from the export
)

// Payout moves a seller's available balance in one currency out to the
// seller.
type Payout struct {
	ID       PayoutID     `json:"id"`
	SellerID id.Seller    `json:"seller_id"`
	Amount   money.Money  `json:"amount"`
	Status   PayoutStatus `json:"status"`
	Channel  Channel      `json:"channel"`
	// Destination is where it goes, masked ("acct_…9xyz", "****1234").
	Destination string `json:"destination"`
	// TransferTo is the connected account a Stripe payout is sent to,
	// fixed at approval (never shown).
	TransferTo string `json:"-"`
	// TransferID is the Stripe transfer's ID, or the bank's reference of
	// a manual payout given when it was marked paid.
	TransferID string     `json:"transfer_id,omitempty"`
	Failure    string     `json:"failure,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
	FailedAt   *time.Time `json:"failed_at,omitempty"`
}

func (p Payout) open() bool { return p.Status == PayoutPending || p.Status == PayoutInTransit }

// PayoutAccount is where a seller is paid: a Stripe connected account, or
// a bank account. AccountNumber is stored to pay and never shown.
type PayoutAccount struct {
	SellerID      id.Seller
	StripeAccount string
	Holder        string
	AccountNumber string
	Routing       string // IFSC, sort code, routing number or BIC
	UpdatedAt     time.Time
}

// Channel is how payouts reach this account.
func (a PayoutAccount) Channel() Channel {
	if a.StripeAccount != "" {
		return ChannelStripe
	}
	return ChannelManual
}

// Masked names the destination without its number.
func (a PayoutAccount) Masked() string {
	if a.StripeAccount != "" {
		return maskStripe(a.StripeAccount)
	}
	return mask(a.AccountNumber)
}

func mask(s string) string {
	if len(s) <= 4 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

func maskStripe(s string) string {
	if len(s) <= 9 {
		return "acct_****"
	}
	return "acct_****" + s[len(s)-4:]
}

// PayoutSettings are a seller's payout account as it is shown: the number
// masked.
type PayoutSettings struct {
	SellerID      id.Seller  `json:"seller_id"`
	Channel       Channel    `json:"channel,omitempty"` // "" until set
	StripeAccount string     `json:"stripe_account,omitempty"`
	Holder        string     `json:"holder,omitempty"`
	Account       string     `json:"account,omitempty"`
	Routing       string     `json:"routing,omitempty"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"`
}

func settingsOf(a PayoutAccount) PayoutSettings {
	t := a.UpdatedAt
	ps := PayoutSettings{SellerID: a.SellerID, Channel: a.Channel(), Holder: a.Holder, Routing: a.Routing, UpdatedAt: &t}
	if a.StripeAccount != "" {
		ps.StripeAccount = maskStripe(a.StripeAccount)
	} else {
		ps.Account = mask(a.AccountNumber)
	}
	return ps
}

// PayoutSettingsInput sets a seller's payout account: a Stripe connected
// account, or a bank account, not both.
type PayoutSettingsInput struct {
	StripeAccount string     `json:"stripe_account,omitempty"`
	Bank          *BankInput `json:"bank,omitempty"`
}

// BankInput is a bank account: the holder's name, the account number or
// IBAN, and the bank's code (IFSC, sort code, routing number or BIC).
type BankInput struct {
	Holder  string `json:"holder"`
	Account string `json:"account"`
	Routing string `json:"routing"`
}

func alnum(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func (in PayoutSettingsInput) validate() (PayoutAccount, error) {
	var f apperr.Fields
	var a PayoutAccount
	switch {
	case (in.StripeAccount == "") == (in.Bank == nil):
		f.Add("stripe_account", "give either stripe_account or bank")
	case in.Bank == nil:
		rest, ok := strings.CutPrefix(in.StripeAccount, "acct_")
		f.Check(ok && alnum(rest, 4, 64), "stripe_account", "must be a Stripe connected account ID (acct_...)")
		a.StripeAccount = in.StripeAccount
	default:
		b := *in.Bank
		holder := strings.TrimSpace(b.Holder)
		f.Check(holder != "" && len(holder) <= 140 && !strings.ContainsAny(holder, "\r\n\t"), "bank.holder", "must be 1 to 140 characters on one line")
		acct := strings.ToUpper(strings.ReplaceAll(b.Account, " ", ""))
		f.Check(alnum(acct, 6, 34), "bank.account", "must be an account number or IBAN: 6 to 34 letters and digits")
		routing := strings.ToUpper(strings.ReplaceAll(b.Routing, " ", ""))
		f.Check(routing == "" || alnum(routing, 4, 11), "bank.routing", "must be 4 to 11 letters and digits (IFSC, sort code, routing number or BIC)")
		a.Holder, a.AccountNumber, a.Routing = holder, acct, routing
	}
	return a, f.Err()
}

// PayoutSettings returns the caller's payout account (an admin names the
// seller), masked; a zero Channel when none is set.
func (s *Service) PayoutSettings(ctx context.Context, seller id.Seller) (PayoutSettings, error) {
	_, sel, err := s.sellerOf(ctx, seller)
	if err != nil {
		return PayoutSettings{}, err
	}
	var out PayoutSettings
	err = s.store.View(ctx, func(tx Tx) error {
		a, ok, err := tx.PayoutAccount(ctx, sel)
		if err != nil {
			return err
		}
		out = PayoutSettings{SellerID: sel}
		if ok {
			out = settingsOf(a)
		}
		return nil
	})
	return out, err
}

// SetPayoutSettings sets where the calling seller is paid. Payouts
// already approved keep their destination.
func (s *Service) SetPayoutSettings(ctx context.Context, in PayoutSettingsInput) (PayoutSettings, error) {
	if _, err := auth.Require(ctx, auth.Seller); err != nil {
		return PayoutSettings{}, err
	}
	a, err := in.validate()
	if err != nil {
		return PayoutSettings{}, err
	}
	_, sel, err := s.sellerOf(ctx, "")
	if err != nil {
		return PayoutSettings{}, err
	}
	a.SellerID, a.UpdatedAt = sel, s.clock()
	if err := s.store.Update(ctx, []string{"payout_account:" + string(sel)}, func(tx Tx) error {
		return tx.SetPayoutAccount(ctx, a)
	}); err != nil {
		return PayoutSettings{}, err
	}
	return settingsOf(a), nil
}

// minimum is the least payout in currency.
func (s *Service) minimumOf(currency string) int64 {
	if m, ok := s.minimum[currency]; ok {
		return m
	}
	return DefaultPayoutMinimum
}

// PayoutRun is what one run of the payout job did.
type PayoutRun struct {
	Created int // payouts created
	Sent    int // unconfirmed transfers sent again
}

// RunNow is an admin's "pay out now": it releases the seller orders whose
// return window has closed, then runs the payout job at once instead of at
// its next hour. Payouts are still made only for balances and sellers the
// schedule allows (RunPayouts).
func (s *Service) RunNow(ctx context.Context) (Run, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Run{}, err
	}
	released, err := s.ReleaseDue(ctx)
	if err != nil {
		return Run{}, err
	}
	p, err := s.RunPayouts(ctx)
	return Run{Released: released, Created: p.Created, Sent: p.Sent}, err
}

// Run is what RunNow did.
type Run struct {
	Released int `json:"released"` // seller orders whose share became available
	Created  int `json:"created"`  // payouts created
	Sent     int `json:"sent"`     // unconfirmed transfers sent again
}

// RunPayouts is the ledger.payouts job: it creates a pending payout of the
// whole available balance for every seller and currency whose available
// balance is at least the minimum, who has a payout account, no open
// payout, and no payout in the last interval; then it sends again the
// Stripe transfers of approved payouts not confirmed (after a crash or a
// gateway outage), with the same idempotency key. Each payout is created
// under its seller's lock, so concurrent runs create it once.
func (s *Service) RunPayouts(ctx context.Context) (PayoutRun, error) {
	var run PayoutRun
	bals, err := s.store.Balances(ctx, BalanceFilter{Kind: SellerAvailable})
	if err != nil {
		return run, fmt.Errorf("available balances: %w", err)
	}
	var errs []error
	for _, b := range bals {
		if -b.Amount < s.minimumOf(b.Currency) {
			continue
		}
		created, err := s.createPayout(ctx, id.Seller(b.Account.Owner), b.Currency)
		if err != nil {
			if ctx.Err() != nil {
				return run, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("payout of %s in %s: %w", b.Account.Owner, b.Currency, err))
			continue
		}
		if created {
			run.Created++
		}
	}
	if s.deps.Transfers != nil {
		stuck, err := s.store.Payouts(ctx, PayoutFilter{Status: PayoutInTransit, Channel: ChannelStripe, NoTransfer: true, Limit: 100})
		if err != nil {
			return run, fmt.Errorf("unconfirmed transfers: %w", err)
		}
		for _, p := range stuck {
			if p.ApprovedAt != nil && s.clock().Sub(*p.ApprovedAt) < time.Minute {
				continue // its approval is likely still sending it
			}
			if q, err := s.send(ctx, p); err != nil {
				errs = append(errs, err)
			} else if q.Status != PayoutInTransit {
				run.Sent++
			}
		}
	}
	return run, errors.Join(errs...)
}

func (s *Service) createPayout(ctx context.Context, seller id.Seller, currency string) (bool, error) {
	pid := id.Make[PayoutID]()
	now := s.clock()
	t, _, err := s.post(ctx, "payout:"+string(pid), []string{"payouts:" + string(seller) + ":" + currency}, func(tx Tx) (Txn, error) {
		acct, ok, err := tx.PayoutAccount(ctx, seller)
		if err != nil || !ok {
			return Txn{}, err
		}
		last, ok, err := tx.LastPayout(ctx, seller, currency)
		if err != nil {
			return Txn{}, err
		}
		if ok && (last.open() || now.Sub(last.CreatedAt) < s.interval) {
			return Txn{}, nil
		}
		bal, err := tx.Balance(ctx, AvailableAccount(seller), currency)
		if err != nil {
			return Txn{}, err
		}
		amount := -bal
		if amount < s.minimumOf(currency) {
			return Txn{}, nil
		}
		p := Payout{ID: pid, SellerID: seller, Amount: money.New(amount, currency), Status: PayoutPending, Channel: acct.Channel(),
			Destination: acct.Masked(), CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertPayout(ctx, p); err != nil {
			return Txn{}, err
		}
		return Txn{Kind: KindPayout, PayoutID: pid, SellerID: seller,
			Entries: join(debit(AvailableAccount(seller), amount, currency), credit(PayoutAccountOf(seller), amount, currency))}, nil
	})
	return err == nil && t.Kind != "", err
}

// errUnchanged ends a payout change that has nothing to do.
var errUnchanged = errors.New("unchanged")

// changePayout reads a payout under its lock, lets fn change it and
// writes it with the transaction fn returns (if any), posted with ref, and
// a ledger.payout.status_changed.v1 when its status changed, all in one
// store transaction.
func (s *Service) changePayout(ctx context.Context, pid PayoutID, fn func(tx Tx, p *Payout) (Txn, error)) (Payout, error) {
	var out Payout
	err := s.store.Update(ctx, []string{"payout:" + string(pid)}, func(tx Tx) error {
		p, err := tx.Payout(ctx, pid)
		if err != nil {
			return err
		}
		out = p
		t, err := fn(tx, &p)
		if errors.Is(err, errUnchanged) {
			return nil
		}
		if err != nil {
			return err
		}
		p.UpdatedAt = s.clock()
		if err := tx.UpdatePayout(ctx, p); err != nil {
			return fmt.Errorf("update payout %s: %w", pid, err)
		}
		if p.Status != out.Status {
			if err := tx.Publish(ctx, TopicPayoutStatusChanged.Name(), string(p.ID), PayoutStatusChanged{PayoutID: p.ID, SellerID: p.SellerID,
				Amount: p.Amount, Status: p.Status, PreviousStatus: out.Status, Channel: p.Channel, Destination: p.Destination,
				Failure: p.Failure, At: p.UpdatedAt}); err != nil {
				return fmt.Errorf("publish the status of payout %s: %w", pid, err)
			}
		}
		out = p
		if t.Kind == "" {
			return nil
		}
		t.ID, t.CreatedAt, t.PayoutID, t.SellerID = id.Make[TxnID](), p.UpdatedAt, p.ID, p.SellerID
		t.Reference = string(t.Kind) + ":" + string(pid)
		if err := t.Check(); err != nil {
			return err
		}
		return tx.Post(ctx, t)
	})
	return out, err
}

func illegal(p Payout, to PayoutStatus) error {
	return apperr.Conflict("illegal_transition", "payout %s is %s: it cannot become %s", p.ID, p.Status, to)
}

// ApprovePayout approves a pending payout (admin) and sends it: to a
// seller with a connected account, a Stripe transfer (idempotency key
// "payout:<id>") and the payout is paid when the transfer is made; to a
// bank account, the payout waits in transit in the export until an admin
// marks it paid or failed. Approving an approved Stripe payout whose
// transfer is unconfirmed sends it again; any other approved one is
// returned as it is. A transfer the gateway refuses fails the payout; one
// that cannot be confirmed (the gateway is down) leaves it in transit, and
// the ledger.payouts job sends it again.
func (s *Service) ApprovePayout(ctx context.Context, pid PayoutID) (Payout, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Payout{}, err
	}
	p, err := s.changePayout(ctx, pid, func(tx Tx, p *Payout) (Txn, error) {
		switch p.Status {
		case PayoutInTransit:
			return Txn{}, errUnchanged
		case PayoutPending:
		default:
			return Txn{}, illegal(*p, PayoutInTransit)
		}
		acct, ok, err := tx.PayoutAccount(ctx, p.SellerID)
		if err != nil {
			return Txn{}, err
		}
		if !ok {
			return Txn{}, apperr.Conflict("no_payout_account", "seller %s has no payout account", p.SellerID)
		}
		if acct.Channel() == ChannelStripe && s.deps.Transfers == nil {
			return Txn{}, apperr.Conflict("transfers_unavailable", "seller %s is paid by Stripe transfer, which is not configured", p.SellerID)
		}
		now := s.clock()
		p.Status, p.ApprovedAt, p.Channel, p.Destination, p.TransferTo = PayoutInTransit, &now, acct.Channel(), acct.Masked(), acct.StripeAccount
		return Txn{}, nil
	})
	if err != nil || p.Channel != ChannelStripe || p.Status != PayoutInTransit || p.TransferID != "" {
		return p, err
	}
	return s.send(ctx, p)
}

// send makes a Stripe payout's transfer and records its outcome.
func (s *Service) send(ctx context.Context, p Payout) (Payout, error) {
	if s.deps.Transfers == nil {
		return p, nil
	}
	tid, err := s.deps.Transfers.Transfer(ctx, TransferParams{Destination: p.TransferTo, Amount: p.Amount,
		IdempotencyKey: "payout:" + string(p.ID), PayoutID: p.ID})
	switch {
	case err == nil:
		return s.paid(ctx, p.ID, tid)
	case apperr.Is(err, apperr.KindUnprocessable), apperr.Is(err, apperr.KindInvalid):
		msg := "the transfer was refused"
		if e, ok := apperr.As(err); ok {
			msg += ": " + e.Message
		}
		return s.failed(ctx, p.ID, msg)
	}
	s.log.Warn("payout transfer not confirmed; it will be sent again", "payout", p.ID, "err", err)
	return p, nil
}

// PaidInput marks a payout paid: reference is the bank's reference of
// the transfer (optional).
type PaidInput struct {
	Reference string `json:"reference,omitempty"`
}

// FailedInput marks a payout failed, with why.
type FailedInput struct {
	Reason string `json:"reason"`
}

// MarkPaid records an approved payout as paid (admin): the money leaves
// the seller's in-transit balance for good. Marking a paid payout paid
// again changes nothing.
func (s *Service) MarkPaid(ctx context.Context, pid PayoutID, in PaidInput) (Payout, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Payout{}, err
	}
	if len(in.Reference) > 200 {
		return Payout{}, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "reference", Message: "at most 200 characters"})
	}
	return s.paid(ctx, pid, in.Reference)
}

func (s *Service) paid(ctx context.Context, pid PayoutID, ref string) (Payout, error) {
	return s.changePayout(ctx, pid, func(tx Tx, p *Payout) (Txn, error) {
		switch p.Status {
		case PayoutPaid:
			return Txn{}, errUnchanged
		case PayoutInTransit:
		default:
			return Txn{}, illegal(*p, PayoutPaid)
		}
		now := s.clock()
		p.Status, p.PaidAt, p.TransferID = PayoutPaid, &now, ref
		a, c := p.Amount.Amount, p.Amount.Currency
		return Txn{Kind: KindPayoutPaid, Entries: join(debit(PayoutAccountOf(p.SellerID), a, c), credit(BankPayoutsAccount(), a, c))}, nil
	})
}

// MarkFailed records a pending or approved payout as failed (admin), with
// a reason: its money returns to the seller's available balance, to be
// paid out at the next payout. Marking a failed payout failed again
// changes nothing; a paid one is a Conflict.
func (s *Service) MarkFailed(ctx context.Context, pid PayoutID, in FailedInput) (Payout, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Payout{}, err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" || len(reason) > 500 {
		return Payout{}, apperr.Invalid("validation_failed", "the request has invalid fields",
			apperr.FieldError{Field: "reason", Message: "must be 1 to 500 characters"})
	}
	return s.failed(ctx, pid, reason)
}

func (s *Service) failed(ctx context.Context, pid PayoutID, reason string) (Payout, error) {
	return s.changePayout(ctx, pid, func(tx Tx, p *Payout) (Txn, error) {
		switch p.Status {
		case PayoutFailed:
			return Txn{}, errUnchanged
		case PayoutPending, PayoutInTransit:
		default:
			return Txn{}, illegal(*p, PayoutFailed)
		}
		now := s.clock()
		p.Status, p.FailedAt, p.Failure = PayoutFailed, &now, reason
		a, c := p.Amount.Amount, p.Amount.Currency
		return Txn{Kind: KindPayoutFailed, Entries: join(debit(PayoutAccountOf(p.SellerID), a, c), credit(AvailableAccount(p.SellerID), a, c))}, nil
	})
}

// Payout returns a payout: a seller's own, or any for an admin; another
// seller's is NotFound.
func (s *Service) Payout(ctx context.Context, pid PayoutID) (Payout, error) {
	p, sel, err := s.payoutCaller(ctx)
	if err != nil {
		return Payout{}, err
	}
	var out Payout
	err = s.store.View(ctx, func(tx Tx) error {
		out, err = tx.Payout(ctx, pid)
		return err
	})
	if err != nil {
		return Payout{}, err
	}
	if !p.Is(auth.Admin) && out.SellerID != sel {
		return Payout{}, apperr.NotFound("payout %s not found", pid)
	}
	return out, nil
}

// payoutCaller is a seller (with its store) or an admin.
func (s *Service) payoutCaller(ctx context.Context) (auth.Principal, id.Seller, error) {
	p, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil || p.Is(auth.Admin) {
		return p, "", err
	}
	return s.sellerOf(ctx, "")
}

// PayoutQuery filters a payout list. Seller is an admin's filter; a
// seller always sees its own.
type PayoutQuery struct {
	Seller id.Seller
	Status PayoutStatus
	Cursor string
	Limit  int
}

// Payouts lists payouts, newest first: a seller's own, or for an admin
// all (optionally one seller's).
func (s *Service) Payouts(ctx context.Context, q PayoutQuery) (page.Page[Payout], error) {
	p, sel, err := s.payoutCaller(ctx)
	if err != nil {
		return page.Page[Payout]{}, err
	}
	var f apperr.Fields
	limit := page.Limit(&f, q.Limit)
	f.Check(q.Status == "" || validStatus(q.Status), "status", "must be pending, in_transit, paid or failed")
	if err := f.Err(); err != nil {
		return page.Page[Payout]{}, err
	}
	filter := PayoutFilter{SellerID: sel, Status: q.Status, Limit: limit + 1}
	if p.Is(auth.Admin) {
		filter.SellerID = q.Seller
	}
	if q.Cursor != "" {
		var c struct {
			Before PayoutID `json:"b"`
		}
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return page.Page[Payout]{}, err
		}
		filter.Before = c.Before
	}
	items, err := s.store.Payouts(ctx, filter)
	if err != nil {
		return page.Page[Payout]{}, fmt.Errorf("list payouts: %w", err)
	}
	out := page.Page[Payout]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = page.EncodeCursor(struct {
			Before PayoutID `json:"b"`
		}{items[limit-1].ID})
	}
	if out.Items == nil {
		out.Items = []Payout{}
	}
	return out, nil
}

func validStatus(st PayoutStatus) bool {
	for _, v := range PayoutStatuses {
		if v == st {
			return true
		}
	}
	return false
}

// ExportRow is one line of the bank file: a manual payout in transit.
type ExportRow struct {
	PayoutID PayoutID
	SellerID id.Seller
	Holder   string
	Account  string // masked
	Routing  string
	Amount   money.Money
}

// Export lists the manual payouts in transit, the oldest first, with the
// bank details they go to (the account number masked), for an admin to
// make the bank transfers and then mark each paid or failed.
func (s *Service) Export(ctx context.Context) ([]ExportRow, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return nil, err
	}
	var rows []ExportRow
	var before PayoutID
	for {
		ps, err := s.store.Payouts(ctx, PayoutFilter{Status: PayoutInTransit, Channel: ChannelManual, Before: before, Limit: page.MaxLimit})
		if err != nil {
			return nil, fmt.Errorf("list payouts: %w", err)
		}
		err = s.store.View(ctx, func(tx Tx) error {
			for _, p := range ps {
				a, _, err := tx.PayoutAccount(ctx, p.SellerID)
				if err != nil {
					return err
				}
				rows = append(rows, ExportRow{PayoutID: p.ID, SellerID: p.SellerID, Holder: a.Holder, Account: mask(a.AccountNumber),
					Routing: a.Routing, Amount: p.Amount})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(ps) < page.MaxLimit || len(rows) >= 100000 {
			break
		}
		before = ps[len(ps)-1].ID
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows, nil
}
