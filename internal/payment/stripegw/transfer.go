package stripegw

import (
	"context"
	"strings"

	"github.com/stripe/stripe-go/v86"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
)

// TransferParams is a request to move money from the platform's Stripe
// balance to a connected account (a seller's payout).
type TransferParams struct {
	Destination    string // the connected account, "acct_..."
	Amount         money.Money
	IdempotencyKey string
	PayoutID       string // metadata payout_id
}

// TransferResult is a transfer Stripe made.
type TransferResult struct {
	ID string // "tr_..."
}

// Transfer makes a Stripe Connect transfer, once per idempotency key. Its
// errors are classified like the payment calls': a refusal that made
// nothing (an unknown account, an insufficient balance) is Invalid or
// Unprocessable; anything else means the outcome is unknown and the call
// may be repeated with the same key.
func (g *Gateway) Transfer(ctx context.Context, in TransferParams) (TransferResult, error) {
	var f apperr.Fields
	f.Check(strings.HasPrefix(in.Destination, "acct_"), "destination", "must be a Stripe account ID (acct_...)")
	f.Check(in.IdempotencyKey != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount > 0 && money.ValidCurrency(in.Amount.Currency), "amount", "must be a positive amount in a valid currency")
	if err := f.Err(); err != nil {
		return TransferResult{}, err
	}
	p := &stripe.TransferCreateParams{
		Amount:      stripe.Int64(in.Amount.Amount),
		Currency:    stripe.String(strings.ToLower(in.Amount.Currency)),
		Destination: stripe.String(in.Destination),
		Metadata:    metadata("payout_id", in.PayoutID),
	}
	p.SetIdempotencyKey(in.IdempotencyKey)
	tr, err := g.sc.V1Transfers.Create(ctx, p)
	if err != nil {
		return TransferResult{}, g.classify("transfer to "+in.Destination, err)
	}
	return TransferResult{ID: tr.ID}, nil
}
