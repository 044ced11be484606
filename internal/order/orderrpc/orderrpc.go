// Package orderrpc is the order module's gRPC service (bazaar.order.v1.
// OrderService): the same service calls as orderhttp, in protobuf, and
// WatchOrder, a server stream of an order's changes.
package orderrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	orderv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/order/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/order/v1/orderv1connect"
	paymentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/payment/v1"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/order"
	"github.com/bazaar-market/bazaar/internal/payment/paymentrpc"
	"github.com/bazaar-market/bazaar/internal/rpc"
)

// Watch delivers, until ctx ends, the ID of each of user's orders that
// changed, "" when changes may have been missed (refetch whatever is
// watched). The channel closes when the feed ends (the server is stopping
// or the client does not keep up). The composition root adapts the live
// hub to it.
type Watch func(ctx context.Context, user id.User) (<-chan id.Order, error)

// Server implements OrderService.
type Server struct {
	svc   *order.Service
	watch Watch
}

var _ orderv1connect.OrderServiceHandler = (*Server)(nil)

// New returns the service over svc; WatchOrder follows changes through
// watch (nil: WatchOrder is Unavailable).
func New(svc *order.Service, watch Watch) *Server { return &Server{svc: svc, watch: watch} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return orderv1connect.NewOrderServiceHandler(s, opts...)
}

// Streams are the procedures that stream: they outlive the server's write
// timeout.
var Streams = []string{orderv1connect.OrderServiceWatchOrderProcedure}

func (s *Server) PlaceOrder(ctx context.Context, req *connect.Request[orderv1.PlaceOrderRequest]) (*connect.Response[orderv1.PlaceOrderResponse], error) {
	m := req.Msg
	in := order.PlaceInput{AddressID: id.Address(m.GetAddressId())}
	for _, l := range m.GetLines() {
		in.Lines = append(in.Lines, order.LineInput{SKU: l.GetSku(), Quantity: l.GetQuantity()})
	}
	if a := m.GetShippingAddress(); a != nil {
		in.ShippingAddress = &order.Address{Name: a.GetName(), Line1: a.GetLine1(), Line2: a.GetLine2(), City: a.GetCity(),
			Region: a.GetRegion(), PostalCode: a.GetPostalCode(), Country: a.GetCountry(), Phone: a.GetPhone()}
	}
	o, err := s.svc.Place(ctx, in)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&orderv1.PlaceOrderResponse{Order: Order(o)}), nil
}

func (s *Server) GetOrder(ctx context.Context, req *connect.Request[orderv1.GetOrderRequest]) (*connect.Response[orderv1.GetOrderResponse], error) {
	d, err := s.svc.Order(ctx, id.Order(req.Msg.GetId()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&orderv1.GetOrderResponse{Order: detail(d)}), nil
}

func detail(d order.Detail) *orderv1.Order {
	o := Order(d.Order)
	o.Payments = make([]*paymentv1.Payment, 0, len(d.Payments))
	for _, p := range d.Payments {
		o.Payments = append(o.Payments, paymentrpc.Payment(p))
	}
	return o
}

func (s *Server) ListOrders(ctx context.Context, req *connect.Request[orderv1.ListOrdersRequest]) (*connect.Response[orderv1.ListOrdersResponse], error) {
	m := req.Msg
	pg, err := s.svc.Orders(ctx, order.Query{Status: m.GetStatus(), Cursor: m.GetPageToken(), Limit: rpc.PageSize(m.GetPageSize())})
	if err != nil {
		return nil, err
	}
	out := &orderv1.ListOrdersResponse{NextPageToken: pg.NextCursor}
	for _, o := range pg.Items {
		out.Orders = append(out.Orders, Order(o))
	}
	return connect.NewResponse(out), nil
}

func (s *Server) CancelOrder(ctx context.Context, req *connect.Request[orderv1.CancelOrderRequest]) (*connect.Response[orderv1.CancelOrderResponse], error) {
	o, err := s.svc.Cancel(ctx, id.Order(req.Msg.GetId()), order.CancelInput{Reason: req.Msg.GetReason()})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&orderv1.CancelOrderResponse{Order: Order(o)}), nil
}

func (s *Server) ListSellerOrders(ctx context.Context, req *connect.Request[orderv1.ListSellerOrdersRequest]) (*connect.Response[orderv1.ListSellerOrdersResponse], error) {
	m := req.Msg
	pg, err := s.svc.SellerOrders(ctx, order.Query{Status: m.GetStatus(), Cursor: m.GetPageToken(), Limit: rpc.PageSize(m.GetPageSize())})
	if err != nil {
		return nil, err
	}
	out := &orderv1.ListSellerOrdersResponse{NextPageToken: pg.NextCursor}
	for _, q := range pg.Items {
		out.SellerOrders = append(out.SellerOrders, &orderv1.QueuedSellerOrder{SellerOrder: sellerOrder(q.SellerOrder),
			CustomerId: string(q.CustomerID), OrderStatus: string(q.OrderStatus), ShippingAddress: address(q.ShippingAddress),
			PlacedAt: rpc.Time(q.PlacedAt), PaidAt: rpc.TimePtr(q.PaidAt)})
	}
	return connect.NewResponse(out), nil
}

// WatchOrder sends the order as the caller may see it, then again each time
// its status (or anything else the live feed reports) changes, until the
// client goes away. Another user's order is NotFound, as GetOrder.
func (s *Server) WatchOrder(ctx context.Context, req *connect.Request[orderv1.WatchOrderRequest], stream *connect.ServerStream[orderv1.WatchOrderResponse]) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	if s.watch == nil {
		return apperr.New(apperr.KindUnavailable, "live_unavailable", "live updates are not available")
	}
	oid := id.Order(req.Msg.GetId())
	// Subscribe before reading, so no change falls between the two.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := s.watch(ctx, p.UserID)
	if err != nil {
		return err
	}
	load := func(ctx context.Context) (*orderv1.Order, error) {
		d, err := s.svc.Order(ctx, oid)
		if err != nil {
			return nil, err
		}
		return detail(d), nil
	}
	same := func(last, next *orderv1.Order) bool {
		return next.GetStatus() == last.GetStatus() && next.GetUpdatedAt().AsTime().Equal(last.GetUpdatedAt().AsTime()) &&
			len(next.GetPayments()) == len(last.GetPayments())
	}
	return rpc.Watch(ctx, changes, oid, load, same, func(o *orderv1.Order) error {
		return stream.Send(&orderv1.WatchOrderResponse{Order: o})
	})
}

func address(a order.Address) *orderv1.Address {
	return &orderv1.Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
		PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone}
}

func sellerOrder(so order.SellerOrder) *orderv1.SellerOrder {
	out := &orderv1.SellerOrder{Id: string(so.ID), OrderId: string(so.OrderID), SellerId: string(so.SellerID), Status: string(so.Status),
		Subtotal: rpc.Money(so.Subtotal), Shipping: rpc.Money(so.Shipping), Tax: rpc.Money(so.Tax), Total: rpc.Money(so.Total),
		Refunded: rpc.Money(so.Refunded), CancelReason: so.CancelReason, CancelledAt: rpc.TimePtr(so.CancelledAt),
		ShippedAt: rpc.TimePtr(so.ShippedAt), DeliveredAt: rpc.TimePtr(so.DeliveredAt), UpdatedAt: rpc.Time(so.UpdatedAt)}
	for _, l := range so.Lines {
		out.Lines = append(out.Lines, &orderv1.Line{Id: string(l.ID), Sku: l.SKU, ProductId: string(l.ProductID), Title: l.Title,
			Options: l.Options, Quantity: l.Quantity, UnitPrice: rpc.Money(l.UnitPrice), LineTotal: rpc.Money(l.LineTotal), Returned: l.Returned})
	}
	if sh := so.Shipment; sh != nil {
		out.Shipment = &orderv1.Shipment{Id: string(sh.ID), Status: sh.Status, TrackingId: sh.TrackingID}
	}
	return out
}

// Order is o in protobuf (without payments: GetOrder adds them).
func Order(o order.Order) *orderv1.Order {
	out := &orderv1.Order{Id: string(o.ID), Status: string(o.Status), CustomerId: string(o.CustomerID), Currency: o.Currency,
		Subtotal: rpc.Money(o.Subtotal), Shipping: rpc.Money(o.Shipping), Tax: rpc.Money(o.Tax), Total: rpc.Money(o.Total),
		Refunded: rpc.Money(o.Refunded), ShippingAddress: address(o.ShippingAddress),
		ReservationExpiresAt: rpc.Time(o.ReservationExpiresAt), PlacedAt: rpc.Time(o.PlacedAt), PaidAt: rpc.TimePtr(o.PaidAt),
		CancelledAt: rpc.TimePtr(o.CancelledAt), CancelReason: o.CancelReason, PaymentStatus: o.PaymentStatus,
		CashOnDelivery: o.CashOnDelivery, UpdatedAt: rpc.Time(o.UpdatedAt)}
	if e := o.LastPaymentError; e != nil {
		out.LastPaymentError = &orderv1.PaymentError{Code: e.Code, Message: e.Message}
	}
	for _, so := range o.SellerOrders {
		out.SellerOrders = append(out.SellerOrders, sellerOrder(so))
	}
	return out
}
