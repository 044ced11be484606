// Package shipmentrpc is the shipment module's gRPC service
// (bazaar.shipment.v1.ShipmentService): the same service calls as
// shipmenthttp, in protobuf, and WatchShipment, a server stream of a
// parcel's moves.
package shipmentrpc

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/bazaar-market/bazaar/internal/apperr"
	"github.com/bazaar-market/bazaar/internal/auth"
	shipmentv1 "github.com/bazaar-market/bazaar/internal/gen/bazaar/shipment/v1"
	"github.com/bazaar-market/bazaar/internal/gen/bazaar/shipment/v1/shipmentv1connect"
	"github.com/bazaar-market/bazaar/internal/id"
	"github.com/bazaar-market/bazaar/internal/rpc"
	"github.com/bazaar-market/bazaar/internal/shipment"
)

// Watch delivers, until ctx ends, the ID of each parcel of user's (as its
// customer, seller or delivery partner) that moved, "" when moves may have
// been missed. The channel closes when the feed ends. The composition root
// adapts the live hub to it.
type Watch func(ctx context.Context, user id.User) (<-chan id.Shipment, error)

// Server implements ShipmentService.
type Server struct {
	svc   *shipment.Service
	watch Watch
}

var _ shipmentv1connect.ShipmentServiceHandler = (*Server)(nil)

// New returns the service over svc; WatchShipment follows moves through
// watch (nil: WatchShipment is Unavailable).
func New(svc *shipment.Service, watch Watch) *Server { return &Server{svc: svc, watch: watch} }

// Handler returns the service's path and HTTP handler.
func (s *Server) Handler(opts ...connect.HandlerOption) (string, http.Handler) {
	return shipmentv1connect.NewShipmentServiceHandler(s, opts...)
}

// Streams are the procedures that stream: they outlive the server's write
// timeout.
var Streams = []string{shipmentv1connect.ShipmentServiceWatchShipmentProcedure}

func (s *Server) GetShipment(ctx context.Context, req *connect.Request[shipmentv1.GetShipmentRequest]) (*connect.Response[shipmentv1.GetShipmentResponse], error) {
	shp, err := s.svc.Shipment(ctx, id.Shipment(req.Msg.GetId()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&shipmentv1.GetShipmentResponse{Shipment: Shipment(shp)}), nil
}

func (s *Server) Pack(ctx context.Context, req *connect.Request[shipmentv1.PackRequest]) (*connect.Response[shipmentv1.PackResponse], error) {
	shp, err := s.svc.Pack(ctx, id.Shipment(req.Msg.GetId()))
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&shipmentv1.PackResponse{Shipment: Shipment(shp)}), nil
}

func (s *Server) HandOver(ctx context.Context, req *connect.Request[shipmentv1.HandOverRequest]) (*connect.Response[shipmentv1.HandOverResponse], error) {
	shp, err := s.svc.Handover(ctx, id.Shipment(req.Msg.GetId()), shipment.HandoverInput{PartnerID: id.User(req.Msg.GetPartnerId())})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&shipmentv1.HandOverResponse{Shipment: Shipment(shp)}), nil
}

func (s *Server) RecordEvent(ctx context.Context, req *connect.Request[shipmentv1.RecordEventRequest]) (*connect.Response[shipmentv1.RecordEventResponse], error) {
	m := req.Msg
	in := shipment.EventInput{Status: shipment.Status(m.GetStatus()), Location: m.GetLocation(), Note: m.GetNote(), Proof: m.GetProof()}
	if c := m.GetCashCollected(); c != nil {
		cash := rpc.FromMoney(c)
		in.CashCollected = &cash
	}
	shp, err := s.svc.RecordEvent(ctx, id.Shipment(m.GetId()), in)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&shipmentv1.RecordEventResponse{Shipment: Shipment(shp)}), nil
}

// WatchShipment sends the parcel as the caller may see it, then again each
// time it moves, until the client goes away. A parcel the caller may not
// see is NotFound, as GetShipment.
func (s *Server) WatchShipment(ctx context.Context, req *connect.Request[shipmentv1.WatchShipmentRequest], stream *connect.ServerStream[shipmentv1.WatchShipmentResponse]) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	if s.watch == nil {
		return apperr.New(apperr.KindUnavailable, "live_unavailable", "live updates are not available")
	}
	sid := id.Shipment(req.Msg.GetId())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := s.watch(ctx, p.UserID)
	if err != nil {
		return err
	}
	load := func(ctx context.Context) (*shipmentv1.Shipment, error) {
		shp, err := s.svc.Shipment(ctx, sid)
		if err != nil {
			return nil, err
		}
		return Shipment(shp), nil
	}
	same := func(last, next *shipmentv1.Shipment) bool {
		return next.GetStatus() == last.GetStatus() && len(next.GetTimeline()) == len(last.GetTimeline())
	}
	return rpc.Watch(ctx, changes, sid, load, same, func(m *shipmentv1.Shipment) error {
		return stream.Send(&shipmentv1.WatchShipmentResponse{Shipment: m})
	})
}

// Shipment is shp in protobuf.
func Shipment(shp shipment.Shipment) *shipmentv1.Shipment {
	a := shp.ShippingAddress
	out := &shipmentv1.Shipment{Id: string(shp.ID), OrderId: string(shp.OrderID), SellerOrderId: string(shp.SellerOrderID),
		SellerId: string(shp.SellerID), CustomerId: string(shp.CustomerID), Status: string(shp.Status), Carrier: shp.Carrier,
		TrackingId: shp.TrackingID, PartnerId: string(shp.PartnerID),
		ShippingAddress: &shipmentv1.Address{Name: a.Name, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region,
			PostalCode: a.PostalCode, Country: a.Country, Phone: a.Phone},
		CreatedAt: rpc.Time(shp.CreatedAt), UpdatedAt: rpc.Time(shp.UpdatedAt),
		CashDue: rpc.MoneyPtr(shp.CashDue), CashCollected: rpc.MoneyPtr(shp.CashCollected)}
	for _, it := range shp.Items {
		out.Items = append(out.Items, &shipmentv1.Item{Sku: it.SKU, ProductId: string(it.ProductID), Title: it.Title, Quantity: it.Quantity})
	}
	for _, e := range shp.Timeline {
		out.Timeline = append(out.Timeline, &shipmentv1.Entry{Status: string(e.Status), Location: e.Location, Note: e.Note,
			Proof: e.Proof, ActorId: string(e.ActorID), At: rpc.Time(e.At)})
	}
	return out
}
