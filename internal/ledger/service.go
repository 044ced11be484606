package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/unit"
)

// Sellers is what the ledger needs from accounts: the store a seller user
// runs (NotFound when it runs none). The composition root adapts
// *account.Service to it.
type Sellers interface {
	SellerOfUser(ctx context.Context, user id.User) (id.Seller, error)
}

// Transferer sends money to a seller's connected account (Stripe Connect).
// Transfer must be idempotent by IdempotencyKey: sent again with the same
// key it returns the first transfer's ID. An error classified
// apperr.KindUnprocessable or apperr.KindInvalid is a refusal (the payout
// fails and its money returns to the seller's available balance); any
// other error is treated as transient and the transfer is tried again.
type Transferer interface {
	Transfer(ctx context.Context, p TransferParams) (string, error)
}

// TransferParams is one transfer to a connected account.
type TransferParams struct {
	Destination    string // the connected account ID ("acct_...")
	Amount         money.Money
	IdempotencyKey string // "payout:<payout ID>"
	PayoutID       PayoutID
}

// Deps are what the ledger works with.
type Deps struct {
	Sellers   Sellers
	Transfers Transferer // optional: without it, every payout is manual
}

// Options tune a Service.
type Options struct {
	// DefaultRate is the commission before an admin sets rules;
	// ledger.DefaultRate (10 %) when zero.
	DefaultRate *Rate
	// PayoutInterval is how long after a seller's last payout the next
	// one is made; a week when zero.
	PayoutInterval time.Duration
	// PayoutMinimum is the least available balance, in minor units per
	// currency, that is paid out; DefaultPayoutMinimum for currencies not
	// listed.
	PayoutMinimum map[string]int64
	Now           func() time.Time // clock; time.Now when nil
	Logger        *slog.Logger
}

// DefaultPayoutMinimum is the least payout in a currency without its own
// minimum: 10.00 in a currency of two decimals.
const DefaultPayoutMinimum = 1000

// Service is the ledger's use cases. The Record*, Release and SetReleaseAt
// methods are for other modules (through the composition root's event
// consumers) and check no caller; every other method checks the caller's
// role itself.
type Service struct {
	store       Store
	deps        Deps
	defaultRate Rate
	interval    time.Duration
	minimum     map[string]int64
	now         func() time.Time
	log         *slog.Logger
}

// New returns a Service.
func New(store Store, deps Deps, opts Options) *Service {
	s := &Service{store: store, deps: deps, defaultRate: DefaultRate, interval: opts.PayoutInterval,
		minimum: opts.PayoutMinimum, now: opts.Now, log: opts.Logger}
	if opts.DefaultRate != nil {
		s.defaultRate = *opts.DefaultRate
	}
	if s.interval <= 0 {
		s.interval = 7 * 24 * time.Hour
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Job names.
const (
	// JobRelease releases the seller orders whose return window closed.
	JobRelease = "ledger.release"
	// JobPayouts creates due payouts and retries unconfirmed transfers.
	JobPayouts = "ledger.payouts"
)

// Jobs are the module's background jobs; both are singletons.
func (s *Service) Jobs() []unit.Job {
	return []unit.Job{
		{Name: JobRelease, Singleton: true, Every: 10 * time.Minute, Tick: func(ctx context.Context) error {
			_, err := s.ReleaseDue(ctx)
			return err
		}},
		{Name: JobPayouts, Singleton: true, Every: time.Hour, Tick: func(ctx context.Context) error {
			_, err := s.RunPayouts(ctx)
			return err
		}},
	}
}

// sellerOf returns the store of the signed-in seller, or for an admin the
// store it names (required).
func (s *Service) sellerOf(ctx context.Context, named id.Seller) (auth.Principal, id.Seller, error) {
	p, err := auth.Require(ctx, auth.Seller, auth.Admin)
	if err != nil {
		return p, "", err
	}
	if p.Is(auth.Admin) {
		if named == "" {
			return p, "", apperr.Invalid("validation_failed", "the request has invalid fields",
				apperr.FieldError{Field: "seller", Message: "is required for an admin"})
		}
		return p, named, nil
	}
	sel, err := s.deps.Sellers.SellerOfUser(ctx, id.User(p.UserID))
	if apperr.Is(err, apperr.KindNotFound) {
		return p, "", apperr.NotFound("you have no store: open one first")
	}
	if err != nil {
		return p, "", fmt.Errorf("look up store of %s: %w", p.UserID, err)
	}
	return p, sel, nil
}

// post runs build under the reference's lock and the extra locks, and
// posts what it returns, unless a transaction with that reference exists:
// then it returns that one (existed true) and build is not called. build
// may return a zero Txn to post nothing.
func (s *Service) post(ctx context.Context, ref string, locks []string, build func(tx Tx) (Txn, error)) (t Txn, existed bool, err error) {
	err = s.store.Update(ctx, append([]string{"ref:" + ref}, locks...), func(tx Tx) error {
		old, ok, err := tx.Txn(ctx, ref)
		if err != nil {
			return err
		}
		if ok {
			t, existed = old, true
			return nil
		}
		t, err = build(tx)
		if err != nil || t.Kind == "" {
			return err
		}
		t.ID, t.Reference, t.CreatedAt = id.Make[TxnID](), ref, s.clock()
		if err := t.Check(); err != nil {
			return err
		}
		return tx.Post(ctx, t)
	})
	if err != nil {
		return Txn{}, false, err
	}
	return t, existed, nil
}
