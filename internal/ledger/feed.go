package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/catalog"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Consumer is the ledger's event consumer group.
const Consumer = "ledger"

// Feed is what the ledger reads of the modules whose events it books: the
// orders (amounts per seller order, which the events do not carry), the
// products' categories (for commission rules), the payments (which gateway
// holds the money) and the sellers' return windows. Each is a call acting
// for the system.
type Feed struct {
	Orders interface {
		OrderOfPart(ctx context.Context, sellerOrderID id.SellerOrder) (order.Order, error)
	}
	Catalog interface {
		ProductRefs(ctx context.Context, ids []id.Product) (map[id.Product]catalog.ProductRef, error)
	}
	Payments interface {
		OrderPayments(ctx context.Context, orderID id.Order) ([]payment.Payment, error)
	}
	Returns interface {
		WindowDays(ctx context.Context, sellerID id.Seller) (int, error)
	}
}

// Subscribe books the marketplace's money from events, at least once (every
// posting is idempotent by its reference):
//   - order.paid.v1: a sale per seller order (replacements carry no money);
//   - shipment.status_changed.v1 delivered: the seller order's share is
//     released when its seller's return window closes, and the cash a
//     delivery partner collected moves from the "cod" receivable to the
//     partner's cash;
//   - order.cancelled.v1 with a refund: each cancelled seller order's total
//     is refunded out of its seller's balance (a payment only authorised,
//     cash on delivery or a card captured at handover: the sale is written
//     off, since nothing was taken);
//   - return.refunded.v1: the refund of a return, out of its seller's;
//   - payment.succeeded.v1 with a fee: the gateway's fee, the platform's
//     expense;
//   - payment.refunded.v1 of origin "goodwill" (an admin's or support's
//     refund through the payment API): charged to the seller order it
//     names, else the platform's goodwill expense (RecordGoodwill).
//     Refunds of other origins are booked from the cancellation or return
//     that caused them, above.
func (s *Service) Subscribe(sub event.Subscriber, feed Feed) {
	f := feeder{s: s, Feed: feed}
	event.On(sub, Consumer, order.TopicPaid, f.onPaid)
	event.On(sub, Consumer, shipmentevent.TopicStatusChanged, f.onShipment)
	event.On(sub, Consumer, order.TopicCancelled, f.onCancelled)
	event.On(sub, Consumer, supportevent.TopicReturnRefunded, f.onReturnRefunded)
	event.On(sub, Consumer, payment.TopicSucceeded, f.onPaymentSucceeded)
	event.On(sub, Consumer, payment.TopicRefunded, f.onPaymentRefunded)
}

// onPaymentRefunded books goodwill refunds; the others are booked from the
// events of the cancellations and returns that made them.
func (f feeder) onPaymentRefunded(ctx context.Context, e event.Event, ev payment.RefundedEvent) error {
	if ev.Origin != payment.OriginGoodwill || ev.Amount.Amount <= 0 {
		return nil
	}
	gw := ev.Gateway
	if gw == "" {
		var err error
		if gw, _, err = f.gateway(ctx, ev.OrderID); err != nil {
			return err
		}
	}
	_, err := f.s.RecordGoodwill(ctx, Goodwill{RefundID: ev.RefundID, OrderID: ev.OrderID, PaymentID: ev.PaymentID,
		SellerOrderID: ev.SellerOrderID, Gateway: gw, Amount: ev.Amount})
	if err != nil {
		return fmt.Errorf("book goodwill refund %s: %w", ev.RefundID, err)
	}
	return nil
}

// onPaymentSucceeded books the fee the gateway charged for a payment, when
// it reported one: the platform's expense, out of the gateway's account.
func (f feeder) onPaymentSucceeded(ctx context.Context, e event.Event, ev payment.SucceededEvent) error {
	if ev.Fee == nil || ev.Fee.Amount <= 0 || ev.Gateway == "" {
		return nil
	}
	_, err := f.s.RecordGatewayFee(ctx, Fee{PaymentID: ev.PaymentID, OrderID: ev.OrderID, Gateway: ev.Gateway, Amount: *ev.Fee})
	if err != nil {
		return fmt.Errorf("book the %s fee of payment %s: %w", ev.Gateway, ev.PaymentID, err)
	}
	return nil
}

// delivered is the shipment status that starts the return window.
const delivered shipmentevent.Status = "delivered"

type feeder struct {
	s *Service
	Feed
}

func (f feeder) onPaid(ctx context.Context, e event.Event, ev order.PaidEvent) error {
	if ev.Replacement || len(ev.SellerOrders) == 0 {
		return nil
	}
	o, err := f.Orders.OrderOfPart(ctx, ev.SellerOrders[0].SellerOrderID)
	if err != nil {
		return fmt.Errorf("read order %s: %w", ev.OrderID, err)
	}
	gateway, paymentID, err := f.gateway(ctx, o.ID)
	if err != nil {
		return err
	}
	var products []id.Product
	for _, so := range o.SellerOrders {
		for _, l := range so.Lines {
			products = append(products, l.ProductID)
		}
	}
	refs, err := f.Catalog.ProductRefs(ctx, products)
	if err != nil {
		return fmt.Errorf("read the categories of order %s: %w", o.ID, err)
	}
	for _, paid := range ev.SellerOrders {
		part := o.Part(paid.SellerOrderID)
		if part == nil {
			return fmt.Errorf("order %s has no seller order %s", o.ID, paid.SellerOrderID)
		}
		sale := Sale{SellerOrderID: id.SellerOrder(part.ID), OrderID: id.Order(o.ID), PaymentID: paymentID,
			SellerID: id.Seller(part.SellerID), Gateway: gateway, Shipping: part.Shipping, Total: part.Total}
		for _, l := range part.Lines {
			sale.Lines = append(sale.Lines, SaleLine{Category: id.Category(refs[l.ProductID].CategoryID), Amount: l.LineTotal})
		}
		if _, err := f.s.RecordSale(ctx, sale); err != nil {
			return fmt.Errorf("book the sale of %s: %w", part.ID, err)
		}
	}
	return nil
}

// gateway is the gateway holding an order's money: its captured payment's.
func (f feeder) gateway(ctx context.Context, orderID id.Order) (string, id.Payment, error) {
	ps, err := f.Payments.OrderPayments(ctx, orderID)
	if err != nil {
		return "", "", fmt.Errorf("read the payments of order %s: %w", orderID, err)
	}
	for _, p := range ps {
		// Cash on delivery: authorised at confirmation, the cash owed by
		// the customer is the "cod" gateway's receivable.
		if p.Status.Captured() || p.Status == payment.Authorized {
			return p.Gateway, id.Payment(p.ID), nil
		}
	}
	return "", "", fmt.Errorf("order %s is paid but has no captured payment yet", orderID)
}

func (f feeder) onShipment(ctx context.Context, e event.Event, ev shipmentevent.StatusChanged) error {
	if ev.Status != delivered || ev.SellerOrderID == "" {
		return nil
	}
	if ev.CashCollected != nil && ev.PartnerID != "" {
		_, err := f.s.RecordCashCollected(ctx, CashCollected{PartnerID: ev.PartnerID, SellerOrderID: ev.SellerOrderID,
			OrderID: ev.OrderID, Amount: *ev.CashCollected})
		if err != nil {
			return fmt.Errorf("book the cash collected for %s: %w", ev.SellerOrderID, err)
		}
	}
	days, err := f.Returns.WindowDays(ctx, ev.SellerID)
	if err != nil {
		return fmt.Errorf("read the return window of seller %s: %w", ev.SellerID, err)
	}
	err = f.s.SetReleaseAt(ctx, id.SellerOrder(ev.SellerOrderID), ev.At.Add(time.Duration(days)*24*time.Hour))
	if apperr.Is(err, apperr.KindNotFound) && f.isReplacement(ctx, ev.OrderID) {
		return nil // an exchange's replacement: nothing was sold
	}
	return err // a sale not booked yet comes back until it is
}

// isReplacement reports whether an order was paid for by nobody (an
// exchange's replacement): it has no captured payment.
func (f feeder) isReplacement(ctx context.Context, orderID id.Order) bool {
	_, _, err := f.gateway(ctx, orderID)
	return err != nil
}

func (f feeder) onCancelled(ctx context.Context, e event.Event, ev order.CancelledEvent) error {
	if !ev.RefundRequired && !ev.Authorized && !ev.CashOnDelivery || len(ev.SellerOrderIDs) == 0 {
		return nil
	}
	o, err := f.Orders.OrderOfPart(ctx, ev.SellerOrderIDs[0])
	if err != nil {
		return fmt.Errorf("read order %s: %w", ev.OrderID, err)
	}
	var errs []error
	for _, so := range ev.SellerOrderIDs {
		part := o.Part(so)
		if part == nil {
			continue
		}
		_, err := f.s.RecordRefund(ctx, Refund{RefundID: id.Refund("cancel_" + e.ID), SellerOrderID: id.SellerOrder(so), Amount: part.Total})
		if apperr.Is(err, apperr.KindNotFound) && f.isReplacement(ctx, o.ID) {
			continue
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (f feeder) onReturnRefunded(ctx context.Context, e event.Event, ev supportevent.Return) error {
	if ev.Refund == nil || ev.Refund.Amount == 0 {
		return nil // an exchange: replaced, not refunded
	}
	_, err := f.s.RecordRefund(ctx, Refund{RefundID: id.Refund(ev.ReturnID), SellerOrderID: id.SellerOrder(ev.SellerOrderID), Amount: *ev.Refund})
	return err
}
