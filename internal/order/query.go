package order

import (
	"context"
	"fmt"
	"time"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	"github.com/bazaar-market/bazaar/internal/event"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/page"
	"github.com/bazaar-market/bazaar/internal/payment"
	"github.com/bazaar-market/bazaar/internal/shipment/shipmentevent"
	"github.com/bazaar-market/bazaar/internal/support/supportevent"
)

// Detail is an order as GET /api/v1/order/{id} shows it: with its payment
// attempts for those who see the whole order.
type Detail struct {
	Order    Order
	Payments []payment.Payment
}

// Query selects a page of a list.
type Query struct {
	Status string // one status to filter by; "" for all
	Cursor string // from the previous page's next_cursor
	Limit  int    // 1..page.MaxLimit; page.DefaultLimit when 0
}

// Queued is a seller order in its seller's queue, with what the seller
// needs to fulfil it.
type Queued struct {
	SellerOrder
	CustomerID      id.User    `json:"customer_id"`
	OrderStatus     Status     `json:"order_status"`
	ShippingAddress Address    `json:"shipping_address"`
	PlacedAt        time.Time  `json:"placed_at"`
	PaidAt          *time.Time `json:"paid_at,omitempty"`
}

// Order returns an order to its customer, admins and support (with its
// payments), and to the sellers with a part in it (only that part, with its
// totals). For anyone else it is NotFound, exactly like a missing order.
func (s *Service) Order(ctx context.Context, id id.Order) (Detail, error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return Detail{}, err
	}
	o, err := s.store.Order(ctx, id)
	if err != nil {
		return Detail{}, err
	}
	seen, ok := v.sees(o)
	if !ok {
		return Detail{}, apperr.NotFound("order %s not found", id)
	}
	d := Detail{Order: seen, Payments: []payment.Payment{}}
	if v.full(o) {
		ps, err := s.deps.Payments.OrderPayments(ctx, o.ID)
		if err != nil {
			return Detail{}, fmt.Errorf("read payments of %s: %w", o.ID, err)
		}
		d.Payments = append(d.Payments, ps...)
	}
	return d, nil
}

// Orders lists the caller's orders, newest first: a customer's own; for a
// seller, the orders it has a part in (each showing only that part, and
// filtered by that part's status); every order for admins and support.
// Delivery partners have none (Forbidden).
func (s *Service) Orders(ctx context.Context, q Query) (page.Page[Order], error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return page.Page[Order]{}, err
	}
	if v.p.Is(auth.Seller) {
		return sellerPage(s, ctx, v, q, func(o Order) Order { return o })
	}
	if v.p.Is(auth.Delivery) {
		return page.Page[Order]{}, apperr.Forbidden("delivery partners see shipments, not orders")
	}
	f, err := filter(q, func(st string) bool { return Status(st).Valid() })
	if err != nil {
		return page.Page[Order]{}, err
	}
	if !v.p.Is(auth.Admin, auth.Support) {
		f.CustomerID = v.p.UserID
	}
	os, err := s.store.Orders(ctx, f)
	if err != nil {
		return page.Page[Order]{}, fmt.Errorf("list orders: %w", err)
	}
	return pageOf(os, f.Limit, func(o Order) Order { return o }), nil
}

// SellerOrders is the calling seller's queue: its seller orders, newest
// first, optionally of one status.
func (s *Service) SellerOrders(ctx context.Context, q Query) (page.Page[Queued], error) {
	v, err := s.viewer(ctx)
	if err != nil {
		return page.Page[Queued]{}, err
	}
	if !v.p.Is(auth.Seller) {
		return page.Page[Queued]{}, apperr.Forbidden("this needs the seller role")
	}
	return sellerPage(s, ctx, v, q, func(o Order) Queued {
		return Queued{SellerOrder: o.SellerOrders[0], CustomerID: o.CustomerID, OrderStatus: o.Status,
			ShippingAddress: o.ShippingAddress, PlacedAt: o.PlacedAt, PaidAt: o.PaidAt}
	})
}

func sellerPage[T any](s *Service, ctx context.Context, v viewer, q Query, item func(Order) T) (page.Page[T], error) {
	f, err := filter(q, func(st string) bool { return SellerStatus(st).Valid() })
	if err != nil {
		return page.Page[T]{}, err
	}
	if v.sellerID == "" { // no store yet: nothing sold
		return page.Page[T]{Items: []T{}}, nil
	}
	f.SellerID = v.sellerID
	os, err := s.store.SellerOrders(ctx, f)
	if err != nil {
		return page.Page[T]{}, fmt.Errorf("list seller orders: %w", err)
	}
	for i, o := range os {
		os[i] = sellerView(o, o.SellerOrders[0])
	}
	return pageOf(os, f.Limit, item), nil
}

func filter(q Query, valid func(string) bool) (Filter, error) {
	var fs apperr.Fields
	f := Filter{Limit: page.Limit(&fs, q.Limit)}
	if q.Status != "" {
		fs.Check(valid(q.Status), "status", "is not a known status")
		f.Statuses = []string{q.Status}
	}
	if err := fs.Err(); err != nil {
		return Filter{}, err
	}
	if q.Cursor != "" {
		var c Cursor
		if err := page.DecodeCursor(q.Cursor, &c); err != nil {
			return Filter{}, err
		}
		f.After = &c
	}
	return f, nil
}

// pageOf turns up to limit+1 orders into a page with the next cursor.
func pageOf[T any](os []Order, limit int, item func(Order) T) page.Page[T] {
	p := page.Page[T]{Items: make([]T, 0, min(len(os), limit))}
	for i, o := range os {
		if i == limit {
			last := os[limit-1]
			p.NextCursor = page.EncodeCursor(Cursor{PlacedAt: last.PlacedAt.UnixMicro(), ID: last.ID})
			break
		}
		p.Items = append(p.Items, item(o))
	}
	return p
}

// Subscribe registers the module's event consumers: the payment outcomes,
// the shipment updates and the refunded returns (as Consumer, each applied
// exactly once through Store.ApplyOnce), and the reactions to its own
// events, each idempotent:
// order.cancelled.v1 gives the stock back (ConsumerStock) and refunds
// (ConsumerRefund); order.placed.v1 takes the order out of the cart
// (ConsumerCart).
func (s *Service) Subscribe(sub event.Subscriber) {
	event.On(sub, Consumer, payment.TopicSucceeded, s.OnPaymentSucceeded)
	event.On(sub, Consumer, payment.TopicAuthorized, s.OnPaymentAuthorized)
	event.On(sub, Consumer, payment.TopicFailed, s.OnPaymentFailed)
	event.On(sub, Consumer, payment.TopicRefunded, s.OnPaymentRefunded)
	event.On(sub, Consumer, shipmentevent.TopicCreated, s.OnShipmentCreated)
	event.On(sub, Consumer, shipmentevent.TopicStatusChanged, s.OnShipmentStatusChanged)
	event.On(sub, Consumer, supportevent.TopicReturnRefunded, s.OnReturnRefunded)
	event.On(sub, ConsumerStock, TopicCancelled, s.OnCancelledStock)
	event.On(sub, ConsumerStock, TopicPaid, s.OnPaidStock)
	event.On(sub, ConsumerRefund, TopicCancelled, s.OnCancelled)
	event.On(sub, ConsumerCart, TopicPlaced, s.OnPlaced)
	event.On(sub, ConsumerSettle, TopicStatusChanged, s.OnStatusSettle)
	event.On(sub, ConsumerSettle, TopicCancelled, s.OnCancelledSettle)
}

// Received reports whether a seller order holding the product has been
// delivered to the customer (what a verified review needs). It is for other
// modules acting for that customer; it reads no caller.
func (s *Service) Received(ctx context.Context, customerID id.User, productID id.Product) (bool, error) {
	return s.store.Received(ctx, customerID, productID)
}
