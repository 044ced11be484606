package razorpaygw

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/money"
	"github.com/bazaar-market/bazaar/internal/payment"
)

// Refund refunds part of the captured payment of the order in.IntentID,
// once per idempotency key: the refund is made with a receipt (our refund
// ID) and looked for among the payment's refunds before one is made.
// Refunding more than is left is Unprocessable "refund_exceeds_captured"
// (checked here and by Razorpay).
func (g *Gateway) Refund(ctx context.Context, in payment.RefundParams) (payment.GatewayRefund, error) {
	var f apperr.Fields
	f.Check(in.IntentID != "", "intent_id", "is required")
	f.Check(in.IdempotencyKey != "" || in.RefundID != "", "idempotency_key", "is required")
	f.Check(in.Amount.Amount > 0 && money.ValidCurrency(in.Amount.Currency), "amount", "must be a positive amount in a valid currency")
	if err := f.Err(); err != nil {
		return payment.GatewayRefund{}, err
	}
	// One refund of an order at a time in this process, so that looking for
	// the receipt and checking what is left hold until the refund is made.
	unlock, err := g.locks.lock(ctx, "order:"+in.IntentID)
	if err != nil {
		return payment.GatewayRefund{}, err
	}
	defer unlock()

	ps, err := g.orderPayments(ctx, in.IntentID)
	if err != nil {
		return payment.GatewayRefund{}, err
	}
	var p rzPayment
	for _, q := range ps {
		if q.Captured || q.Status == "captured" || q.Status == "refunded" {
			p = q
		}
	}
	if p.ID == "" {
		return payment.GatewayRefund{}, apperr.Unprocessable("charge_not_captured", "razorpay order %s has no captured payment", in.IntentID)
	}
	if p.Currency != in.Amount.Currency {
		return payment.GatewayRefund{}, apperr.Unprocessable("currency_mismatch", "the refund must be in %s", p.Currency)
	}
	rcpt := receipt(in.RefundID, in.IdempotencyKey)
	if r, found, err := g.refundByReceipt(ctx, p.ID, rcpt); err != nil {
		return payment.GatewayRefund{}, err
	} else if found {
		if r.Amount != in.Amount.Amount {
			return payment.GatewayRefund{}, apperr.Unprocessable("idempotency_key_reused",
				"razorpay refund %s for receipt %s is for %d, not %d", r.ID, rcpt, r.Amount, in.Amount.Amount)
		}
		return g.refundView(r, in), nil
	}
	if left := p.Amount - p.AmountRefunded; in.Amount.Amount > left {
		return payment.GatewayRefund{}, apperr.Unprocessable("refund_exceeds_captured",
			"cannot refund %v: %d of razorpay payment %s is left to refund", in.Amount, left, p.ID)
	}
	n := map[string]string{"payment_id": in.PaymentID, "refund_id": in.RefundID, "idempotency_key": in.IdempotencyKey}
	for k, v := range n {
		if v == "" {
			delete(n, k)
		}
	}
	var r rzRefund
	err = g.call(ctx, http.MethodPost, "/payments/"+url.PathEscape(p.ID)+"/refund", nil,
		map[string]any{"amount": in.Amount.Amount, "speed": "normal", "receipt": rcpt, "notes": n}, &r)
	if err != nil {
		return payment.GatewayRefund{}, fmt.Errorf("refund razorpay payment %s: %w", p.ID, err)
	}
	return g.refundView(r, in), nil
}

// refundByReceipt finds a payment's refund by receipt.
func (g *Gateway) refundByReceipt(ctx context.Context, paymentID, rcpt string) (rzRefund, bool, error) {
	const page = 100
	for skip := 0; ; skip += page {
		var list collection[rzRefund]
		q := url.Values{"count": {strconv.Itoa(page)}, "skip": {strconv.Itoa(skip)}}
		if err := g.call(ctx, http.MethodGet, "/payments/"+url.PathEscape(paymentID)+"/refunds", q, nil, &list); err != nil {
			return rzRefund{}, false, fmt.Errorf("list refunds of razorpay payment %s: %w", paymentID, err)
		}
		for _, r := range list.Items {
			if r.Receipt == rcpt {
				return r, true, nil
			}
		}
		if len(list.Items) < page {
			return rzRefund{}, false, nil
		}
	}
}

func (g *Gateway) refundView(r rzRefund, in payment.RefundParams) payment.GatewayRefund {
	out := refundOf(r, in.IntentID)
	if out.PaymentID == "" {
		out.PaymentID = in.PaymentID
	}
	if out.RefundID == "" {
		out.RefundID = in.RefundID
	}
	return out
}

// refundOf maps a Razorpay refund: processed -> succeeded, failed ->
// failed, pending -> pending.
func refundOf(r rzRefund, intentID string) payment.GatewayRefund {
	st := payment.RefundPending
	switch r.Status {
	case "processed":
		st = payment.RefundSucceeded
	case "failed":
		st = payment.RefundFailed
	}
	out := payment.GatewayRefund{ID: r.ID, IntentID: intentID, Amount: money.New(r.Amount, r.Currency), Status: st,
		PaymentID: r.Notes["payment_id"], RefundID: r.Notes["refund_id"]}
	if st == payment.RefundFailed {
		out.FailureCode = "refund_failed"
	}
	return out
}
