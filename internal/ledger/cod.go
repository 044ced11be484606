package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/money"
)

// CashCollected is cash a delivery partner took from a customer on
// delivery, for a seller order (or, when the partner collected an order's
// whole amount at once, an order).
type CashCollected struct {
	PartnerID     id.User
	SellerOrderID id.SellerOrder
	OrderID       id.Order
	Amount        money.Money
}

// RecordCashCollected posts cash collected on delivery: the partner's cash
// account is debited and the COD receivable ("gateway:cod", debited by the
// COD sale) credited. Idempotent per seller order, or per order when no
// seller order is given (reference "cod_collected:<id>").
func (s *Service) RecordCashCollected(ctx context.Context, in CashCollected) (Txn, error) {
	var f apperr.Fields
	f.Check(in.PartnerID != "", "partner_id", "is required")
	f.Check(in.SellerOrderID != "" || in.OrderID != "", "seller_order_id", "a seller order or an order is required")
	checkAmount(&f, in.Amount)
	if err := f.Err(); err != nil {
		return Txn{}, err
	}
	key := string(in.SellerOrderID)
	if key == "" {
		key = string(in.OrderID)
	}
	t, _, err := s.post(ctx, "cod_collected:"+key, []string{"cod:" + string(in.PartnerID)}, func(tx Tx) (Txn, error) {
		a, c := in.Amount.Amount, in.Amount.Currency
		return Txn{Kind: KindCODCollected, OrderID: in.OrderID, SellerOrderID: in.SellerOrderID, PartnerID: in.PartnerID,
			Entries: join(debit(CODAccount(in.PartnerID), a, c), credit(GatewayAccount(CODGateway), a, c))}, nil
	})
	return t, err
}

func checkAmount(f *apperr.Fields, m money.Money) {
	f.Check(m.Amount > 0 && m.Amount < 1e12, "amount.amount", "must be positive")
	f.Check(money.ValidCurrency(m.Currency), "amount.currency", "must be a three-letter ISO 4217 code")
}

// Handover is cash a delivery partner hands to the platform. Reference
// names the handover (a receipt number) so that recording it twice
// changes nothing; one is made up when empty.
type Handover struct {
	PartnerID id.User
	Amount    money.Money
	Reference string
}

// HandoverInput is the body of an admin's handover record.
type HandoverInput struct {
	Amount    money.Money `json:"amount"`
	Reference string      `json:"reference,omitempty"`
}

// RecordCashHandover posts cash handed over by a delivery partner: the
// platform's cash is debited and the partner's cash account credited.
// More than the partner holds in that currency is Unprocessable
// "exceeds_cash_held" (checked under the partner's lock). Idempotent by
// partner and reference ("cod_handover:<partner>:<reference>").
func (s *Service) RecordCashHandover(ctx context.Context, in Handover) (Txn, error) {
	var f apperr.Fields
	f.Check(in.PartnerID != "", "partner_id", "is required")
	f.Check(len(in.Reference) <= 100, "reference", "at most 100 characters")
	checkAmount(&f, in.Amount)
	if err := f.Err(); err != nil {
		return Txn{}, err
	}
	if in.Reference == "" {
		in.Reference = id.New("hnd")
	}
	ref := "cod_handover:" + string(in.PartnerID) + ":" + in.Reference
	t, _, err := s.post(ctx, ref, []string{"cod:" + string(in.PartnerID)}, func(tx Tx) (Txn, error) {
		a, c := in.Amount.Amount, in.Amount.Currency
		held, err := tx.Balance(ctx, CODAccount(in.PartnerID), c)
		if err != nil {
			return Txn{}, err
		}
		if a > held {
			return Txn{}, apperr.Unprocessable("exceeds_cash_held", "%s holds %v, less than %v", in.PartnerID, money.New(held, c), in.Amount)
		}
		return Txn{Kind: KindCODHandover, PartnerID: in.PartnerID,
			Entries: join(debit(PlatformCashAccount(), a, c), credit(CODAccount(in.PartnerID), a, c))}, nil
	})
	return t, err
}

// HandOver is RecordCashHandover for an admin, who receives the cash.
func (s *Service) HandOver(ctx context.Context, partner id.User, in HandoverInput) (Txn, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return Txn{}, err
	}
	return s.RecordCashHandover(ctx, Handover{PartnerID: partner, Amount: in.Amount, Reference: in.Reference})
}

// PartnerCash is the cash a delivery partner holds in one currency.
type PartnerCash struct {
	PartnerID id.User     `json:"partner_id"`
	Held      money.Money `json:"held"`
}

// CashHeld lists the cash each delivery partner holds (admin), by partner
// and currency; partners holding none are left out.
func (s *Service) CashHeld(ctx context.Context) ([]PartnerCash, error) {
	if _, err := auth.Require(ctx, auth.Admin); err != nil {
		return nil, err
	}
	bals, err := s.store.Balances(ctx, BalanceFilter{Kind: COD})
	if err != nil {
		return nil, fmt.Errorf("cash held: %w", err)
	}
	out := []PartnerCash{}
	for _, b := range bals {
		if b.Amount != 0 {
			out = append(out, PartnerCash{PartnerID: id.User(b.Account.Owner), Held: money.New(b.Amount, b.Currency)})
		}
	}
	slices.SortFunc(out, func(a, b PartnerCash) int {
		if c := cmpString(string(a.PartnerID), string(b.PartnerID)); c != 0 {
			return c
		}
		return cmpString(a.Held.Currency, b.Held.Currency)
	})
	return out, nil
}

// Fee is what a gateway charged the platform for a payment.
type Fee struct {
	PaymentID id.Payment
	OrderID   id.Order
	Gateway   string
	Amount    money.Money
}

// RecordGatewayFee posts a gateway's fee on a payment: the platform's
// gateway fees are debited and the gateway's cash credited. Idempotent per
// payment (reference "gateway_fee:<payment>").
func (s *Service) RecordGatewayFee(ctx context.Context, in Fee) (Txn, error) {
	var f apperr.Fields
	f.Check(in.PaymentID != "", "payment_id", "is required")
	f.Check(validGateway(in.Gateway), "gateway", "must be a gateway name")
	checkAmount(&f, in.Amount)
	if err := f.Err(); err != nil {
		return Txn{}, err
	}
	t, _, err := s.post(ctx, "gateway_fee:"+string(in.PaymentID), nil, func(tx Tx) (Txn, error) {
		a, c := in.Amount.Amount, in.Amount.Currency
		return Txn{Kind: KindGatewayFee, PaymentID: in.PaymentID, OrderID: in.OrderID,
			Entries: join(debit(GatewayFeesAccount(), a, c), credit(GatewayAccount(in.Gateway), a, c))}, nil
	})
	return t, err
}
