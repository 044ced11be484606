package order

import (
	"context"
	"fmt"
	"strings"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/inventory"
	"github.com/bazaar-market/bazaar/internal/money"
)

// ReplacementInput asks for a replacement shipped at no charge: the other
// variant a customer takes in exchange for units it returned.
type ReplacementInput struct {
	// Key makes the call idempotent: one replacement order per key (the
	// support module passes "exchange:<return id>").
	Key             string
	CustomerID      id.User
	SellerID        id.Seller // every SKU must be this seller's
	Lines           []LineInput
	ShippingAddress Address
}

// PlaceReplacement places a paid order at no charge for in.CustomerID: the
// lines are reserved and committed in inventory and the order is written
// paid, with order.placed.v1 and order.paid.v1 (Replacement true), so the
// seller ships it like any other. A second call with the same Key returns
// the order the first made. It is for other modules acting for the
// customer (support, for an exchange); it reads no caller. Errors:
// Unprocessable "sku_unavailable" for SKUs not sold, or not the seller's;
// Conflict "insufficient_stock".
//
// Commit follows the write; should it fail, the module's ConsumerStock
// consumer of order.paid.v1 commits a replacement's stock again.
func (s *Service) PlaceReplacement(ctx context.Context, in ReplacementInput) (Order, error) {
	var f apperr.Fields
	f.Check(strings.TrimSpace(in.Key) != "", "key", "is required")
	f.Check(in.CustomerID != "", "customer_id", "is required")
	f.Check(len(in.Lines) > 0, "lines", "must not be empty")
	summed, order, first := sumLines(&f, "lines", in.Lines)
	if err := f.Err(); err != nil {
		return Order{}, err
	}
	if o, err := s.store.OrderByRequestKey(ctx, in.CustomerID, in.Key); err == nil {
		return o, s.commitReplacement(ctx, o.ID)
	} else if !apperr.Is(err, apperr.KindNotFound) {
		return Order{}, fmt.Errorf("look up replacement %s: %w", in.Key, err)
	}
	skus, err := s.deps.Catalog.SKUs(ctx, order)
	if err != nil {
		return Order{}, fmt.Errorf("look up SKUs: %w", err)
	}
	for _, code := range order {
		if v, ok := skus[code]; ok && v.SellerID != in.SellerID {
			return Order{}, &apperr.Error{Kind: apperr.KindUnprocessable, Code: "sku_unavailable", Message: "a replacement comes from the same seller",
				Fields: []apperr.FieldError{{Field: fmt.Sprintf("lines[%d].sku", first[code]), Message: code + " is another seller's"}}}
		}
	}
	o, err := s.build(in.CustomerID, in.ShippingAddress, "lines", order, first, summed, skus)
	if err != nil {
		return Order{}, err
	}
	// No charge: every amount is zero.
	zero := money.New(0, o.Currency)
	o.Subtotal, o.Shipping, o.Tax, o.Total = zero, zero, zero, zero
	for i := range o.SellerOrders {
		p := &o.SellerOrders[i]
		p.Subtotal, p.Shipping, p.Tax, p.Total = zero, zero, zero, zero
		for j := range p.Lines {
			p.Lines[j].UnitPrice, p.Lines[j].LineTotal = zero, zero
		}
	}
	o.setPlacedAt(s.clock(), s.ttl)
	o.RequestKey = in.Key
	reserve := make([]inventory.Line, 0, len(order))
	for _, code := range order {
		reserve = append(reserve, inventory.Line{SKU: code, Quantity: summed[code]})
	}
	if err := s.hold(ctx, &o, reserve); err != nil {
		return Order{}, err
	}
	now := o.PlacedAt
	if err := o.markPaid("", "", now); err != nil {
		return Order{}, err
	}
	placed := Placed{OrderID: o.ID, CustomerID: o.CustomerID, Total: o.Total, SellerOrderIDs: []id.SellerOrder{}}
	paid := PaidEvent{OrderID: o.ID, CustomerID: o.CustomerID, PaidAt: now, ShippingAddress: o.ShippingAddress,
		SellerOrders: []PaidSeller{}, Replacement: true}
	for _, part := range o.SellerOrders {
		placed.SellerOrderIDs = append(placed.SellerOrderIDs, part.ID)
		ps := PaidSeller{SellerOrderID: part.ID, SellerID: part.SellerID, Lines: []PaidLine{}}
		for _, l := range part.Lines {
			placed.Lines = append(placed.Lines, LineQty{SKU: l.SKU, Quantity: l.Quantity})
			ps.Lines = append(ps.Lines, PaidLine{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity})
		}
		paid.SellerOrders = append(paid.SellerOrders, ps)
	}
	evs := append([]Event{eventOf(TopicPlaced, placed), eventOf(TopicPaid, paid)}, statusEvent(&o, PendingPayment, now)...)
	if err := s.store.Create(ctx, o, evs); err != nil {
		if apperr.CodeOf(err) == "request_key_used" {
			return s.store.OrderByRequestKey(ctx, in.CustomerID, in.Key)
		}
		s.abandon(ctx, o.ID)
		return Order{}, fmt.Errorf("place replacement: %w", err)
	}
	return o, s.commitReplacement(ctx, o.ID)
}

// commitReplacement commits a replacement's reservation (a no-op once
// committed).
func (s *Service) commitReplacement(ctx context.Context, orderID id.Order) error {
	if err := s.deps.Stock.Commit(context.WithoutCancel(ctx), orderID); err != nil {
		s.log.WarnContext(ctx, "commit a replacement's stock; its consumer will", "order", orderID, "err", err)
	}
	return nil
}

// OnPaidStock is the ConsumerStock consumer of order.paid.v1: a
// replacement's stock is committed (again: Commit is idempotent). Other
// orders committed theirs before they became paid.
func (s *Service) OnPaidStock(ctx context.Context, e event.Event, ev PaidEvent) error {
	if !ev.Replacement {
		return nil
	}
	if err := s.deps.Stock.Commit(ctx, ev.OrderID); err != nil {
		return fmt.Errorf("commit the stock of replacement %s: %w", ev.OrderID, err)
	}
	return nil
}
